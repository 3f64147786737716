// SPDX-License-Identifier: GPL-2.0-only
/**
 * Model-guided random traces for property tests and benchmarks: each
 * operation's arguments are picked among the objects alive at that point,
 * so most steps succeed (a few deliberately name dead or unknown objects).
 * A trace is a pure function of a list of random numbers, so fast-check
 * can shrink it. Each operation's maker is its spec's `fuzz` (core/ops):
 * a new operation joins the generator with its registry line.
 */
import { applyOp } from "../engine/apply";
import { emptyState, thaw } from "../model/tx";
import type { KernelId, PolicyId, SkbId, State } from "../model/types";
import { OPS, type Draw, type FuzzCtx } from "../ops";
import { ref } from "../ops/spec";
import type { Arg, Trace, TraceOp } from "../trace/ast";

export type { Draw };

const skbNames = (s: State) => [...s.skbs.keys()] as string[];
/** Skbs no receive queue holds: the ones a caller may free. */
const freeable = (s: State) => {
  const queued = new Set([...s.socks.values()].flatMap((k) => k.queue as readonly string[]));
  return skbNames(s).filter((n) => !queued.has(n));
};
const pageNames = (s: State) => [...s.pages.values()].filter((p) => !p.freed).map((p) => p.name as string);
const argName = (arg: Arg) => (arg.kind !== "ref" ? "" : arg.index === undefined ? arg.name : `${arg.name}[${arg.index}]`);

type Maker = (c: FuzzCtx, d: Draw) => TraceOp | readonly TraceOp[] | null;

/** Every operation's maker (its spec's `fuzz`), weighted, in the registry's order. */
const MAKERS: readonly [number, Maker][] = [...OPS.values()].map((spec) => [spec.fuzz.weight, (c, d) => spec.fuzz.make(c, d, spec.fn)]);

const TOTAL = MAKERS.reduce((n, [w]) => n + w, 0);

export const GUIDED_SETUP = `g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)`;

/**
 * Keep a long trace's live set bounded (benchmarks): past `maxLive` skbs
 * or pages, frees instead of allocations; few pipes, sockets and buffers.
 */
function rebalance(c: FuzzCtx, d: Draw, maxLive: number): TraceOp | null {
  const s = c.state;
  const victims = freeable(s);
  if (s.skbs.size > maxLive && victims.length) return { fn: "kfree_skb", args: [ref(c.pick(victims, d[1])!)] };
  if (s.pipes.size > 3) return { fn: "pipe_release", args: [ref(c.pick([...s.pipes.keys()] as string[], d[1])!)] };
  // Queue entries another path already freed stay dangling; eat live ones.
  const live = [...s.socks.values()].flatMap((k) => k.queue.filter((n) => s.skbs.has(n)).map((n) => [k.name, n] as const));
  if (live.length > 6) {
    const [k, n] = c.pick(live, d[1])!;
    return { fn: "sk_eat_skb", args: [ref(k), ref(n)] };
  }
  return null;
}

const LIMITED: Record<string, (s: State, maxLive: number) => boolean> = {
  alloc_page: (s, m) => s.pages.size > m,
  sock_create: (s) => s.socks.size > 3,
  zerocopy_arm: (s) => s.buffers.size > 8,
};

/** What the makers see of a state (read through `current`, which the generator advances). */
export function makerContext(current: () => State): FuzzCtx {
  let counter = 0;
  const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);
  return {
    get state() {
      return current();
    },
    fresh: (prefix) => `${prefix}${counter++}`,
    pick,
    skbArg: (n) => {
      // One time in sixteen, a name that is freed or never existed: error paths.
      if (n % 16 === 15) return ref(n % 32 === 15 ? "zz" : ([...current().graves.keys()][0] ?? "zz"));
      const name = pick(skbNames(current()), n);
      return name ? ref(name) : null;
    },
    freeable: (n) => pick(freeable(current()), n),
    page: (n) => pick(pageNames(current()), n),
    lenOf: (arg) => (arg ? (current().skbs.get(argName(arg) as SkbId)?.len ?? 0) : 0),
    within: (len, n) => (len > 0 ? [0, 1, Math.floor(len / 3), Math.floor(len / 2), len - 1, len][n % 6] : 0),
  };
}

/** Build a trace from draws; `setup` ops run first. */
export function guidedTrace(draws: readonly Draw[], kernel: KernelId, policy: PolicyId, setup: readonly TraceOp[] = [], maxLive = Infinity): Trace {
  // A private working state stepped in place: pure steps would copy the
  // ever-growing graves table at every free.
  let state = thaw(emptyState(kernel, policy));
  const ops: TraceOp[] = [];
  const c = makerContext(() => state);
  const push = (op: TraceOp) => {
    ops.push(op);
    state = applyOp(state, op, "inplace").state;
  };
  setup.forEach(push);
  for (const d of draws) {
    let w = d[0] % TOTAL;
    let maker = MAKERS[0][1];
    for (const [weight, m] of MAKERS) {
      if (w < weight) {
        maker = m;
        break;
      }
      w -= weight;
    }
    const forced = maxLive < Infinity ? rebalance(c, d, maxLive) : null;
    const made = forced ?? maker(c, d);
    if (!made) continue;
    const list: readonly TraceOp[] = Array.isArray(made) ? made : [made as TraceOp];
    if (!forced && list.some((op) => LIMITED[op.fn]?.(state, maxLive))) continue;
    list.forEach(push);
  }
  return { ops };
}
