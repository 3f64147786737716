/**
 * Model-guided random traces for property tests and benchmarks: each
 * operation's arguments are picked among the objects alive at that point,
 * so most steps succeed (a few deliberately name dead or unknown objects).
 * A trace is a pure function of a list of random numbers, so fast-check
 * can shrink it.
 */
import { applyOp } from "../engine/apply";
import { emptyState } from "../model/tx";
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
  ...["skb_get", "kfree_skb", "consume_skb", "skb_linearize", "skb_orphan", "zerocopy_arm", "__skb_header_release"].map(
    (fn): [number, Maker] => [fn === "kfree_skb" || fn === "zerocopy_arm" ? 3 : 1, (c, d) => (skbArg(c, d[1]) ? { fn, args: [skbArg(c, d[1])!] } : null)],
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
  [1, (c, d) => (skbArg(c, d[1]) && c.state.kernel === "6.1" ? { fn: "kfree_skb_partial", args: [skbArg(c, d[1])!, { kind: "kw", value: d[2] % 2 ? "true" : "false" }] } : null)],
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
    const socks = [...c.state.socks.values()].filter((s) => s.queue.length);
    const k = c.pick(socks, d[1]);
    return k ? { fn: "sk_eat_skb", args: [ref(k.name), ref(c.pick(k.queue, d[2])!)] } : null;
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

/** Build a trace from draws; `setup` ops run first. */
export function guidedTrace(draws: readonly Draw[], kernel: KernelId, policy: PolicyId, setup: readonly TraceOp[] = []): Trace {
  let state = emptyState(kernel, policy);
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
    state = applyOp(state, op, "pure").state;
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
    const made = maker(c, d);
    if (made) (Array.isArray(made) ? made : [made]).forEach(push);
  }
  return { ops };
}
