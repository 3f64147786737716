// SPDX-License-Identifier: GPL-2.0-only
/**
 * fast-check arbitraries for the sharing tests: whole traces, canonical
 * (as the parser gives them back from their printed form), with titles,
 * headers and comments in any Unicode, and views of them. Test support
 * only; the app never imports this.
 */
import fc from "fast-check";
import {
  KERNELS,
  OPS,
  POLICIES,
  hasErrors,
  parseTrace,
  printTrace,
  stripPositions,
  type Arg,
  type OpSpec,
  type ParamKind,
  type Trace,
  type TraceOp,
} from "../../core/index";
import type { LinkView } from "../../core/permalink";

export const NAMES = ["a", "b", "c", "g", "p", "q", "s", "n", "segs", "skb_1", "x9", "_t", "a_rather_long_name"];
const nameArb = fc.constantFrom(...NAMES);

const intArb = fc.oneof(fc.constantFrom(0, 4096, 1448, 256, 1000, 2048, 64, 1500), fc.nat(5000), fc.integer({ min: -0xffffffff, max: 0xffffffff }));

/** Comment and title text: any characters but a line break. */
export const textArb = (unit: "grapheme" | "grapheme-ascii" | "binary" = "grapheme", maxLength = 30) =>
  fc.string({ unit, maxLength }).map((s) => s.replace(/[\r\n]/g, " "));

function argArb(kind: ParamKind): fc.Arbitrary<Arg> {
  switch (kind) {
    case "int":
      return intArb.map((value) => ({ kind: "int", value }));
    case "owner":
      return fc.constantFrom("guest", "host").map((value) => ({ kind: "kw", value }));
    case "bool":
      return fc.constantFrom("true", "false").map((value) => ({ kind: "kw", value }));
    case "skb":
      return fc
        .tuple(nameArb, fc.option(fc.nat(0xffffffff), { freq: 4, nil: undefined }))
        .map(([name, index]) => (index === undefined ? { kind: "ref", name } : { kind: "ref", name, index }));
    default:
      return nameArb.map((name) => ({ kind: "ref", name }));
  }
}

function opOf(spec: OpSpec, text: fc.Arbitrary<string>): fc.Arbitrary<TraceOp> {
  const min = spec.params.length - (spec.optional ?? 0);
  return fc.integer({ min, max: spec.params.length }).chain((n) =>
    fc
      .record({
        args: fc.tuple(...spec.params.slice(0, n).map(argArb)),
        result: nameArb,
        leading: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        comment: fc.option(text, { nil: undefined, freq: 4 }),
      })
      .map(({ args, result, leading, comment }) => {
        const returns = spec.result !== null && !(spec.resultUnlessOptional && n > min);
        return {
          fn: spec.fn,
          ...(returns ? { result } : {}),
          args,
          ...(comment !== undefined ? { comment } : {}),
          ...(leading?.length ? { leading } : {}),
        };
      }),
  );
}

/** The parser's reading of the printed trace: what a trace means. */
export function canonical(t: Trace): Trace {
  return stripPositions(parseTrace(printTrace(t)).trace);
}

export interface TraceArbOptions {
  readonly maxOps?: number;
  /** Comment characters: any Unicode (default), ASCII only, or raw UTF-16. */
  readonly unit?: "grapheme" | "grapheme-ascii" | "binary";
  readonly comments?: boolean;
}

export function traceArb(options: TraceArbOptions = {}): fc.Arbitrary<Trace> {
  const text = textArb(options.unit ?? "grapheme");
  const none = fc.constant(undefined);
  const ops = [...OPS.values()].map((spec) => opOf(spec, options.comments === false ? (none as never) : text));
  return fc
    .record({
      title: fc.option(text, { nil: undefined }),
      policy: fc.option(fc.constantFrom(...POLICIES), { nil: undefined }),
      kernel: fc.option(fc.constantFrom(...KERNELS), { nil: undefined }),
      ops: fc.array(fc.oneof(...ops), { maxLength: options.maxOps ?? 25 }),
      trailing: options.comments === false ? none : fc.option(fc.array(text, { maxLength: 2 }), { nil: undefined }),
    })
    .map((t) => {
      const clean = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as unknown as Trace;
      const c = canonical(clean);
      // Printed as a trace when fast-check reports a counterexample.
      return Object.defineProperty(c, fc.toStringMethod, { value: () => printTrace(c), enumerable: false });
    })
    .filter((t) => !hasErrors(parseTrace(printTrace(t))));
}

/** A view of an arbitrary trace: any policy, kernel, step and selection. */
export function viewArb(options: TraceArbOptions = {}): fc.Arbitrary<LinkView> {
  return traceArb(options).chain((trace) =>
    fc.record({
      trace: fc.constant(trace),
      policy: fc.constantFrom(...POLICIES),
      kernel: fc.constantFrom(...KERNELS),
      step: fc.integer({ min: 0, max: trace.ops.length }),
      selection: fc.oneof(fc.constant(null), nameArb, fc.constantFrom("h1", "h12", "z1", "u2", "h1.frags[0]", "q.bufs[3]", "segs[2]", "k7", "q.pfrag")),
    }),
  );
}
