/**
 * One search step: apply an operation to a state (pure) and judge it as the
 * checker would judge it at the end of the path that led there.
 *
 * The Checker is stateful per path and has no way to copy it, so the search
 * keeps what the checker remembers of a path, the PathSummary, and builds a
 * throwaway Checker for each step from it:
 *  - buffers already completed: fed to the fresh Checker as completion
 *    events without holders (which record the completion and report
 *    nothing), on the state before the step;
 *  - buffers already reported premature (a read after completion is
 *    reported once per buffer; the owner's reuse every time) or late, and
 *    the last conservation mismatch reported per page: the fresh Checker
 *    reports those again, and they are dropped here, as the path's Checker
 *    would not report them.
 * The rest of the Checker's memory only shapes messages (since when a
 * buffer was idle), never whether a finding is raised. Counterexamples are
 * replayed through runTrace and a real Checker before they are reported
 * (search.ts), and a test walks random paths both ways.
 *
 * "missed" needs the end of a trace: each step also asks its throwaway
 * Checker finish(), i.e. judges the path as if the trace ended there.
 */
import { Checker, type Finding, type FindingKind } from "../check/checker";
import { applyOp } from "../engine/apply";
import type { EngineError, EngineEvent } from "../model/events";
import { holdersOf } from "../model/lookup";
import type { BufferId, PageId, PolicyId, State } from "../model/types";
import type { TraceOp } from "../trace/ast";

/** What the path's Checker remembers that decides later findings. */
export interface PathSummary {
  /** Buffers the owner has been told about (sorted). */
  readonly completed: readonly BufferId[];
  /** Buffers already reported premature (a later read is not reported). */
  readonly premature: readonly BufferId[];
  /** Buffers already reported late. */
  readonly late: readonly BufferId[];
  /** page -> the refcount/holders mismatch last reported for it. */
  readonly badCons: ReadonlyMap<string, string>;
}

export const EMPTY_SUMMARY: PathSummary = { completed: [], premature: [], late: [], badCons: new Map() };

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

const NOTHING: ReadonlySet<string> = new Set();

function conservationSig(state: State, page: string): string | null {
  const p = state.pages.get(page as PageId);
  if (!p) return null;
  const holders = holdersOf(state, p.name);
  return holders.length === p.refcount ? "" : `${p.refcount}/${holders.join(",")}`;
}

function union(list: readonly BufferId[], more: Iterable<BufferId>): readonly BufferId[] {
  const set = new Set(list);
  let grew = false;
  for (const x of more) {
    if (!set.has(x)) {
      set.add(x);
      grew = true;
    }
  }
  return grew ? [...set].sort() : list;
}

/** A Checker that remembers what the path's Checker remembers (see above). */
function checkerFor(policy: PolicyId, before: State, summary: PathSummary): Checker {
  const checker = new Checker(policy);
  if (summary.completed.length) {
    const primed: EngineEvent[] = summary.completed.map((buffer) => ({ kind: "completion", buffer, via: "an earlier step", success: true, holders: [] }));
    checker.afterStep(before, primed, undefined, NOTHING);
  }
  return checker;
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
): StepJudgement {
  const checker = checkerFor(policy, before, summary);
  const raw = checker.afterStep(state, events, undefined, touched);
  const premature = new Set(summary.premature);
  const late = new Set(summary.late);
  // The Checker reports a read after completion once per buffer, and the
  // owner's reuse of a page every time: a step is one or the other.
  const reuse = events.some((ev) => ev.kind === "owner_reuse");
  const findings = raw.filter((f) => {
    if (f.kind === "late" && f.buffer && late.has(f.buffer)) return false;
    if (f.kind === "premature" && f.buffer && premature.has(f.buffer) && !reuse) return false;
    if (f.kind === "conservation" && summary.badCons.get(f.objects[0]) === conservationSig(state, f.objects[0])) return false;
    return true;
  });
  const missed = checker.finish(state);

  const completions: BufferId[] = [];
  for (const ev of events) if (ev.kind === "completion") completions.push(ev.buffer);
  let badCons = summary.badCons;
  for (const page of touched) {
    const sig = conservationSig(state, page);
    if (sig === null || (sig === "" && !badCons.has(page)) || (sig !== "" && badCons.get(page) === sig)) continue;
    const next = new Map(badCons);
    if (sig === "") next.delete(page);
    else next.set(page, sig);
    badCons = next;
  }
  const next: PathSummary = {
    completed: union(summary.completed, completions),
    premature: reuse ? summary.premature : union(summary.premature, raw.filter((f) => f.kind === "premature" && f.buffer).map((f) => f.buffer!)),
    late: union(summary.late, raw.filter((f) => f.kind === "late" && f.buffer).map((f) => f.buffer!)),
    badCons,
  };
  const same =
    next.completed === summary.completed && next.premature === summary.premature && next.late === summary.late && badCons === summary.badCons;
  return { state, events, findings, missed, summary: same ? summary : next };
}

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
