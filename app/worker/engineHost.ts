// SPDX-License-Identifier: GPL-2.0-only
/**
 * The engine side of the protocol: what the worker does with each message.
 * Kept apart from engine.worker.ts (which only wires it to `self`) so unit
 * tests drive it in Node with a fake `post` and a manual scheduler.
 *
 * A load answers at once with `parsed` and `loaded`; the verdict matrix and
 * the lifetimes follow as background tasks, one policy or one chunk of
 * steps at a time, so snapshot requests are served between them.
 *
 * Sharing runs here as well (it parses and replays, so it belongs with the
 * engine, off the UI thread): permalinks of the loaded trace, its email
 * report, and reading a link or pasted text back into a view to open.
 */
import {
  applyOp,
  describeEvents,
  LifeTracker,
  MAX_DIAGNOSTICS,
  andMore,
  binaryReason,
  capDiagnostics,
  OPS,
  parseTrace,
  policyAbsence,
  policyKernels,
  POLICIES,
  printOp,
  printTrace,
  stripPositions,
  runTrace,
  settings,
  stateView,
  SlicedJudge,
  armedSomething,
  nothingArmedNote,
  sortFixIds,
  withoutProblem,
  type Arg,
  type Diagnostic,
  type Judgement,
  type Parsed,
  type Run,
  type RunOptions,
  type State,
  type Trace,
  type TraceOp,
  type KernelId,
  type PolicyId,
  type EngineEvent,
  type StateView,
} from "../../core/index";
import { FAMILY_OF, contractsOf } from "../../core/ops/contracts";
import { captionAt, narrationOf, type Narration } from "../../stories/narration";
import { freshNames } from "../ops";
import { firstErrorLine, runnablePrefix, stepErrors } from "./runnable";
import { laterOutcome } from "./laterSteps";
import { emailText, importPasted } from "../share/email";
import { LIMITS, decodePermalink, encodePermalink, same, type LinkView } from "../../core/permalink";
import { appStory, storySource } from "../stories";
import {
  PROGRESS_MS,
  PROTOCOL_VERSION,
  STEP_COMPLETION,
  STEP_ERROR,
  STEP_FINDING,
  STEP_VIOLATION,
  unhandled,
  type FromWorker,
  type MatrixRow,
  type DryRun,
  type OpDraft,
  type OpInfo,
  type StepDetail,
  type CrashHow,
  type OpenedView,
  type ShareView,
  type StepColumns,
  type ToWorker,
} from "./protocol";
import { columnsOf } from "./columns";

type LoadRequest = Extract<ToWorker, { kind: "load" }>;

export type Post = (message: FromWorker, transfer?: Transferable[]) => void;
/** Runs a background task later (setTimeout in the worker, manual in tests). */
export type Defer = (task: () => void) => void;

/**
 * How long one background task may run (ms): a snapshot request waits for
 * at most one. Each works in pieces of SLICE_STEPS steps until its time is
 * up, so the pieces fit a loaded machine as well as an idle one (a whole
 * policy's pass over 1,000,000 steps took seconds, and a fixed 4,000-step
 * chunk of lifetimes up to 60 ms).
 */
const SLICE_MS = 12;
const SLICE_STEPS = 500;

/** Run `step` (a piece of work; true when all is done) until done or the slice's time is up; true when done. */
function forSlice(step: () => boolean): boolean {
  const until = performance.now() + SLICE_MS;
  for (;;) {
    if (step()) return true;
    if (performance.now() >= until) return false;
  }
}

export function opTable(): OpInfo[] {
  return [...OPS.values()].map((s) => ({
    fn: s.fn,
    params: s.params,
    names: s.names,
    optional: s.optional ?? 0,
    result: s.result,
    resultUnlessOptional: s.resultUnlessOptional ?? false,
    kernels: s.kernels ?? null,
    summary: s.summary,
    group: s.group,
    ...(refusesCloned(s.fn) ? { refusesCloned: true } : {}),
    ...(FAMILY_OF[s.fn] ? { receivesAs: FAMILY_OF[s.fn] } : {}),
    ...(readsQueue(s.fn) ? { readsQueue: readsQueue(s.fn) } : {}),
  }));
}

/** Whether a caller contract of `fn` wants its skb on a receive queue, the socket argument's or any (read from the contract table by id). */
function readsQueue(fn: string): "any" | "own" | undefined {
  const ids = contractsOf(fn).map((c) => c.id);
  return ids.includes("eat-own-queue") ? "own" : ids.includes("read-from-receive-queue") ? "any" : undefined;
}

/**
 * Whether a caller contract of `fn` wants its skb uncloned (skb_split:
 * tcp_fragment() calls skb_unclone() first; skb_fill_page_desc: a frag
 * would appear in every clone's Data). Read from the contract table, so a
 * new such contract needs no change here; version-specific ones ("6.1: ...")
 * are left to the dry run.
 */
function refusesCloned(fn: string): boolean {
  return contractsOf(fn).some((c) => c.rule === "the skb is not cloned");
}

interface Loaded {
  readonly seq: number;
  readonly trace: Trace;
  readonly run: Run;
  /** The trace's comments read as captions, made on the first snapshot. */
  narration?: Narration;
}

export class EngineHost {
  private current: Loaded | null = null;
  /** Background work; a task returns true while it has more to do (it stays first in line). */
  private readonly tasks: (() => boolean)[] = [];
  private pumping = false;

  constructor(
    private readonly post: Post,
    private readonly defer: Defer,
  ) {}

  /** `holdsLock`: the worker holds its life lock (engine.worker.ts), so its exit can be seen. */
  start(holdsLock = false): void {
    this.post({ kind: "ready", version: PROTOCOL_VERSION, ops: opTable(), ...(holdsLock ? { holdsLock } : {}) });
  }

  handle(msg: ToWorker): void {
    switch (msg.kind) {
      case "load":
        return this.load(msg.seq, msg.source, msg);
      case "snapshot":
        return this.snapshot(msg.seq, msg.step);
      case "format":
        return this.format(msg.seq, msg.op, msg.at);
      case "link":
        return void this.link(msg.seq, msg.loadSeq, msg.view);
      case "email":
        return void this.email(msg.seq, msg.loadSeq, msg.view, msg.base);
      case "open":
        return void this.open(msg.seq, msg.text, msg.as);
      case "crash":
        return crash(msg.how);
      default:
        return unhandled(msg);
    }
  }

  private load(seq: number, source: string, opts: Pick<LoadRequest, "policy" | "kernel" | "without">): void {
    const started = performance.now();
    this.tasks.length = 0; // a new trace cancels the old one's background work
    const parsed = readSource(source);
    // A fix the model cannot revert (a stale address, say) is dropped, not fatal.
    const chosen = opts.without?.filter((id) => withoutProblem(id) === null);
    const { policy, kernel, without } = settings(parsed.trace, { policy: opts.policy ?? undefined, kernel: opts.kernel ?? undefined, without: chosen });
    this.post({
      kind: "parsed",
      seq,
      diagnostics: editorDiagnostics(parsed),
      title: parsed.trace.title ?? null,
      policy,
      kernel,
      without,
      fresh: freshNames(parsed.trace.ops.flatMap((op) => (op.result ? [op.result] : []))),
    });
    // A trace with an error runs up to its first error line, so the graph
    // stays useful while typing and never shows a trace with lines left out.
    const stoppedAt = firstErrorLine(parsed.diagnostics);
    const trace = runnablePrefix(parsed.trace, parsed.diagnostics);
    let reported = performance.now();
    const ops = trace.ops;
    const onStep = (i: number) => {
      // A clock read every 64 steps is cheap; a message every PROGRESS_MS is too.
      if ((i & 63) !== 0 && i !== 0) return;
      const now = performance.now();
      if (i !== 0 && now - reported < PROGRESS_MS) return;
      reported = now;
      this.post({ kind: "progress", seq, step: i + 1, line: ops[i].line ?? null });
    };
    const run = runTrace(trace, { policy, kernel, without, onStep });
    this.current = { seq, trace, run };
    const columns = stepColumns(run);
    this.post(
      {
        kind: "loaded",
        seq,
        stepCount: run.steps.length,
        columns,
        findings: run.findings,
        verdict: run.verdict,
        ms: performance.now() - started,
        errors: stepErrors(run.steps, source),
        stoppedAt,
      },
      [columns.lines.buffer, columns.flags.buffer, columns.violations.buffer, columns.completions.buffer],
    );
    this.queueMatrix(seq, trace, run);
    this.queueLifetimes(seq, trace, run);
  }

  private snapshot(seq: number, step: number): void {
    const loaded = this.current;
    if (!loaded) {
      this.post({ kind: "failed", seq, message: "no trace is loaded" });
      return;
    }
    const { run } = loaded;
    const n = Math.max(0, Math.min(run.steps.length, Math.floor(step)));
    // Steps n - 1 and n and the step's events from one replay (run.around).
    let prev: StateView | null = null;
    let liveBefore: Set<string> | null = null;
    let state: State;
    let events: readonly EngineEvent[] = [];
    if (n > 0) {
      ({ state, events } = run.around(n, (before) => {
        liveBefore = livePages(before);
        prev = stateView(withPages(before, liveBefore));
      }));
    } else state = run.snapshotAt(0);
    const view = stateView(withPages(state, visiblePages(state, liveBefore)));
    loaded.narration ??= narrationOf(loaded.trace);
    const caption = captionAt(loaded.narration, n);
    this.post({ kind: "snapshot", seq, step: n, view, prev, detail: n > 0 ? stepDetail(run, n, state, events) : null, caption });
  }

  /** The loaded trace as a permalink view, if `loadSeq` is still the one loaded. */
  private shareView(loadSeq: number, v: ShareView): LinkView | string {
    const loaded = this.current;
    if (!loaded || loaded.seq !== loadSeq) return "the trace changed while the link was being made";
    const step = Math.max(0, Math.min(loaded.trace.ops.length, Math.floor(v.step)));
    const { without } = loaded.run;
    return {
      trace: loaded.trace,
      policy: loaded.run.policy,
      kernel: loaded.run.kernel,
      ...(without.length ? { without } : {}),
      step,
      selection: v.selection,
      storyId: v.storyId,
    };
  }

  private async link(seq: number, loadSeq: number, v: ShareView): Promise<void> {
    const view = this.shareView(loadSeq, v);
    if (typeof view === "string") return this.post({ kind: "linked", seq, fragment: null, problem: view, notes: [] });
    // Said before any work: a long trace is not copied twice only to be refused.
    if (view.trace.ops.length > LIMITS.ops) {
      return this.post({
        kind: "linked",
        seq,
        fragment: null,
        problem: `the trace has ${view.trace.ops.length} operations; a link carries at most ${LIMITS.ops}`,
        notes: [],
      });
    }
    try {
      const full = await encodePermalink(view, { stories: storySource });
      if (full.ok) return this.post({ kind: "linked", seq, fragment: full.value, problem: null, notes: [] });
      // A comment that does not print back as itself: the operations can still go.
      const bare = await encodePermalink(view, { stories: storySource, comments: false });
      if (bare.ok)
        return this.post({
          kind: "linked",
          seq,
          fragment: bare.value,
          problem: null,
          notes: [`the link leaves out the trace's comments (${full.error.message})`],
        });
      this.post({ kind: "linked", seq, fragment: null, problem: full.error.message, notes: [] });
    } catch (e) {
      this.post({ kind: "linked", seq, fragment: null, problem: `internal error: ${e instanceof Error ? e.message : String(e)}`, notes: [] });
    }
  }

  private async email(seq: number, loadSeq: number, v: ShareView, base: string): Promise<void> {
    const view = this.shareView(loadSeq, v);
    if (typeof view === "string") return this.post({ kind: "emailed", seq, text: "", url: null, warnings: [view] });
    if (view.trace.ops.length > LIMITS.ops) {
      return this.post({
        kind: "emailed",
        seq,
        text: "",
        url: null,
        warnings: [`the trace has ${view.trace.ops.length} operations, too many for an email (at most ${LIMITS.ops})`],
      });
    }
    try {
      const out = await emailText(view, { base, stories: storySource });
      this.post({ kind: "emailed", seq, text: out.text, url: out.url, warnings: out.warnings });
    } catch (e) {
      this.post({ kind: "emailed", seq, text: "", url: null, warnings: [`internal error: ${e instanceof Error ? e.message : String(e)}`] });
    }
  }

  private async open(seq: number, text: string, as: "link" | "paste"): Promise<void> {
    try {
      if (as === "link") {
        const r = await decodePermalink(text, { stories: storySource });
        if (!r.ok) return this.post({ kind: "opened", seq, result: { ok: false, message: r.error.message } });
        const v = r.value;
        return this.post({
          kind: "opened",
          seq,
          result: { ok: true, view: openedView(v.trace, v.policy, v.kernel, v.step, v.selection, v.storyId, v.notes, "link", v.without) },
        });
      }
      const r = await importPasted(text, { stories: storySource });
      // Lines with errors open as pasted, their errors marked: never a shortened trace.
      if (!r.ok && r.error.source !== undefined) {
        const notes = [`The pasted trace has errors (${r.error.message}); it runs up to the first one until it is fixed.`];
        return this.post({
          kind: "opened",
          seq,
          result: {
            ok: true,
            view: { source: r.error.source, policyChoice: null, kernelChoice: null, step: null, selection: null, storyId: null, notes, from: "lines" },
          },
        });
      }
      if (!r.ok) return this.post({ kind: "opened", seq, result: { ok: false, message: r.error.message } });
      const v = r.value;
      this.post({
        kind: "opened",
        seq,
        result: { ok: true, view: openedView(v.trace, v.policy, v.kernel, v.step, v.selection, v.storyId, v.notes, v.from, v.without) },
      });
    } catch (e) {
      this.post({ kind: "opened", seq, result: { ok: false, message: `internal error: ${e instanceof Error ? e.message : String(e)}` } });
    }
  }

  private format(seq: number, draft: OpDraft, at?: { loadSeq: number; step: number; later?: boolean }): void {
    if (!OPS.has(draft.fn)) {
      this.post({ kind: "failed", seq, message: `unknown operation ${draft.fn}` });
      return;
    }
    const op: TraceOp = { fn: draft.fn, ...(draft.result ? { result: draft.result } : {}), args: draft.args.map(toArg) };
    this.post({ kind: "formatted", seq, line: printOp(op), ...(at ? { outcome: this.dryRun(op, at) } : {}) });
  }

  /**
   * The form's dry run: the draft applied to the state after `at.step`, as
   * the replay would apply it there (same contracts mode), on a copy that is
   * then dropped; with `at.later`, the steps after it re-run with the line
   * in place (laterSteps.ts). Null when another trace has been loaded since.
   */
  private dryRun(op: TraceOp, at: { loadSeq: number; step: number; later?: boolean }): DryRun | null {
    const loaded = this.current;
    if (!loaded || loaded.seq !== at.loadSeq) return null;
    const step = Math.max(0, Math.min(loaded.run.steps.length, Math.floor(at.step)));
    // Pure: the snapshot's tables (its graves a view of the run's) are never written.
    const out = applyOp(loaded.run.snapshotAt(step), op, "pure", { contracts: loaded.trace.contracts ?? "enforce" });
    // A refused step changes nothing, so the steps after it run as they did.
    if (out.error) return { refused: { kind: out.error.kind, message: out.error.message }, events: [], ...(at.later ? { later: null } : {}) };
    const events = describeEvents(out.events, out.state);
    if (!at.later) return { refused: null, events };
    // The form inserts after the step on screen and the later steps re-run: say what that does to them.
    const { own, later } = laterOutcome(loaded.trace, loaded.run, step, op);
    return { refused: null, events, findings: own, later: later.total ? later : null };
  }

  private queueMatrix(seq: number, trace: Trace, run: Run): void {
    const rows = new Map<string, MatrixRow>();
    // With fixes reverted, the fixes panel shows the kernel as shipped beside it.
    const shipped = run.without.length ? new Map<string, MatrixRow>() : null;
    const send = () => {
      if (this.current?.seq !== seq) return;
      const ordered = (m: Map<string, MatrixRow>) => POLICIES.map((p) => m.get(p)!).filter(Boolean);
      this.post({ kind: "matrix", seq, kernel: run.kernel, rows: ordered(rows), shipped: shipped && ordered(shipped) });
    };
    rows.set(run.policy, matrixRow(run.policy, run.verdict, run.findings, run.unjudged, armedSomething(run.final)));
    for (const policy of POLICIES) {
      if (policy === run.policy) continue;
      const absent = policyAbsence(policy, run.kernel);
      if (absent) {
        rows.set(policy, { policy, verdict: "n/a", findings: [], unjudged: [], reason: `${absent}; use kernel ${policyKernels(policy)}`, nothingArmed: null });
        continue;
      }
      this.judgeInSlices(seq, trace, { policy, kernel: run.kernel, without: run.without }, (entry) =>
        rows.set(policy, matrixRow(policy, entry.verdict, entry.findings, entry.unjudged, entry.armed)),
      );
    }
    for (const policy of shipped ? POLICIES : []) {
      const absent = policyAbsence(policy, run.kernel);
      if (absent) {
        shipped!.set(policy, {
          policy,
          verdict: "n/a",
          findings: [],
          unjudged: [],
          reason: `${absent}; use kernel ${policyKernels(policy)}`,
          nothingArmed: null,
        });
        continue;
      }
      this.judgeInSlices(seq, trace, { policy, kernel: run.kernel, without: [] }, (entry) =>
        shipped!.set(policy, matrixRow(policy, entry.verdict, entry.findings, entry.unjudged, entry.armed)),
      );
    }
    this.enqueue(seq, send);
  }

  /** One policy's row of the matrix: the trace judged a slice per background task. */
  private judgeInSlices(seq: number, trace: Trace, options: RunOptions, done: (j: Judgement) => void): void {
    let judge: SlicedJudge | null = null;
    this.enqueue(seq, () => {
      judge ??= new SlicedJudge(trace, options);
      const j = judge;
      if (!forSlice(() => j.advance(SLICE_STEPS))) return true;
      done(j.judgement());
      return false;
    });
  }

  private queueLifetimes(seq: number, trace: Trace, run: Run): void {
    const tracker = new LifeTracker(run.kernel, run.policy, trace.contracts, run.without);
    let from = 0;
    this.enqueue(seq, () => {
      const finished = forSlice(() => {
        const to = Math.min(trace.ops.length, from + SLICE_STEPS);
        tracker.advance(trace.ops, from, to);
        from = to;
        return from >= trace.ops.length;
      });
      if (!finished) return true;
      const { rows, omitted } = tracker.finish();
      this.post({ kind: "lifetimes", seq, rows, omitted });
      return false;
    });
  }

  /** `task` returns true while it has more to do; a task of another load than the current one is dropped. */
  private enqueue(seq: number, task: () => boolean | void): void {
    this.tasks.push(() => this.current?.seq === seq && task() === true);
    this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.defer(() => {
      this.pumping = false;
      const task = this.tasks[0];
      // A task with more to do stays first: the matrix's rows and the lifetimes keep their order.
      if (task && !task() && this.tasks[0] === task) this.tasks.shift();
      if (this.tasks.length) this.pump();
    });
  }

  /** Test helper: run every queued background task now. */
  drain(): void {
    while (this.tasks.length) {
      const task = this.tasks[0];
      if (!task() && this.tasks[0] === task) this.tasks.shift();
    }
  }
}

/**
 * A decoded trace as the UI opens it: the story's own file text when the
 * trace is that story (so the story stays recognised), else the trace
 * printed; the policy and kernel as choices only where the header differs.
 */
export function openedView(
  trace: Trace,
  policy: PolicyId | undefined,
  kernel: KernelId | undefined,
  step: number | undefined | null,
  selection: string | undefined | null,
  storyId: string | undefined | null,
  notes: readonly string[],
  from: OpenedView["from"],
  without?: readonly string[],
): OpenedView {
  const story = appStory(storyId) ?? null;
  const storyParsed = story ? parseTrace(story.source) : null;
  const isStory = storyParsed !== null && same(stripPositions(storyParsed.trace), stripPositions(trace));
  const source = isStory ? story!.source : printTrace(trace);
  const header = settings(trace, {});
  return {
    source,
    policyChoice: policy && policy !== header.policy ? policy : null,
    kernelChoice: kernel && kernel !== header.kernel ? kernel : null,
    ...(without !== undefined && !same(sortFixIds(without), header.without) ? { withoutChoice: sortFixIds(without) } : {}),
    step: typeof step === "number" ? Math.max(0, Math.min(trace.ops.length, step)) : null,
    selection: selection ?? null,
    storyId: story ? story.id : null,
    notes,
    from,
  };
}

function crash(how: CrashHow): void {
  switch (how) {
    case "throw":
      // Thrown outside the message handler so it reaches the worker's
      // global error handler, as an engine bug in a callback would.
      setTimeout(() => {
        throw new Error("test hook: the engine worker threw");
      }, 0);
      return;
    case "hang":
      for (;;) {
        /* spin until the watchdog terminates us */
      }
    case "exit":
      (globalThis as unknown as { close?: () => void }).close?.();
      return;
    default:
      return unhandled(how);
  }
}

function toArg(value: string | number | boolean): Arg {
  if (typeof value === "number") return { kind: "int", value };
  if (typeof value === "boolean") return { kind: "kw", value: value ? "true" : "false" };
  if (value === "guest" || value === "host") return { kind: "kw", value };
  const indexed = /^([A-Za-z_]\w*)\[(\d+)\]$/.exec(value);
  return indexed ? { kind: "ref", name: indexed[1], index: Number(indexed[2]) } : { kind: "ref", name: value };
}

function matrixRow(
  policy: MatrixRow["policy"],
  verdict: MatrixRow["verdict"],
  findings: Run["findings"],
  unjudged: Run["unjudged"],
  armed: boolean,
): MatrixRow {
  return {
    policy,
    verdict,
    findings: findings.map((f) => ({ kind: f.kind, step: f.step, message: f.message })),
    unjudged: unjudged.map((u) => ({ step: u.step, message: u.message })),
    reason: null,
    nothingArmed: armed ? null : nothingArmedNote(policy),
  };
}

export function stepColumns(run: Run): StepColumns {
  const lines = new Int32Array(run.steps.length);
  const flags = new Uint8Array(run.steps.length);
  run.steps.forEach((s, i) => {
    lines[i] = s.op.line ?? 0;
    let f = 0;
    if (s.error) f |= STEP_ERROR;
    if (s.findings.length) f |= STEP_FINDING;
    // Every finding kind is a violation (kernel-bug and unreachable included).
    if (s.findings.length > 0) f |= STEP_VIOLATION;
    if (s.completion) f |= STEP_COMPLETION;
    flags[i] = f;
  });
  return columnsOf(lines, flags);
}

/**
 * Freed host pages may stay in the model's table (so a use-after-free can
 * name them); the view keeps only live pages and those freed by this very
 * step (drawn as ghosts), so a long trace's snapshot stays small. The
 * step before keeps its live pages, so a page that left the table in this
 * step is still in `prev` (and is drawn as a ghost too).
 */
function livePages(state: State): Set<string> {
  const keep = new Set<string>();
  for (const p of state.pages.values()) if (!p.freed) keep.add(p.name);
  return keep;
}

/** `liveBefore`: livePages of the step before (null at step 0). */
function visiblePages(state: State, liveBefore: ReadonlySet<string> | null): Set<string> {
  const keep = new Set<string>();
  for (const p of state.pages.values()) if (!p.freed || liveBefore?.has(p.name)) keep.add(p.name);
  return keep;
}

function withPages(state: State, keep: ReadonlySet<string>): State {
  const pages = new Map([...state.pages].filter(([name]) => keep.has(name)));
  return { ...state, pages };
}

function stepDetail(run: Run, n: number, state: State, events: readonly EngineEvent[]): StepDetail {
  const s = run.steps[n - 1];
  return {
    step: n,
    line: s.op.line ?? 0,
    op: printOp(s.op),
    narration: (s.op.leading ?? []).map((c) => c.trim()).filter(Boolean),
    error: s.error ? { kind: s.error.kind, message: s.error.message } : null,
    findings: s.findings,
    events: describeEvents(events, state),
  };
}

/** A binary paste is one diagnostic, "not a text trace", and no operations. */
function readSource(source: string): Parsed {
  const binary = binaryReason(source);
  if (!binary) return parseTrace(source, { maxDiagnostics: MAX_DIAGNOSTICS });
  return { trace: { ops: [] }, diagnostics: [{ line: 1, column: 1, endColumn: 2, severity: "error", message: binary }] };
}

/**
 * The editor's diagnostics: the first MAX_DIAGNOSTICS, errors first, and one
 * "and N more" at the first line left out (a 3 MB paste had 20,000).
 */
export function editorDiagnostics(parsed: Parsed): readonly Diagnostic[] {
  const all = parsed.diagnostics;
  const { shown, more } = capDiagnostics(all);
  const omitted = (parsed.omitted?.errors ?? 0) + (parsed.omitted?.warnings ?? 0);
  if (!more && !omitted) return all;
  const rest = all.filter((d) => !shown.includes(d));
  const errors = rest.filter((d) => d.severity === "error").length + (parsed.omitted?.errors ?? 0);
  const lines = [...rest.map((d) => d.line), ...(omitted ? [parsed.omitted!.line] : [])];
  const line = Math.min(...lines);
  return [...shown, { line, column: 1, endColumn: 2, severity: errors ? "error" : "warning", message: `${andMore(more + omitted)} (${errors} errors)` }];
}
