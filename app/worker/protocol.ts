// SPDX-License-Identifier: GPL-2.0-only
/**
 * Every message between the UI and its workers, both ways: the engine
 * worker (ToWorker, FromWorker) and the search workers (ToSearchWorker,
 * FromSearchWorker).
 *
 * Plain data only (it survives structured clone). `seq` ties a reply to
 * its request: the engine machine drops a reply whose seq is not the one
 * it waits for (a reply to a trace that has since been edited, or from a
 * worker that has since been replaced). Per-step data travels as typed
 * arrays (transferred, not copied) so a 100,000-step trace never costs the
 * main thread a long structured clone.
 */
import type { Diagnostic, Finding, KernelId, LifeRow, OpGroup, PolicyId, SockFamily, StateView, Verdict } from "../../core/index";
export type { LifeRow };
import type { SliceResult, SliceTask } from "../../core/search/index";

export const PROTOCOL_VERSION = 5;

/** An operation as the form builds it; the worker prints it with printOp. */
export interface OpDraft {
  readonly fn: string;
  readonly result?: string;
  /** Names (`segs[1]` allowed), integers, keywords (guest, host, true, false). */
  readonly args: readonly (string | number | boolean)[];
}

/**
 * What a draft operation would do after a step, tried in the worker on that
 * step's state before the form commits it.
 */
export interface DryRun {
  /** The engine's error when the step would fail ("would be refused: ..."), else null. */
  readonly refused: { readonly kind: string; readonly message: string } | null;
  /** What the step would do, in words (events), when it runs. */
  readonly events: readonly string[];
  /** What the step itself would find (a use-after-free, a premature completion ...), when it runs and its later steps were re-run. */
  readonly findings?: readonly { readonly kind: string; readonly message: string }[];
  /**
   * What the insert does to the steps after it (the trace re-run with the
   * line in place): absent when not asked, null when the draft is refused
   * (a refused step changes nothing) or nothing follows it.
   */
  readonly later?: DryRunLater | null;
}

/**
 * A later step whose outcome the insert changes. `step` counts with the
 * new line in place (the step that was n is then n + 1), as the messages
 * do; `line` is its source line before the insert.
 */
export interface LaterStep {
  readonly step: number;
  readonly line: number | null;
  /** The operation as printOp prints it. */
  readonly op: string;
  readonly kind: string;
  readonly message: string;
}

/** The steps after an inserted line, re-run: what changes (each list holds at most DRY_RUN_LISTED, `counts` the rest). */
export interface DryRunLater {
  /** Later steps re-run (at most DRY_RUN_LATER_MAX), of `total` after the insert. */
  readonly checked: number;
  readonly total: number;
  /** Steps that ran and would then fail, with the new error. */
  readonly failing: readonly LaterStep[];
  /** Steps that failed and would then run, with the error they had. */
  readonly recovered: readonly LaterStep[];
  /** Findings at later steps (or at the end of the trace) the insert causes. */
  readonly findings: readonly LaterStep[];
  /** Findings at later steps the insert makes go away (their message as it was). */
  readonly cleared: readonly LaterStep[];
  /** How many of each there are in all. */
  readonly counts: { readonly failing: number; readonly recovered: number; readonly findings: number; readonly cleared: number };
}

/** A dry run re-runs at most this many steps after the inserted line (the whole rest of a shorter trace). */
export const DRY_RUN_LATER_MAX = 10_000;
/**
 * ... and replays at most this many steps in all, the ones before the line
 * included (~0.1-0.2 s in the worker): the form tries its draft on every
 * change and every step the cursor moves to, and a dry run deep in a
 * 1,000,000-step trace must not hold up the snapshots behind it. Deeper
 * than that, `checked` is 0: the later steps re-run once the line is in.
 */
export const DRY_RUN_REPLAY_MAX = 30_000;
/** Each list of a DryRunLater names at most this many steps. */
export const DRY_RUN_LISTED = 5;

/** How a test makes the worker fail: throw, spin forever, or close itself. */
export type CrashHow = "throw" | "hang" | "exit";

/** UI → worker. */
export type ToWorker =
  /** `without`: catalogued fixes to revert (the fixes panel); absent or null follows the trace's `# without:` header. */
  | { kind: "load"; seq: number; source: string; policy: PolicyId | null; kernel: KernelId | null; without?: readonly string[] | null }
  | { kind: "snapshot"; seq: number; step: number }
  /**
   * Print a draft operation; with `at`, also try it on the state after step
   * `at.step` of the load `at.loadSeq` (the form's dry run) and say whether
   * the kernel would refuse it; with `at.later`, also re-run the steps after
   * it with the line in place and say what changes (DryRun.later).
   */
  | { kind: "format"; seq: number; op: OpDraft; at?: { loadSeq: number; step: number; later?: boolean } }
  /** The permalink of the loaded trace (the load `loadSeq`) at a step, with a selection. */
  | { kind: "link"; seq: number; loadSeq: number; view: ShareView }
  /** The plain-text email report of the loaded trace, with its permalink under `base`. */
  | { kind: "email"; seq: number; loadSeq: number; view: ShareView; base: string }
  /** Read a permalink (`as: "link"`) or pasted text (a report, trace lines, a link) into a view to open. */
  | { kind: "open"; seq: number; text: string; as: "link" | "paste" }
  /** Test hook only (e2e): make the worker fail the way a bug would. */
  | { kind: "crash"; seq: number; how: CrashHow };

/** What a link or a report says besides the trace: where to look. */
export interface ShareView {
  readonly step: number;
  /** An object name as the trace and the views spell it ("a", "g", "h1"), not a graph key. */
  readonly selection: string | null;
  /** The story the trace came from, so its link can leave the narration out. */
  readonly storyId: string | null;
}

/** A view read from a link or pasted text, ready to open. */
export interface OpenedView {
  /** The trace text: the story's own file when it is one, else printed from the trace. */
  readonly source: string;
  /** The user's choices: null where the trace's header says the same. */
  readonly policyChoice: PolicyId | null;
  readonly kernelChoice: KernelId | null;
  /** Fixes the view reverts; absent where the trace's `# without:` header says the same. */
  readonly withoutChoice?: readonly string[];
  /** Where to put the cursor (null: the text said nothing). */
  readonly step: number | null;
  readonly selection: string | null;
  readonly storyId: string | null;
  /** Things the user should know (semantics changed, narration left out ...). */
  readonly notes: readonly string[];
  readonly from: "link" | "report" | "lines";
}

/** The operation table as forms need it (core OPS without the code). */
export interface OpInfo {
  readonly fn: string;
  readonly params: readonly ("skb" | "page" | "pipe" | "sock" | "list" | "int" | "owner" | "bool" | "pool")[];
  readonly names: readonly string[];
  readonly optional: number;
  readonly result: "skb" | "page" | "pipe" | "sock" | "list" | null;
  readonly resultUnlessOptional: boolean;
  readonly kernels: readonly KernelId[] | null;
  readonly summary: string;
  /** The picker's group (core OpSpec.group). */
  readonly group: OpGroup;
  /** A caller contract says its skb (the first argument) is not cloned (core/ops/contracts.ts): not offered on a cloned one. */
  readonly refusesCloned?: boolean;
  /** It queues to a socket of this family (core/ops/contracts.ts socket-family): not offered on a socket of another. */
  readonly receivesAs?: SockFamily;
  /**
   * A caller contract says its skb is on a receive queue (core/ops/contracts.ts):
   * "any" socket's (read-from-receive-queue), or "own", the socket argument's
   * (eat-own-queue). Offered and defaulted on such skbs only.
   */
  readonly readsQueue?: "any" | "own";
}

/** The kinds of object an operation can make. */
export type ResultKind = NonNullable<OpInfo["result"]>;

/**
 * The name the operation form gives a new result of each kind: the first
 * one the trace has not used (names are never reused in a trace).
 */
export type FreshNames = Readonly<Record<ResultKind, string>>;

/** Bits of `StepColumns.flags`. */
export const STEP_ERROR = 1;
export const STEP_FINDING = 2;
export const STEP_COMPLETION = 4;
export const STEP_VIOLATION = 8;

/** A step that the kernel refused (or that hit a bug), at its operation's text, for the editor's marks. */
export interface StepError {
  readonly step: number;
  readonly line: number;
  /** 1-based, end exclusive. */
  readonly column: number;
  readonly endColumn: number;
  readonly kind: string;
  readonly message: string;
}

/** Per-step facts, one array slot per step (index 0 is step 1). */
export interface StepColumns {
  /** 1-based source line of each step's operation. */
  readonly lines: Int32Array;
  /** STEP_* bits. */
  readonly flags: Uint8Array;
  /**
   * The steps with STEP_VIOLATION, then with STEP_COMPLETION, ascending
   * (1-based): what the timeline, the lifetime chart and "next violation"
   * walk, instead of a million steps' flags on the main thread.
   */
  readonly violations: Int32Array;
  readonly completions: Int32Array;
}

/** What one step did, in words: sent with its snapshot. */
export interface StepDetail {
  readonly step: number;
  readonly line: number;
  readonly op: string;
  /** The comment lines before the operation: the story's narration. */
  readonly narration: readonly string[];
  readonly error: { readonly kind: string; readonly message: string } | null;
  readonly findings: readonly Finding[];
  /** Events worth a sentence (completion, release, destructor, warn ...). */
  readonly events: readonly string[];
}

export interface MatrixRow {
  readonly policy: PolicyId;
  readonly verdict: Verdict | "n/a";
  readonly findings: readonly { kind: string; step: number; message: string }[];
  /** Steps the engine could not judge (why a verdict is `inconclusive`). */
  readonly unjudged: readonly { step: number; message: string }[];
  readonly reason: string | null;
  /**
   * The trace armed no buffer holding a page of this policy's owner, so no
   * completion was judged (core nothingArmedNote says what was): the text,
   * or null.
   */
  readonly nothingArmed: string | null;
}

/** One object's life for the lifetime chart. */

/** Worker → UI. A failure is a message; the worker stays alive on bad input. */
export type FromWorker =
  | { kind: "ready"; version: typeof PROTOCOL_VERSION; ops: readonly OpInfo[]; holdsLock?: boolean }
  /** How far a load's replay got (sent at most every PROGRESS_MS), so a hang can name its line. */
  | { kind: "progress"; seq: number; step: number; line: number | null }
  | {
      kind: "parsed";
      seq: number;
      diagnostics: readonly Diagnostic[];
      title: string | null;
      policy: PolicyId;
      kernel: KernelId;
      /** The fixes this run reverts (catalogue order; empty: the kernel as shipped). */
      without: readonly string[];
      /**
       * Worked out here rather than sending every name the trace
       * introduces: a 100,000-step trace has ~66,000, and reading them
       * (and hashing them into a set) would cost the UI thread a long task.
       */
      fresh: FreshNames;
    }
  | {
      kind: "loaded";
      seq: number;
      stepCount: number;
      columns: StepColumns;
      findings: readonly Finding[];
      verdict: Verdict;
      ms: number;
      /** The steps that failed (the first MAX_STEP_ERRORS). */
      errors: readonly StepError[];
      /** The trace ran up to its first error line (null: it has none). */
      stoppedAt: number | null;
    }
  /** `shipped`: the same trace with every fix in, when the run reverts some (else null), for the side-by-side. */
  | { kind: "matrix"; seq: number; kernel: KernelId; rows: readonly MatrixRow[]; shipped: readonly MatrixRow[] | null }
  | { kind: "lifetimes"; seq: number; rows: readonly LifeRow[]; omitted: number }
  | {
      kind: "snapshot";
      seq: number;
      step: number;
      view: StateView;
      /** The state one step earlier (null at step 0): old → new counters. */
      prev: StateView | null;
      detail: StepDetail | null;
      /** The trace's narration for this step (0: the introduction), plain text. */
      caption: string;
    }
  /** `outcome`: the dry run's answer when `at` was asked (null: the trace changed meanwhile, nothing tried). */
  | { kind: "formatted"; seq: number; line: string; outcome?: DryRun | null }
  /** A permalink fragment (no "#"), or why there is none. */
  | { kind: "linked"; seq: number; fragment: string | null; problem: string | null; notes: readonly string[] }
  | { kind: "emailed"; seq: number; text: string; url: string | null; warnings: readonly string[] }
  | { kind: "opened"; seq: number; result: { ok: true; view: OpenedView } | { ok: false; message: string } }
  | { kind: "failed"; seq: number; message: string };

/**
 * The search workers (app/worker/search.worker.ts): a pool of them expands
 * the slices of each frontier level that core/search's searchAsync hands
 * out; the search machine merges the answers in order (app/machines/search.ts).
 * A worker holds nothing between tasks but the start state it replayed.
 */
export const SEARCH_PROTOCOL_VERSION = 1;

/** UI → a search worker: expand one slice (expandTask). `id` ties the answer to the task. */
export type ToSearchWorker = { kind: "expand"; id: number; task: SliceTask };

/** A search worker → UI. An engine bug is a `failed` answer; the worker stays alive. */
export type FromSearchWorker =
  | { kind: "ready"; version: typeof SEARCH_PROTOCOL_VERSION }
  | { kind: "expanded"; id: number; result: SliceResult }
  | { kind: "failed"; id: number; message: string };

/** A `default:` branch that stops compiling when a message kind is added. */
export function unhandled(message: never): never {
  throw new Error(`unhandled message ${JSON.stringify(message)}`);
}

/** Structural check on what arrives from a worker (it may be anything). */
/** How often a load reports its progress. */
export const PROGRESS_MS = 250;

export function isFromWorker(data: unknown): data is FromWorker {
  return typeof data === "object" && data !== null && typeof (data as { kind?: unknown }).kind === "string";
}

/** Structural check on what arrives from a search worker. */
export function isFromSearchWorker(data: unknown): data is FromSearchWorker {
  if (typeof data !== "object" || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === "ready" || ((kind === "expanded" || kind === "failed") && typeof (data as { id?: unknown }).id === "number");
}
