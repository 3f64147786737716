// SPDX-License-Identifier: GPL-2.0-only
/**
 * The hostile fuzzer (issue 16.7): seeded random traces over every
 * operation in the registry, arguments picked among the names defined so
 * far (sometimes the wrong kind, sometimes freed), numbers from the edges
 * of each argument's C type. A trace is judged by `fuzzProblems`: what a
 * replay must never do whatever the trace holds.
 *
 * Pure and seeded (core's rules): the unit test and `npm run fuzz` share it;
 * only they read a clock.
 */
import { applyOp } from "../engine/apply";
import { runTrace } from "../engine/replay";
import { headlen, holderCount } from "../model/lookup";
import { emptyState } from "../model/tx";
import { stateView } from "../engine/view";
import { KMALLOC_MAX_SIZE, PAGE_SIZE } from "../model/kernel";
import { KERNELS, POLICIES, type KernelId, type PolicyId } from "../model/types";
import { OPS, type OpSpec, type ParamKind, type ResultKind } from "../ops";
import type { Arg, Trace, TraceOp } from "../trace/ast";
import { cTypeRange, paramCType } from "../trace/ctypes";

/** mulberry32: a small seeded generator, the same everywhere. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers a hostile sender would try: type edges, kmalloc's edges, page edges. */
const HOSTILE = [
  0,
  1,
  2,
  63,
  64,
  100,
  128,
  255,
  256,
  1000,
  1448,
  1500,
  2048,
  PAGE_SIZE - 1,
  PAGE_SIZE,
  PAGE_SIZE + 1,
  8192,
  32768,
  65535,
  65536,
  KMALLOC_MAX_SIZE - 1,
  KMALLOC_MAX_SIZE,
  KMALLOC_MAX_SIZE + 1,
  2 ** 30,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  -1,
  -2,
  -64,
  -4096,
  -(2 ** 31),
];
/** Plausible numbers, so traces get somewhere before they get hostile. */
const PLAUSIBLE = [0, 1, 10, 32, 50, 64, 100, 256, 500, 1000, 1448, 2000, 4096];

export interface FuzzOptions {
  /** Operations per trace, at most. */
  readonly maxOps?: number;
  /** Share of numbers drawn from HOSTILE (the rest plausible). */
  readonly hostile?: number;
}

export interface FuzzCase {
  readonly trace: Trace;
  readonly options: { readonly policy: PolicyId; readonly kernel: KernelId };
}

/** One random trace and its settings, a pure function of `rand`. */
export function fuzzCase(rand: () => number, options: FuzzOptions = {}): FuzzCase {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const kernel = pick(KERNELS) as KernelId;
  const policy = pick(POLICIES) as PolicyId;
  const maxOps = options.maxOps ?? 40;
  const hostile = options.hostile ?? 0.25;
  const specs = [...OPS.values()].filter((s) => !s.kernels || s.kernels.includes(kernel));
  const names = new Map<ResultKind, string[]>();
  // The state so far: numbers near the first skb argument's own sizes get
  // past the first checks and reach the arithmetic.
  let state = emptyState(kernel, policy);
  let fresh = 0;
  const ops: TraceOp[] = [];

  const near = (args: readonly Arg[]): number[] => {
    const first = args.find((a) => a.kind === "ref");
    const skb = first?.kind === "ref" ? state.skbs.get((first.index === undefined ? first.name : `${first.name}[${first.index}]`) as never) : undefined;
    if (!skb) return [];
    const data = state.datas.get(skb.head);
    const nr = data?.frags.length ?? 0;
    return [skb.len, headlen(skb), skb.data_len, skb.data, nr, Math.floor(skb.len / 2), skb.len - 1, skb.len + 1, (data?.end ?? 0) - skb.data - headlen(skb)];
  };
  const number = (spec: OpSpec, i: number, args: readonly Arg[]): number => {
    const [lo, hi] = cTypeRange(paramCType(spec.fn, i) ?? "unsigned int");
    const close = near(args);
    const r = rand();
    const v = r < hostile ? pick(HOSTILE) : close.length && r < hostile + 0.4 ? pick(close) : pick(PLAUSIBLE);
    return Math.min(hi, Math.max(lo, v));
  };
  const nameOf = (kind: ParamKind): Arg | null => {
    if (kind === "skb" && rand() < 0.1 && names.get("list")?.length) {
      return { kind: "ref", name: pick(names.get("list")!), index: Math.floor(rand() * 4) };
    }
    // One time in ten, a defined name of another kind: a static error the
    // parser must catch (the fuzzer's traces skip the parser, so the engine
    // sees it too).
    const wanted = rand() < 0.1 ? pick(["skb", "page", "pipe", "sock", "list"] as const) : (kind as ResultKind);
    const list = names.get(wanted);
    return list?.length ? { kind: "ref", name: pick(list) } : null;
  };
  const arg = (spec: OpSpec, i: number, args: readonly Arg[]): Arg | null => {
    const kind = spec.params[i];
    switch (kind) {
      case "int":
        return { kind: "int", value: number(spec, i, args) };
      case "owner":
        return { kind: "kw", value: rand() < 0.7 ? "guest" : "host" };
      case "bool":
        return { kind: "kw", value: rand() < 0.5 ? "true" : "false" };
      default:
        return nameOf(kind);
    }
  };

  const count = 1 + Math.floor(rand() * maxOps);
  for (let tries = 0; ops.length < count && tries < count * 4; tries++) {
    // Allocations first and often, so later operations have objects.
    const spec = ops.length < 3 || rand() < 0.2 ? pick(specs.filter((s) => s.params.every((p) => p === "int" || p === "owner"))) : pick(specs);
    const nargs = spec.params.length - (spec.optional && rand() < 0.5 ? spec.optional : 0);
    const args: Arg[] = [];
    for (let i = 0; i < nargs; i++) {
      const a = arg(spec, i, args);
      if (!a) break;
      args.push(a);
    }
    if (args.length < nargs) continue;
    const returns = spec.result !== null && !(spec.resultUnlessOptional && nargs > spec.params.length - (spec.optional ?? 0));
    const op: TraceOp = { fn: spec.fn, args, ...(returns ? { result: `${spec.result![0]}${++fresh}` } : {}) };
    if (returns) names.set(spec.result!, [...(names.get(spec.result!) ?? []), op.result!]);
    ops.push(op);
    state = applyOp(state, op, "pure").state;
  }
  return { trace: { ops }, options: { policy, kernel } };
}

/** Numeric fields of a view that are negative (or not finite), with where. */
export function negativeFields(value: unknown): string[] {
  const out: string[] = [];
  negatives(value, "", out);
  return out;
}

function negatives(value: unknown, path: string, out: string[]): void {
  if (typeof value === "number") {
    if (value < 0 || !Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => negatives(v, `${path}[${i}]`, out));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) negatives(v, path ? `${path}.${k}` : k, out);
  }
}

/** What one replay produced, as JSON text (for the determinism check). */
function replayJson(c: FuzzCase): { json: string; problems: string[] } {
  const problems: string[] = [];
  const run = runTrace(c.trace, c.options);
  const views: unknown[] = [];
  const counted: Map<string, number>[] = [];
  run.eachState((step, state) => {
    const v = stateView(state);
    const neg = negativeFields({ skbs: v.skbs, datas: v.datas, pages: v.pages, pipes: v.pipes, ubufs: v.ubufs });
    if (neg.length) problems.push(`step ${step} (${c.trace.ops[step - 1].fn}): negative field ${neg.slice(0, 3).join(", ")}`);
    // SKBFL_SHARED_FRAG (core/model/README.md): skb_zcopy_init sets it with
    // every ubuf (6.1); 2.6.32 has no such flag.
    for (const d of v.datas) {
      if (v.kernel === "2.6.32" && d.shared_frag) problems.push(`step ${step}: Data ${d.head} has SKBFL_SHARED_FRAG on 2.6.32`);
      if (d.ubuf && !d.shared_frag) problems.push(`step ${step}: Data ${d.head} is zero-copy (${d.ubuf}) without SKBFL_SHARED_FRAG`);
    }
    views.push(v);
    // The holders that account for a reference (managed frags map a page without one).
    counted.push(new Map([...state.pages.keys()].map((p) => [p, holderCount(state, p)])));
  });
  for (const s of run.steps) {
    if (s.error?.kind === "internal") problems.push(`step ${s.step}: internal error: ${s.error.message}`);
    // Only an in-place writer writes a page's bytes where they lie.
    if (s.findings.some((f) => f.kind === "shared-write") && c.trace.ops[s.step - 1].fn !== "esp_input") {
      problems.push(`step ${s.step}: a shared-write finding from ${c.trace.ops[s.step - 1].fn}, which writes no page in place`);
    }
  }
  // Conservation: wherever a page's count and its holders disagree (a trace
  // may break it: a frag attached without the caller's reference), the
  // checker must have said so for that page by then.
  const reported = run.findings.filter((f) => f.kind === "conservation" || f.kind === "refcount-underflow");
  views.forEach((v, i) => {
    for (const page of (v as ReturnType<typeof stateView>).pages) {
      const holders = counted[i].get(page.name) ?? page.holders.length;
      if (page.freed || page.refcount === holders) continue;
      if (!reported.some((f) => f.step <= i + 1 && f.objects.includes(page.name))) {
        problems.push(`step ${i + 1}: page ${page.name} has refcount ${page.refcount} and ${holders} holders, and no finding says so`);
      }
    }
  });
  const json = JSON.stringify({ steps: run.steps.map((s) => ({ step: s.step, error: s.error ?? null, findings: s.findings })), verdict: run.verdict, views });
  return { json, problems };
}

/**
 * Everything wrong with replaying `c`: a throw, an internal (engine bug)
 * error, a negative length/headroom/count in any step, a conservation
 * break, or two replays that differ. Empty when all is well.
 */
export function fuzzProblems(c: FuzzCase): string[] {
  try {
    const one = replayJson(c);
    const two = replayJson(c);
    if (one.json !== two.json) one.problems.push("two replays of the same trace differ");
    return one.problems;
  } catch (e) {
    return [`the replay threw: ${e instanceof Error ? e.message : String(e)}`];
  }
}

/**
 * A smaller trace with the same first problem: drop operations one at a
 * time while `keep` still holds (delta debugging, single-op steps).
 */
export function minimise(c: FuzzCase, keep: (c: FuzzCase) => boolean): FuzzCase {
  let ops = [...c.trace.ops];
  for (let i = ops.length - 1; i >= 0; i--) {
    const fewer = [...ops.slice(0, i), ...ops.slice(i + 1)];
    const candidate = { ...c, trace: { ...c.trace, ops: fewer } };
    if (keep(candidate)) ops = fewer;
  }
  return { ...c, trace: { ...c.trace, ops } };
}
