// SPDX-License-Identifier: GPL-2.0-only
/**
 * The fast replay path (in-place steps, one pass handing each step to a
 * visitor, no step records for a judgement) against the pure path (each
 * step copies what it writes, a Checker fed step by step), on random
 * traces: the same states, errors and findings at every step.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Checker, type Finding } from "../check/checker";
import { emptyState } from "../model/tx";
import { POLICIES, type KernelId, type PolicyId, type State } from "../model/types";
import type { EngineError } from "../model/events";
import { parseTrace } from "../trace/parse";
import type { Trace } from "../trace/ast";
import { fuzzCase, seeded } from "../testdata/fuzz";
import { GUIDED_SETUP, guidedTrace } from "../testdata/guided";
import { applyOp } from "./apply";
import { judgeTrace, replayPass, runTrace } from "./replay";
import { stateView } from "./view";

interface PureStep {
  readonly state: State;
  readonly error: EngineError | undefined;
  readonly findings: readonly Finding[];
}

/** The reference: pure steps, a Checker that scans the state for every count. */
function purePath(trace: Trace, policy: PolicyId, kernel: KernelId): { steps: PureStep[]; findings: readonly Finding[] } {
  const checker = new Checker(policy);
  let state = emptyState(kernel, policy);
  const steps: PureStep[] = [];
  for (const op of trace.ops) {
    const out = applyOp(state, op, "pure");
    state = out.state;
    steps.push({ state, error: out.error, findings: checker.afterStep(state, out.events, out.error, out.touchedPages) });
  }
  const missed = checker.finish(state);
  if (missed.length) steps[steps.length - 1] = { ...steps[steps.length - 1], findings: [...steps[steps.length - 1].findings, ...missed] };
  return { steps, findings: checker.all() };
}

const GUIDED_PREFIX = parseTrace(GUIDED_SETUP).trace.ops;
const settingsArb = fc.record({ policy: fc.constantFrom<PolicyId>(...POLICIES), kernel: fc.constantFrom<KernelId>("6.1", "2.6.32") });
/** Draws spread over the whole range (fast-check's naturals favour small ones: few makers). */
const guidedArb = fc.tuple(settingsArb, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 20, max: 400 })).map(([opts, seed, n]) => {
  const rand = seeded(seed);
  const u32 = () => Math.floor(rand() * 2 ** 32);
  const draws = Array.from({ length: n }, () => [u32(), u32(), u32(), u32(), u32()] as const);
  return { opts, trace: { ops: guidedTrace(draws, opts.kernel, opts.policy, GUIDED_PREFIX, 12).ops } as Trace };
});
/** Hostile fuzz traces (core/testdata/fuzz.ts): error paths, bad names, extreme numbers. */
const fuzzArb = fc.integer({ min: 1, max: 2 ** 31 - 1 }).map((seed) => {
  const c = fuzzCase(seeded(seed), { maxOps: 60 });
  return { opts: c.options, trace: c.trace };
});
const traceArb = fc.oneof({ arbitrary: guidedArb, weight: 2 }, { arbitrary: fuzzArb, weight: 1 });

describe("fast replay path = pure path", () => {
  it("runTrace and judgeTrace give the pure path's states, errors and findings at every step", () => {
    fc.assert(
      fc.property(traceArb, ({ trace, opts }) => {
        const pure = purePath(trace, opts.policy, opts.kernel);
        const run = runTrace(trace, opts);
        expect(run.findings).toEqual(pure.findings);
        run.steps.forEach((s, i) => {
          expect(s.error, `step ${i + 1}`).toEqual(pure.steps[i].error);
          expect(s.findings, `step ${i + 1}`).toEqual(pure.steps[i].findings);
        });
        for (const k of [1, trace.ops.length >> 1, trace.ops.length]) {
          if (k < 1 || k > trace.ops.length) continue;
          expect(stateView(run.snapshotAt(k)), `snapshotAt(${k})`).toEqual(stateView(pure.steps[k - 1].state));
        }
        // around(k): steps k - 1 and k and step k's events, from one replay.
        for (const k of [1, trace.ops.length]) {
          if (k < 1 || k > trace.ops.length) continue;
          let before: unknown = null;
          const at = run.around(k, (b) => (before = stateView(b)));
          expect(before, `around(${k}) before`).toEqual(stateView(k > 1 ? pure.steps[k - 2].state : emptyState(opts.kernel, opts.policy)));
          expect(stateView(at.state), `around(${k})`).toEqual(stateView(pure.steps[k - 1].state));
          expect(at.events, `around(${k}) events`).toEqual(run.steps[k - 1].events);
        }
        const judged = judgeTrace(trace, opts);
        expect(judged.findings).toEqual(pure.findings);
        expect(judged.verdict).toBe(run.verdict);
        expect(judged.errors).toEqual(pure.steps.flatMap((s, i) => (s.error ? [{ step: i + 1, message: s.error.message }] : [])));
      }),
      { numRuns: 40 },
    );
  });

  it("a pass hands every step to its visitor once, in order, with the run's findings", () => {
    const trace = guidedTrace(
      Array.from({ length: 200 }, (_, i) => [i * 7919, i * 104729, i * 31, i * 17, i] as const),
      "6.1",
      "msg-zerocopy",
      GUIDED_PREFIX,
      12,
    );
    const seen: number[] = [];
    const found: Finding[] = [];
    const pass = replayPass(trace, { policy: "msg-zerocopy", kernel: "6.1" }, (s) => {
      seen.push(s.index);
      found.push(...s.findings);
    });
    expect(seen).toEqual(trace.ops.map((_, i) => i));
    expect([...found, ...pass.missed]).toEqual(runTrace(trace, { policy: "msg-zerocopy", kernel: "6.1" }).findings);
  });
});
