/**
 * Model-guided random traces for property tests and benchmarks: each
 * operation's arguments are picked among the objects alive at that point,
 * so most steps succeed (a few deliberately name dead or unknown objects).
 * A trace is a pure function of a list of random numbers, so fast-check
 * can shrink it.
 */
import { applyOp } from "../engine/apply";
import { emptyState, thaw } from "../model/tx";
import type { KernelId, PolicyId, State } from "../model/types";
import type { Arg, Trace, TraceOp } from "../trace/ast";

export type Draw = readonly [number, number, number, number, number];

const SIZES = [0, 1, 64, 100, 500, 1000, 1448, 2000, 4096];
const int = (value: number): Arg => ({ kind: "int", value });
const ref = (name: string): Arg => {
  const m = /^(.+)\[(\d+)\]$/.exec(name);
  return m ? { kind: "ref", name: m[1], index: Number(m[2]) } : { kind: "ref", name };
};

interface Ctx {
  state: State;
  fresh: (prefix: string) => string;
  pick: <T>(list: readonly T[], n: number) => T | undefined;
}

type Maker = (c: Ctx, d: Draw) => TraceOp | TraceOp[] | null;

const skbNames = (s: State) => [...s.skbs.keys()] as string[];
/** Skbs no receive queue holds: the ones a caller may free. */
const freeable = (s: State) => {
  const queued = new Set([...s.socks.values()].flatMap((k) => k.queue as readonly string[]));
  return skbNames(s).filter((n) => !queued.has(n));
};
const pageNames = (s: State) => [...s.pages.values()].filter((p) => !p.freed).map((p) => p.name as string);
const skbArg = (c: Ctx, n: number): Arg | null => {
  // One time in sixteen, a name that is freed or never existed: error paths.
  if (n % 16 === 15) return ref(n % 32 === 15 ? "zz" : [...c.state.graves.keys()][0] ?? "zz");
  const name = c.pick(skbNames(c.state), n);
  return name ? ref(name) : null;
};
const lenOf = (c: Ctx, arg: Arg | null) => (arg?.kind === "ref" ? c.state.skbs.get((arg.index === undefined ? arg.name : `${arg.name}[${arg.index}]`) as never)?.len ?? 0 : 0);
const within = (len: number, n: number) => (len > 0 ? [0, 1, Math.floor(len / 3), Math.floor(len / 2), len - 1, len][n % 6] : 0);

const MAKERS: readonly [number, Maker][] = [
  [3, (c, d) => ({ fn: "alloc_page", result: c.fresh("p"), args: [{ kind: "kw", value: d[1] % 3 === 0 ? "host" : "guest" }] })],
  [3, (c, d) => ({ fn: "alloc_skb", result: c.fresh("s"), args: [int(SIZES[d[1] % SIZES.length])] })],
  [1, (c, d) => (c.state.kernel === "6.1" ? { fn: "napi_alloc_skb", result: c.fresh("s"), args: [int(SIZES[d[1] % 6])] } : null)],
  [1, (c, d) => (skbArg(c, d[1]) ? { fn: "skb_put", args: [skbArg(c, d[1])!, int([10, 50, 100][d[2] % 3])] } : null)],
  [1, (c, d) => (skbArg(c, d[1]) ? { fn: "skb_reserve", args: [skbArg(c, d[1])!, int([16, 32, 64][d[2] % 3])] } : null)],
  [4, (c, d) => {
    const s = skbArg(c, d[1]);
    const p = c.pick(pageNames(c.state), d[2]);
    if (!s || !p || s.kind !== "ref") return null;
    const name = s.index === undefined ? s.name : `${s.name}[${s.index}]`;
    const data = c.state.skbs.get(name as never) ? c.state.datas.get(c.state.skbs.get(name as never)!.head) : undefined;
    const off = [0, 100, 2048][d[3] % 3];
    const fill: TraceOp = { fn: "skb_fill_page_desc", args: [s, int(data?.frags.length ?? 0), ref(p), int(off), int([96, 1000, 2048][d[4] % 3])] };
    // The descriptor takes over a reference the caller holds: take one first.
    return c.state.pages.get(p as never)!.caller > 0 ? fill : [{ fn: "get_page", args: [ref(p)] }, fill];
  }],
  [2, (c, d) => {
    const p = c.pick(pageNames(c.state), d[1]);
    return p ? { fn: "get_page", args: [ref(p)] } : null;
  }],
  ...["kfree_skb", "consume_skb"].map((fn): [number, Maker] => [fn === "kfree_skb" ? 3 : 1, (c, d) => {
    const name = d[1] % 16 === 15 ? "zz" : c.pick(freeable(c.state), d[1]);
    return name ? { fn, args: [ref(name)] } : null;
  }]),
  ...["skb_get", "skb_linearize", "skb_orphan", "zerocopy_arm", "__skb_header_release"].map(
    (fn): [number, Maker] => [fn === "zerocopy_arm" ? 2 : 1, (c, d) => (skbArg(c, d[1]) ? { fn, args: [skbArg(c, d[1])!] } : null)],
  ),
  ...["skb_orphan_frags", "skb_orphan_frags_rx", "skb_copy_ubufs"].map(
    (fn): [number, Maker] => [1, (c, d) => (c.state.kernel === "6.1" && skbArg(c, d[1]) ? { fn, args: [skbArg(c, d[1])!] } : null)],
  ),
  ...["skb_clone", "pskb_copy", "skb_copy"].map((fn): [number, Maker] => [3, (c, d) => (skbArg(c, d[1]) ? { fn, result: c.fresh("s"), args: [skbArg(c, d[1])!] } : null)]),
  [2, (c, d) => (skbArg(c, d[1]) ? { fn: "pskb_expand_head", args: [skbArg(c, d[1])!, int([0, 32][d[2] % 2]), int([0, 64, 5000][d[3] % 3])] } : null)],
  [3, (c, d) => {
    const s = skbArg(c, d[1]);
    return s ? { fn: "skb_split", result: c.fresh("s"), args: [s, int(within(lenOf(c, s), d[2]))] } : null;
  }],
  ...["__pskb_pull_tail", "pskb_may_pull", "pskb_trim"].map((fn): [number, Maker] => [2, (c, d) => {
    const s = skbArg(c, d[1]);
    return s ? { fn, args: [s, int(within(lenOf(c, s), d[2]))] } : null;
  }]),
  [2, (c, d) => {
    const t = skbArg(c, d[1]);
    const f = skbArg(c, d[2]);
    return t && f && c.state.kernel === "6.1" ? { fn: "skb_try_coalesce", args: [t, f] } : null;
  }],
  [1, (c, d) => {
    const name = c.pick(freeable(c.state), d[1]);
    return name && c.state.kernel === "6.1" ? { fn: "kfree_skb_partial", args: [ref(name), { kind: "kw", value: d[2] % 2 ? "true" : "false" }] } : null;
  }],
  [2, (c, d) => {
    const t = skbArg(c, d[1]);
    const f = skbArg(c, d[2]);
    return t && f ? { fn: "skb_shift", args: [t, f, int(within(lenOf(c, f), d[3]))] } : null;
  }],
  [1, (c, d) => {
    const t = skbArg(c, d[1]);
    const f = skbArg(c, d[2]);
    return t && f && c.state.kernel === "6.1" ? { fn: "skb_zerocopy", args: [t, f, int(within(lenOf(c, f), d[3])), int([0, 64][d[4] % 2])] } : null;
  }],
  [2, (c, d) => (skbArg(c, d[1]) ? { fn: "skb_segment", result: c.fresh("l"), args: [skbArg(c, d[1])!, int([500, 1448, 4096][d[2] % 3])] } : null)],
  [2, (c, d) => {
    const s = skbArg(c, d[1]);
    return s ? { fn: "skb_splice_bits", result: c.fresh("q"), args: [s, int(0), int(within(lenOf(c, s), d[2]))] } : null;
  }],
  [2, (c, d) => {
    const q = c.pick([...c.state.pipes.keys()] as string[], d[1]);
    return q ? { fn: "pipe_release", args: [ref(q)] } : null;
  }],
  [1, (c) => ({ fn: "sock_create", result: c.fresh("k"), args: [] })],
  [2, (c, d) => {
    const k = c.pick([...c.state.socks.keys()] as string[], d[1]);
    const s = skbArg(c, d[2]);
    return k && s ? { fn: "sock_queue_rcv_skb", args: [ref(k), s] } : null;
  }],
  [2, (c, d) => {
    const live = [...c.state.socks.values()].flatMap((k) => k.queue.filter((n) => c.state.skbs.has(n)).map((n) => [k.name, n] as const));
    const pick = c.pick(live, d[1]);
    return pick ? { fn: "sk_eat_skb", args: [ref(pick[0]), ref(pick[1])] } : null;
  }],
  [1, (c, d) => {
    const s = skbArg(c, d[1]);
    return s ? { fn: "skb_copy_datagram_iter", args: [s, int(0), int(within(lenOf(c, s), d[2]))] } : null;
  }],
  [1, (c, d) => {
    const p = c.pick(pageNames(c.state), d[1]);
    return p ? { fn: "owner_reuse", args: [ref(p)] } : null;
  }],
  [1, (c, d) => (c.state.kernel === "2.6.32" && skbArg(c, d[1]) ? { fn: "skb_recycle_check", args: [skbArg(c, d[1])!, int([100, 1500][d[2] % 2])] } : null)],
];

const TOTAL = MAKERS.reduce((n, [w]) => n + w, 0);

export const GUIDED_SETUP = `g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)`;

/**
 * Keep a long trace's live set bounded (benchmarks): past `maxLive` skbs
 * or pages, frees instead of allocations; few pipes, sockets and buffers.
 */
function rebalance(c: Ctx, d: Draw, maxLive: number): TraceOp | null {
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

/** Build a trace from draws; `setup` ops run first. */
export function guidedTrace(
  draws: readonly Draw[],
  kernel: KernelId,
  policy: PolicyId,
  setup: readonly TraceOp[] = [],
  maxLive = Infinity,
): Trace {
  // A private working state stepped in place: pure steps would copy the
  // ever-growing graves table at every free.
  let state = thaw(emptyState(kernel, policy));
  const ops: TraceOp[] = [];
  let counter = 0;
  const c: Ctx = {
    get state() {
      return state;
    },
    fresh: (prefix) => `${prefix}${counter++}`,
    pick: (list, n) => (list.length ? list[n % list.length] : undefined),
  };
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
    const list = Array.isArray(made) ? made : [made];
    if (!forced && list.some((op) => LIMITED[op.fn]?.(state, maxLive))) continue;
    list.forEach(push);
  }
  return { ops };
}
