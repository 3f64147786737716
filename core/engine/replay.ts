// SPDX-License-Identifier: GPL-2.0-only
/**
 * Replay a trace: every step's outcome and findings, and the state at any
 * step on demand.
 *
 * The replay mutates one working set of tables in place (each operation's
 * writes are undone if it fails) and keeps checkpoints; snapshotAt(n)
 * copies the nearest checkpoint and replays the operations after it.
 * Records are immutable, so checkpoints share every record with each
 * other, but each has its own maps: a checkpoint costs one entry per live
 * record. So they are spaced by size as well as by steps — at least
 * CHECKPOINT_EVERY steps apart, and at least as many steps as the state
 * has live records — which keeps all checkpoints together within about
 * twice the trace's length in entries, whatever lives in it (100,000 live
 * objects every 256 steps ran the CLI out of heap).
 */
import { Checker, unjudgedOf, verdictOf, type Finding, type Unjudged, type Verdict } from "../check/checker";
import type { EngineError, EngineEvent } from "../model/events";
import { emptyState, freezeTables, thaw, undoWrites, type PolicyProbe, type WriteLog } from "../model/tx";
import { DEFAULT_POLICY } from "../model/policies";
import type { Grave, KernelId, PolicyId, State } from "../model/types";
import type { Trace, TraceOp } from "../trace/ast";
import { sortFixIds } from "../fixes/fixed";
import { applyOp, type ApplyOptions, type ContractMode, type StepOutcome } from "./apply";

export const CHECKPOINT_EVERY = 256;
const EMPTY_EVENTS: readonly EngineEvent[] = Object.freeze([]);
const EMPTY_FINDINGS: readonly Finding[] = Object.freeze([]);
const NO_WRITES: readonly unknown[] = Object.freeze([]);

export interface RunOptions {
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  /** What a broken caller contract does (default: the trace's `# contracts:`, else "enforce"). */
  readonly contracts?: ContractMode;
  /**
   * Called before each operation is replayed (0-based index), so a caller
   * with a clock can say how far a long replay got.
   */
  readonly onStep?: (index: number) => void;
  /**
   * Catalogued fixes to revert (ids from core/fixes/catalogue.ts); replaces
   * the trace's `# without:` header when given. Callers validate the ids
   * (core/fixes/fixed.ts withoutProblem); an id no guard asks for changes
   * nothing.
   */
  readonly without?: readonly string[];
}

export interface StepRecord {
  /** 1-based step number; step n is the state after ops[n - 1]. */
  readonly step: number;
  readonly op: TraceOp;
  readonly error?: EngineError;
  /**
   * What happened in the step, in kernel order. Not kept: worked out again
   * from the nearest checkpoint when read (a long trace's events would
   * outweigh everything else the run keeps).
   */
  readonly events: readonly EngineEvent[];
  /** Whether an owner was told complete in this step. */
  readonly completion: boolean;
  readonly findings: readonly Finding[];
}

/** What the replay keeps besides its step records (for tests and the bench). */
export interface RunStats {
  readonly checkpoints: number;
  /** Map entries held by all checkpoints together. */
  readonly checkpointEntries: number;
}

/** Records in a state's tables: what one checkpoint costs. */
const liveRecords = (s: State): number =>
  s.skbs.size + s.datas.size + s.pages.size + s.pipes.size + s.socks.size + s.ubufs.size + s.buffers.size + s.fclones.size;

export interface Run {
  readonly kernel: KernelId;
  readonly policy: PolicyId;
  /** The fixes this run reverted (catalogue order). */
  readonly without: readonly string[];
  readonly ops: readonly TraceOp[];
  readonly steps: readonly StepRecord[];
  /** Every finding, the end-of-trace ones (missed) included. */
  readonly findings: readonly Finding[];
  /** Steps that could not be judged (the verdict is then at best inconclusive). */
  readonly unjudged: readonly Unjudged[];
  readonly verdict: Verdict;
  readonly final: State;
  /** The state after `step` operations (0 = before the first). */
  snapshotAt(step: number): State;
  /**
   * Step `step` (1-based) from one replay: `before` sees the state after
   * step - 1 (valid only during the call), then the step runs on it;
   * returns the state after it and the step's events. What the app's
   * scrubber shows (both states and the events) for one replay, not three.
   */
  around(step: number, before: (state: State) => void): { readonly state: State; readonly events: readonly EngineEvent[] };
  readonly stats: RunStats;
  /**
   * Visit the state after every step in order, with the step's events,
   * replaying once (for printing every step). The state is valid only
   * during the callback.
   */
  eachState(visit: (step: number, state: State, events: readonly EngineEvent[]) => void): void;
}

/** Whether a policy exists on a kernel: its row in the registry says. */
export { policyApplies } from "../model/policies";

export interface Settings {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  /** Reverted fixes, in catalogue order, without duplicates. */
  readonly without: readonly string[];
}

export function settings(trace: Trace, options: RunOptions = {}): Settings {
  return {
    policy: options.policy ?? trace.policy ?? DEFAULT_POLICY,
    kernel: options.kernel ?? trace.kernel ?? "6.1",
    without: sortFixIds(options.without ?? trace.without ?? []),
  };
}

/** Graves as they stood at a step: the master table is shared and grows. */
class GravesAt implements ReadonlyMap<string, Grave> {
  constructor(
    private readonly all: ReadonlyMap<string, Grave>,
    private readonly step: number,
  ) {}
  get(key: string): Grave | undefined {
    const g = this.all.get(key);
    return g && g.step <= this.step ? g : undefined;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  get size(): number {
    return [...this.entries()].length;
  }
  *entries(): MapIterator<[string, Grave]> {
    for (const e of this.all) if (e[1].step <= this.step) yield e;
  }
  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): MapIterator<Grave> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(cb: (value: Grave, key: string, map: ReadonlyMap<string, Grave>) => void): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }
  [Symbol.iterator](): MapIterator<[string, Grave]> {
    return this.entries();
  }
}

/**
 * What one step of a pass gives its visitor: valid only during the call
 * (the state and this record are rewritten by the next step).
 */
export interface PassStep {
  /** 0-based index of the operation. */
  readonly index: number;
  readonly state: State;
  readonly error: EngineError | undefined;
  readonly events: readonly EngineEvent[];
  readonly findings: readonly Finding[];
  /** Whether an owner was told complete in this step. */
  readonly completion: boolean;
}

/** What a pass leaves: the working state at the end and the checker's judgement. */
export interface PassResult {
  readonly state: State;
  readonly checker: Checker;
  readonly unjudged: readonly Unjudged[];
  /** The end-of-trace findings (missed), also in checker.all(). */
  readonly missed: readonly Finding[];
}

/**
 * One replay of the whole trace in one working set of tables, with the
 * checker, keeping nothing per step: each step goes to `visit` as it is
 * produced. The fast path: each step writes its tables in place (Tx
 * "inplace", undone only when it fails) and one step record is rewritten
 * for every step. (Counting each page's holders from the steps' write logs
 * instead of the checker's scans was tried: slower on the bench traces,
 * whose states hold a few hundred records at most.)
 */
export function replayPass(trace: Trace, options: RunOptions, visit?: (step: PassStep) => void, start?: State): PassResult {
  const { policy, kernel, without } = settings(trace, options);
  const apply = { contracts: options.contracts ?? trace.contracts ?? "enforce" } as const;
  // The start's tables are the working set (its graves the master table checkpoints share).
  const lane = new Lane(policy, visit);
  const state = lane.run(trace.ops, 0, start ?? emptyState(kernel, policy, new Set(without)), apply, options.onStep);
  const missed = lane.checker.finish(state);
  return { state, checker: lane.checker, unjudged: lane.unjudged, missed };
}

/** One policy's judgement along a pass: its checker, the steps it could not judge, its visitor. */
class Lane {
  readonly checker: Checker;
  readonly unjudged: Unjudged[] = [];
  // One record, rewritten each step: the visitor reads it during the call only.
  private readonly step: Mutable<PassStep> = {
    index: 0,
    state: undefined as unknown as State,
    error: undefined,
    events: EMPTY_EVENTS,
    findings: EMPTY_FINDINGS,
    completion: false,
  };

  constructor(
    readonly policy: PolicyId,
    private readonly visit?: (step: PassStep) => void,
  ) {
    this.checker = new Checker(policy);
  }

  /** Judge op `i`'s outcome (`state`: the state after it). */
  judge(i: number, state: State, out: StepOutcome): void {
    const notJudged = unjudgedOf(i + 1, out.error);
    if (notJudged) this.unjudged.push(notJudged);
    // A failed step writes nothing: its (absent) writes are none.
    const found = this.checker.afterStep(state, out.events, out.error, out.touchedPages, out.touchedTables, out.writes ?? NO_WRITES);
    if (!this.visit) return;
    const step = this.step;
    step.index = i;
    step.state = state;
    step.error = out.error;
    step.events = out.events;
    step.findings = found.length ? found : EMPTY_FINDINGS;
    step.completion = hasCompletion(out.events);
    this.visit(step);
  }

  /** Replay ops from `from` on `state`'s tables in place, judging each step; the state at the end. */
  run(ops: readonly TraceOp[], from: number, state: State, apply: ApplyOptions, onStep?: (index: number) => void): State {
    for (let i = from; i < ops.length; i++) {
      onStep?.(i);
      const out = applyOp(state, ops[i], "inplace", apply);
      state = out.state;
      this.judge(i, state, out);
    }
    return state;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function hasCompletion(events: readonly EngineEvent[]): boolean {
  for (const e of events) if (e.kind === "completion") return true;
  return false;
}

/** A trace's judgement without step records or checkpoints (the verdict matrix, `check`). */
export interface Judgement {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly without: readonly string[];
  readonly findings: readonly Finding[];
  readonly unjudged: readonly Unjudged[];
  readonly verdict: Verdict;
  /** Steps whose operation failed, and why. */
  readonly errors: readonly { step: number; message: string }[];
  /**
   * Whether the policy's owner armed a buffer holding one of its pages
   * (armedSomething): if not, no completion was judged, only what every
   * policy judges (use-after-free, double free, refcount underflow,
   * conservation, shared writes, kernel bugs).
   */
  readonly armed: boolean;
}

/**
 * Whether any buffer armed in the run protects a page of its owner's
 * (zerocopy_arm records the owner's pages: guest pages, or page_pool
 * pages under page-pool). Buffers are never deleted, so the state at the
 * end of a trace knows every one.
 */
export function armedSomething(state: Pick<State, "buffers">): boolean {
  for (const zb of state.buffers.values()) if (zb.pages.length > 0) return true;
  return false;
}

/**
 * Judge a trace in memory bounded by its findings and errors (nothing per
 * step). `onFinding` sees each finding with the state after its step (valid
 * only during the call), in the order of `findings`.
 */
export function judgeTrace(trace: Trace, options: RunOptions = {}, onFinding?: (f: Finding, state: State) => void): Judgement {
  const { policy, kernel, without } = settings(trace, options);
  const errors: { step: number; message: string }[] = [];
  const pass = replayPass(trace, options, (s) => {
    if (s.error) errors.push({ step: s.index + 1, message: s.error.message });
    if (onFinding) for (const f of s.findings) onFinding(f, s.state);
  });
  if (onFinding) for (const f of pass.missed) onFinding(f, pass.state);
  const findings = pass.checker.all();
  return { policy, kernel, without, findings, unjudged: pass.unjudged, verdict: verdictOf(findings, pass.unjudged), errors, armed: armedSomething(pass.state) };
}

/**
 * judgeTrace under each of `policies` (options.policy is not read), the
 * same judgements in memory bounded the same way, with one replay for
 * their common prefix: until a step reads its policy (Tx.policy: arming a
 * buffer, a guest page going idle, ...) every policy's replay makes the
 * same states, so one replay's states go to every policy's checker. At
 * the first step that reads it, each other policy takes a copy of the
 * tables as they stood before that step (the step's writes undone) and
 * goes on alone from there. A long trace that arms nothing is replayed
 * once for the whole verdict matrix.
 */
export function judgeTraces(
  trace: Trace,
  policies: readonly PolicyId[],
  options: RunOptions = {},
  onFinding?: (policy: PolicyId, f: Finding, state: State) => void,
): Judgement[] {
  if (policies.length === 0) return [];
  const { kernel, without } = settings(trace, options);
  const ops = trace.ops;
  const probe: PolicyProbe = { read: false };
  const contracts = options.contracts ?? trace.contracts ?? "enforce";
  const shared: ApplyOptions = { contracts, probe };
  const alone: ApplyOptions = { contracts };
  const errors = policies.map(() => [] as { step: number; message: string }[]);
  const lanes = policies.map(
    (policy, p) =>
      new Lane(policy, (s) => {
        if (s.error) errors[p].push({ step: s.index + 1, message: s.error.message });
        if (onFinding) for (const f of s.findings) onFinding(policy, f, s.state);
      }),
  );
  let state = emptyState(kernel, policies[0], new Set(without));
  const judged: Judgement[] = new Array(policies.length);
  // A lane's judgement as soon as it reaches the end: its state goes then.
  const end = (p: number, last: State) => {
    const lane = lanes[p];
    const missed = lane.checker.finish(last);
    if (onFinding) for (const f of missed) onFinding(lane.policy, f, last);
    const findings = lane.checker.all();
    const verdict = verdictOf(findings, lane.unjudged);
    judged[p] = { policy: lane.policy, kernel, without, findings, unjudged: lane.unjudged, verdict, errors: errors[p], armed: armedSomething(last) };
  };
  for (let i = 0; i < ops.length; i++) {
    options.onStep?.(i);
    probe.read = false;
    const before = state;
    const out = applyOp(state, ops[i], "inplace", lanes.length > 1 ? shared : alone);
    state = out.state;
    if (probe.read) {
      // The outcome is the first policy's; every other starts over at this
      // step, from the tables as they were before it (one copy kept aside,
      // copied again for each policy but the last).
      const aside = tablesBefore(before, state, out.writes);
      lanes[0].judge(i, state, out);
      end(0, lanes[0].run(ops, i + 1, state, alone, options.onStep));
      for (let p = 1; p < lanes.length; p++) {
        const start = { ...(p === lanes.length - 1 ? aside : thaw(aside)), policy: policies[p] };
        end(p, lanes[p].run(ops, i, start, alone, options.onStep));
      }
      return judged;
    }
    for (const lane of lanes) lane.judge(i, state, out);
  }
  lanes.forEach((_, p) => end(p, state));
  return judged;
}

/**
 * A working state of its own, as the tables stood before a step run in
 * place: `before` is the State the step started from (its counters and
 * caches), `after` the one it made, `writes` its log (none: it failed, so
 * the tables are as before).
 */
function tablesBefore(before: State, after: State, writes: WriteLog | undefined): State {
  const own = { ...thaw(after), kernel: before.kernel, without: before.without, step: before.step, counters: before.counters, caches: before.caches };
  if (writes) undoWrites(own, writes);
  return own;
}

export function runTrace(trace: Trace, options: RunOptions = {}): Run {
  const { policy, kernel, without } = settings(trace, options);
  const ops = trace.ops;
  const contracts = options.contracts ?? trace.contracts ?? "enforce";
  const checkpoints: State[] = [];
  const steps: StepRecord[] = new Array(ops.length);
  const start = emptyState(kernel, policy, new Set(without));
  checkpoints.push(freezeTables(start, true));
  const eventsAt = (step: number): readonly EngineEvent[] => {
    const out = applyOp(workingAt(step - 1), ops[step - 1], "inplace", { contracts }).events;
    return out.length ? out : EMPTY_EVENTS;
  };
  // One class per run: the events getter lives on its prototype, so a
  // step record costs its fields alone.
  class Step implements StepRecord {
    constructor(
      readonly step: number,
      readonly op: TraceOp,
      readonly error: EngineError | undefined,
      readonly completion: boolean,
      readonly findings: readonly Finding[],
    ) {}
    get events(): readonly EngineEvent[] {
      return eventsAt(this.step);
    }
  }
  const record = (i: number, error: EngineError | undefined, completion: boolean, findings: readonly Finding[]): StepRecord =>
    new Step(i + 1, ops[i], error, completion, findings);
  let since = 0;
  let checkpointEntries = 0;
  const pass = replayPass(
    trace,
    options,
    (s) => {
      steps[s.index] = record(s.index, s.error, s.completion, s.findings);
      since++;
      if (since >= CHECKPOINT_EVERY) {
        const live = liveRecords(s.state);
        if (since >= live) {
          checkpoints.push(freezeTables(s.state, true));
          checkpointEntries += live;
          since = 0;
        }
      }
    },
    start,
  );
  const { missed, unjudged } = pass;
  if (missed.length && steps.length) {
    const last = steps[steps.length - 1];
    steps[steps.length - 1] = record(steps.length - 1, last.error, last.completion, [...last.findings, ...missed]);
  }
  const findings = pass.checker.all();
  const final = freezeTables(pass.state, true);

  /** A fresh working copy of the state after n steps (the graves shared). */
  function workingAt(n: number): State {
    const base = checkpoints[nearestCheckpoint(n)];
    let s = freezeTables(base, true);
    for (let i = base.step; i < n; i++) s = applyOp(s, ops[i], "inplace", { contracts }).state;
    return s;
  }

  /** The last checkpoint at or before step n (binary search: steps ascend). */
  function nearestCheckpoint(n: number): number {
    let lo = 0;
    let hi = checkpoints.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (checkpoints[mid].step <= n) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function snapshotAt(step: number): State {
    const n = Math.max(0, Math.min(ops.length, Math.floor(step)));
    const s = workingAt(n);
    return { ...s, graves: new GravesAt(s.graves, n) };
  }

  function around(step: number, before: (state: State) => void): { state: State; events: readonly EngineEvent[] } {
    if (!(step >= 1 && step <= ops.length)) throw new RangeError(`around(${step}): a step from 1 to ${ops.length}`);
    const n = Math.floor(step);
    const s = workingAt(n - 1);
    before({ ...s, graves: new GravesAt(s.graves, n - 1) });
    // The working copy is this call's own; its graves are the run's master
    // table, where replaying a step writes only what the run wrote.
    const out = applyOp(s, ops[n - 1], "inplace", { contracts });
    return { state: { ...out.state, graves: new GravesAt(s.graves, n) }, events: out.events.length ? out.events : EMPTY_EVENTS };
  }

  const eachState = (visit: (step: number, state: State, events: readonly EngineEvent[]) => void): void => {
    let s = freezeTables(checkpoints[0], true);
    ops.forEach((op, i) => {
      const out = applyOp(s, op, "inplace", { contracts });
      s = out.state;
      visit(i + 1, s, out.events);
    });
  };

  const stats: RunStats = { checkpoints: checkpoints.length, checkpointEntries };
  return { kernel, policy, without, ops, steps, findings, unjudged, verdict: verdictOf(findings, unjudged), final, snapshotAt, around, eachState, stats };
}
