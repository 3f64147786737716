/**
 * Properties over random traces (fast-check): the engine never throws and
 * never hits an engine bug, page references are conserved, replay is
 * deterministic, checkpoints give what a plain replay gives, pure steps do
 * not touch their input, and print/parse round-trips.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OPS } from "../ops";
import { emptyState } from "../model/tx";
import type { KernelId, PolicyId, State } from "../model/types";
import { POLICIES } from "../model/types";
import { stripPositions, type Arg, type Trace, type TraceOp } from "../trace/ast";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { applyOp } from "./apply";
import { runTrace } from "./replay";
import { stateView } from "./view";
import { GUIDED_SETUP, guidedTrace } from "../testdata/guided";

const SKBS = ["a", "b", "c", "d", "e"];
const PAGES = ["g", "p", "h"];
const PIPES = ["q", "r"];
const SOCKS = ["s", "t"];
const SIZES = [0, 1, 64, 100, 500, 1000, 2000, 4096];

const ref = (names: string[]) => fc.constantFrom(...names).map((name): Arg => ({ kind: "ref", name }));
const int = fc.constantFrom(...SIZES).map((value): Arg => ({ kind: "int", value }));

/** One random operation with plausible arguments (some will fail: fine). */
const opArb = fc.oneof(
  fc.record({ r: fc.constantFrom(...PAGES), owner: fc.constantFrom("guest", "host") }).map(({ r, owner }) => [
    { fn: "alloc_page", result: r, args: [{ kind: "kw", value: owner as "guest" }] },
  ]),
  fc.record({ r: fc.constantFrom(...SKBS), n: int }).map(({ r, n }) => [{ fn: "alloc_skb", result: r, args: [n] }]),
  fc.record({ r: fc.constantFrom(...SKBS), n: int }).map(({ r, n }) => [{ fn: "napi_alloc_skb", result: r, args: [n] }]),
  // A frag is always attached with a reference of the caller's own.
  fc.record({ s: ref(SKBS), i: fc.nat(2), p: ref(PAGES), off: fc.constantFrom(0, 100, 2000), size: fc.constantFrom(1, 96, 1000, 2000) }).map(({ s, i, p, off, size }) => [
    { fn: "get_page", args: [p] },
    { fn: "skb_fill_page_desc", args: [s, { kind: "int", value: i }, p, { kind: "int", value: off }, { kind: "int", value: size }] },
  ]),
  ...[
    "skb_get",
    "kfree_skb",
    "consume_skb",
    "__skb_header_release",
    "skb_linearize",
    "skb_orphan",
    "zerocopy_arm",
    "skb_orphan_frags",
    "skb_orphan_frags_rx",
    "skb_copy_ubufs",
    "skb_tx_error",
  ].map((fn) => ref(SKBS).map((s): TraceOp[] => [{ fn, args: [s] }])),
  ...["skb_clone", "skb_copy", "pskb_copy"].map((fn) =>
    fc.record({ r: fc.constantFrom(...SKBS), s: ref(SKBS) }).map(({ r, s }): TraceOp[] => [{ fn, result: r, args: [s] }]),
  ),
  fc.record({ s: ref(SKBS), h: fc.constantFrom(0, 32), t: fc.constantFrom(0, 64, 5000) }).map(({ s, h, t }) => [
    { fn: "pskb_expand_head", args: [s, { kind: "int", value: h }, { kind: "int", value: t }] },
  ]),
  fc.record({ r: fc.constantFrom(...SKBS), s: ref(SKBS), n: int }).map(({ r, s, n }) => [{ fn: "skb_split", result: r, args: [s, n] }]),
  ...["__pskb_pull_tail", "pskb_may_pull", "pskb_trim", "skb_put", "skb_reserve", "skb_push", "skb_pull"].map((fn) =>
    fc.record({ s: ref(SKBS), n: int }).map(({ s, n }): TraceOp[] => [{ fn, args: [s, n] }]),
  ),
  fc.record({ t: ref(SKBS), f: ref(SKBS) }).map(({ t, f }) => [{ fn: "skb_try_coalesce", args: [t, f] }]),
  fc.record({ t: ref(SKBS), f: ref(SKBS) }).map(({ t, f }) => [{ fn: "skb_gro_receive", args: [t, f] }]),
  fc.record({ f: ref(SKBS), b: fc.boolean() }).map(({ f, b }) => [{ fn: "kfree_skb_partial", args: [f, { kind: "kw", value: b ? "true" : "false" } as Arg] }]),
  fc.record({ t: ref(SKBS), f: ref(SKBS), n: int }).map(({ t, f, n }) => [{ fn: "skb_shift", args: [t, f, n] }]),
  fc.record({ t: ref(SKBS), f: ref(SKBS), n: int, h: fc.constantFrom(0, 64) }).map(({ t, f, n, h }) => [
    { fn: "skb_zerocopy", args: [t, f, n, { kind: "int", value: h }] },
  ]),
  fc.record({ s: ref(SKBS), mss: fc.constantFrom(500, 1448, 4096) }).map(({ s, mss }) => [
    { fn: "skb_segment", result: `l${s.kind === "ref" ? s.name : ""}`, args: [s, { kind: "int", value: mss }] },
  ]),
  fc.record({ r: fc.constantFrom(...PIPES), s: ref(SKBS), o: fc.constantFrom(0, 50), n: int }).map(({ r, s, o, n }) => [
    { fn: "skb_splice_bits", result: r, args: [s, { kind: "int", value: o }, n] },
  ]),
  ref(PIPES).map((q) => [{ fn: "pipe_release", args: [q] }]),
  fc.constantFrom(...SOCKS).map((r) => [{ fn: "sock_create", result: r, args: [] }]),
  fc.record({ k: ref(SOCKS), s: ref(SKBS) }).map(({ k, s }) => [{ fn: "sock_queue_rcv_skb", args: [k, s] }]),
  fc.record({ k: ref(SOCKS), s: ref(SKBS) }).map(({ k, s }) => [{ fn: "sk_eat_skb", args: [k, s] }]),
  fc.record({ s: ref(SKBS), n: int }).map(({ s, n }) => [{ fn: "skb_copy_datagram_iter", args: [s, { kind: "int", value: 0 }, n] }]),
  ref(PAGES).map((p) => [{ fn: "owner_reuse", args: [p] }]),
  fc.constantFrom("l" + "a", "la").map((l) => [{ fn: "kfree_skb_list", args: [{ kind: "ref", name: l } as Arg] }]),
  fc.record({ s: ref(SKBS), r: fc.constantFrom(1500, 100) }).map(({ s, r }) => [{ fn: "skb_recycle_check", args: [s, { kind: "int", value: r }] }]),
) as unknown as fc.Arbitrary<TraceOp[]>;

/** A trace: a setup that makes useful objects, then random operations. */
const SETUP: readonly TraceOp[] = parseTrace(
  "g = alloc_page(guest)\np = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = alloc_skb(100)\nskb_put(b, 50)\nskb_fill_page_desc(b, 0, p, 0, 1000)\nzerocopy_arm(a)\ns = sock_create()",
).trace.ops;

/** Blind traces: names picked at random, many steps fail (error paths). */
const blindArb = fc
  .array(opArb, { maxLength: 30 })
  .map((chunks): Trace => ({ ops: [...SETUP, ...chunks.flat()] }))
  .map((t) => Object.assign(t, { [fc.toStringMethod]: () => printTrace(t) }));

const settingsArb = fc.record({
  policy: fc.constantFrom<PolicyId>(...POLICIES),
  kernel: fc.constantFrom<KernelId>("6.1", "2.6.32"),
});

const drawArb = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat());
const GUIDED_PREFIX = parseTrace(GUIDED_SETUP).trace.ops;

/** Guided traces with their settings: arguments picked among live objects. */
const guidedArb = fc.tuple(settingsArb, fc.array(drawArb, { maxLength: 40 })).map(([opts, draws]) => {
  const trace = guidedTrace(draws, opts.kernel, opts.policy, GUIDED_PREFIX);
  return { opts, trace: Object.assign(trace, { [fc.toStringMethod]: () => printTrace(trace) }) };
});
const traceArb = fc.oneof({ arbitrary: guidedArb, weight: 3 }, { arbitrary: fc.tuple(blindArb, settingsArb).map(([trace, opts]) => ({ trace, opts })), weight: 1 });

class FrozenMap<K, V> extends Map<K, V> {
  private sealed = false;
  seal(): this {
    this.sealed = true;
    return this;
  }
  override set(k: K, v: V): this {
    if (this.sealed) throw new TypeError("mutating a frozen table");
    return super.set(k, v);
  }
  override delete(): boolean {
    throw new TypeError("mutating a frozen table");
  }
}

function deepFreeze(state: State): State {
  const out: Record<string, unknown> = { ...state };
  for (const [k, v] of Object.entries(state)) {
    if (v instanceof Map) {
      const m = new FrozenMap();
      for (const [key, rec] of v) m.set(key, Object.freeze(structuredClone(rec)));
      out[k] = m.seal();
    }
  }
  return Object.freeze(out) as unknown as State;
}

const RUNS = 300;

describe("engine properties", () => {
  it("no trace makes the engine throw or hit an engine bug; references are conserved", () => {
    fc.assert(
      fc.property(traceArb, ({ trace, opts }) => {
        const run = runTrace(trace, opts);
        const internal = run.steps.filter((s) => s.error?.kind === "internal");
        expect(internal.map((s) => s.error!.message)).toEqual([]);
        const broken = run.findings.filter((f) => f.kind === "conservation" || f.kind === "refcount-underflow");
        expect(broken.map((f) => f.message)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("replay is deterministic", () => {
    fc.assert(
      fc.property(traceArb, ({ trace, opts }) => {
        const one = runTrace(trace, opts);
        const two = runTrace(trace, opts);
        expect(two.steps).toEqual(one.steps);
        expect(stateView(two.final)).toEqual(stateView(one.final));
      }),
      { numRuns: 100 },
    );
  });

  it("snapshotAt(k) through checkpoints equals a plain replay of the first k operations", () => {
    const longTrace = fc.tuple(settingsArb, fc.array(drawArb, { minLength: 300, maxLength: 800 })).map(([opts, draws]) => ({
      opts,
      trace: guidedTrace(draws, opts.kernel, opts.policy, GUIDED_PREFIX),
    }));
    fc.assert(
      fc.property(longTrace, fc.nat(), ({ trace, opts }, k) => {
        const step = k % (trace.ops.length + 1);
        let state = emptyState(opts.kernel, opts.policy);
        for (const op of trace.ops.slice(0, step)) state = applyOp(state, op, "pure").state;
        expect(stateView(runTrace(trace, opts).snapshotAt(step))).toEqual(stateView(state));
      }),
      { numRuns: 40 },
    );
  });

  it("a pure step never mutates the state it is given", () => {
    fc.assert(
      fc.property(traceArb, ({ trace, opts }) => {
        let state = emptyState(opts.kernel, opts.policy);
        for (const op of trace.ops) {
          const frozen = deepFreeze(state);
          const before = stateView(frozen);
          const out = applyOp(frozen, op, "pure");
          expect(out.error?.kind).not.toBe("internal");
          expect(stateView(frozen)).toEqual(before);
          state = out.state;
        }
      }),
      { numRuns: 100 },
    );
  });

  const comment = fc.string({ maxLength: 20 }).filter((s) => !/[\n\r]/.test(s)).map((s) => s.trimEnd());
  const printable = traceArb.map((x) => x.trace).chain((t) =>
    fc
      .record({
        title: fc.option(fc.string({ minLength: 1, maxLength: 30 }).map((s) => s.replace(/[\r\n#]/g, "x").trim()).filter((s) => s.length > 0), { nil: undefined }),
        policy: fc.option(fc.constantFrom<PolicyId>(...POLICIES), { nil: undefined }),
        kernel: fc.option(fc.constantFrom<KernelId>("6.1", "2.6.32"), { nil: undefined }),
        comments: fc.array(fc.option(comment, { nil: undefined }), { minLength: t.ops.length, maxLength: t.ops.length }),
        leading: fc.array(fc.array(comment, { maxLength: 2 }), { minLength: t.ops.length, maxLength: t.ops.length }),
        trailing: fc.array(comment, { maxLength: 2 }),
      })
      .map(({ title, policy, kernel, comments, leading, trailing }): Trace => {
        const ops = t.ops.map((op, i) => {
          const o: Record<string, unknown> = { ...op };
          if (comments[i] !== undefined) o.comment = comments[i];
          if (leading[i].length) o.leading = leading[i];
          return o as unknown as TraceOp;
        });
        const out: Record<string, unknown> = { ops };
        if (title !== undefined) out.title = title;
        if (policy !== undefined) out.policy = policy;
        if (kernel !== undefined) out.kernel = kernel;
        if (trailing.length) out.trailing = trailing;
        return out as unknown as Trace;
      }),
  );

  it("print/parse round-trips: parse(print(t)) equals t", () => {
    fc.assert(
      fc.property(printable, (t) => {
        // Syntax only: the generated names need not be defined in order.
        const parsed = parseTrace(printTrace(t), { names: false });
        expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(stripPositions(parsed.trace)).toEqual(stripPositions(t));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the operation table", () => {
  it("every operation the parser knows is one the engine runs", () => {
    for (const spec of OPS.values()) expect(typeof spec.run).toBe("function");
  });
});
