// SPDX-License-Identifier: GPL-2.0-only
/**
 * One search step: apply an operation to a state (pure) and judge it as the
 * checker would judge it at the end of the path that led there.
 *
 * The path's Checker memory travels with each search node as data
 * (Checker.save(), a CheckerMemory): a step restores a Checker from it,
 * lets it judge the step, and saves it again. Counterexamples are replayed
 * through runTrace and a real Checker before they are reported
 * (search.ts), and a test walks random paths both ways.
 *
 * "missed" needs the end of a trace: each step also asks its Checker
 * finish(), i.e. judges the path as if the trace ended there (finish()
 * adds findings, never memory).
 */
import { Checker, EMPTY_MEMORY, type CheckerMemory, type Finding, type FindingKind } from "../check/checker";
import { applyOp } from "../engine/apply";
import type { EngineError, EngineEvent } from "../model/events";
import { undoWrites, type AccessLog } from "../model/tx";
import type { PolicyId, State } from "../model/types";
import type { TraceOp } from "../trace/ast";

/** What the path's Checker remembers that decides later findings. */
export type PathSummary = CheckerMemory;

export const EMPTY_SUMMARY: PathSummary = EMPTY_MEMORY;

export interface StepJudgement {
  readonly state: State;
  readonly error?: EngineError;
  readonly events: readonly EngineEvent[];
  /** Findings the path's Checker would raise at this step. */
  readonly findings: readonly Finding[];
  /** "missed" findings if the trace ended after this step. */
  readonly missed: readonly Finding[];
  readonly summary: PathSummary;
}

/** Apply `op` and judge it. A step with an error is returned as is (pruned). */
export function judgeStep(policy: PolicyId, before: State, summary: PathSummary, op: TraceOp): StepJudgement {
  const out = applyOp(before, op, "pure");
  if (out.error) return { state: out.state, error: out.error, events: out.events, findings: [], missed: [], summary };
  return judgeOutcome(policy, before, summary, out.state, out.events, out.touchedPages);
}

export function judgeOutcome(
  policy: PolicyId,
  before: State,
  summary: PathSummary,
  state: State,
  events: readonly EngineEvent[],
  touched: ReadonlySet<string>,
  judgeMissed = true,
): StepJudgement {
  const checker = Checker.restore(policy, summary, before.step);
  const findings = checker.afterStep(state, events, undefined, touched);
  // finish() adds findings, never memory: skipped where no "missed" can count.
  const missed = judgeMissed ? checker.finish(state) : NO_FINDINGS;
  return { state, events, findings, missed, summary: checker.save() };
}

const NO_FINDINGS: readonly Finding[] = [];

/**
 * Where "missed" is judged. "quiescent" (the default): only where the trace
 * can end, with every skb freed and every pipe closed; an skb still alive
 * may yet complete the buffer when it is freed (6.1 ___pskb_trim() drops
 * every frag but keeps the ubuf until skb_release_data()). "any": after
 * every step, as if the trace ended there whatever is still alive.
 */
export type MissedAt = "quiescent" | "any";

export function quiescent(state: State): boolean {
  return state.skbs.size === 0 && state.pipes.size === 0;
}

/** The kinds a step reveals, "missed" included when the path may end here. */
export function kindsOf(j: StepJudgement, missedAt: MissedAt = "quiescent"): FindingKind[] {
  const kinds = new Set<FindingKind>();
  for (const f of j.findings) kinds.add(f.kind);
  if (j.missed.length && (missedAt === "any" || quiescent(j.state))) kinds.add("missed");
  return [...kinds];
}

export interface StepsJudgement {
  readonly state: State;
  readonly summary: PathSummary;
  readonly kinds: readonly FindingKind[];
  readonly error?: EngineError;
  /** The operation that failed. */
  readonly failed?: TraceOp;
}

/** Judge a search step (one or more operations); "missed" after the last. */
export function judgeSteps(policy: PolicyId, before: State, summary: PathSummary, ops: readonly TraceOp[], missedAt: MissedAt): StepsJudgement {
  let state = before;
  let sum = summary;
  const kinds = new Set<FindingKind>();
  for (let i = 0; i < ops.length; i++) {
    const j = judgeStep(policy, state, sum, ops[i]);
    if (j.error) return { state: before, summary, kinds: [], error: j.error, failed: ops[i] };
    for (const k of kindsOf(j, missedAt)) if (k !== "missed" || i === ops.length - 1) kinds.add(k);
    state = j.state;
    sum = j.summary;
  }
  return { state, summary: sum, kinds: [...kinds] };
}

export interface InPlaceJudgement extends StepsJudgement {
  /** Undo log of the whole step (undoWrites(state, undo) goes back). */
  readonly undo: readonly unknown[];
}

const NO_UNDO: readonly unknown[] = [];
const KEEP_UNDO = { keepUndo: true } as const;

/**
 * judgeSteps on tables written in place: the step's writes go into
 * `before`'s own maps and are returned as an undo log, so the search can
 * walk forward and back without copying a table per branch. A failed step
 * leaves the tables as they were.
 */
export function judgeStepsInPlace(
  policy: PolicyId,
  before: State,
  summary: PathSummary,
  ops: readonly TraceOp[],
  missedAt: MissedAt,
  access: AccessLog | null = null,
): InPlaceJudgement {
  let state = before;
  let sum = summary;
  const kinds: FindingKind[] = [];
  let undo: unknown[] | null = null;
  let last: readonly unknown[] = NO_UNDO;
  for (let i = 0; i < ops.length; i++) {
    const out = applyOp(state, ops[i], "inplace", access ? { keepUndo: true, access } : KEEP_UNDO);
    if (out.error) {
      if (undo) undoWrites(before, undo);
      else if (i > 0) undoWrites(before, last);
      return { state: before, summary, kinds: [], error: out.error, failed: ops[i], undo: NO_UNDO };
    }
    const log = out.undo ?? NO_UNDO;
    if (i === 0) last = log;
    else {
      undo ??= [...last];
      for (const x of log) undo.push(x);
    }
    // "missed" counts after the last operation only, and (by default) only where the trace can end.
    const judgeMissed = i === ops.length - 1 && (missedAt === "any" || quiescent(out.state));
    const j = judgeOutcome(policy, state, sum, out.state, out.events, out.touchedPages, judgeMissed);
    // Most steps find nothing: no Set or array for them (kindsOf).
    if (j.findings.length > 0 || j.missed.length > 0)
      for (const k of kindsOf(j, missedAt)) if ((k !== "missed" || i === ops.length - 1) && !kinds.includes(k)) kinds.push(k);
    state = j.state;
    sum = j.summary;
  }
  return { state, summary: sum, kinds, undo: undo ?? last };
}
