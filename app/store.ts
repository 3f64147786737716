// SPDX-License-Identifier: GPL-2.0-only
/**
 * What is true now: the trace, its steps, the cursor, the snapshot on
 * screen, the selection, the theme. Data only: no timers, no worker, no
 * modes. Machines (app/machines/) write through these actions; components
 * read with narrow selectors.
 */
import { create } from "zustand";
import { DEFAULT_POLICY } from "../core/model/policies";
import type { Diagnostic, Finding, FindingKind, KernelId, PolicyId, StateView, Verdict } from "../core/index";
import { appStory, storyCheck, storyOfSource } from "./stories";
import type { DryRun, FreshNames, LifeRow, MatrixRow, OpInfo, StepColumns, StepDetail, StepError } from "./worker/protocol";
import { columnsOf, firstAfter } from "./worker/columns";

export type Theme = "light" | "dark";
export type WorkerHealth =
  | { state: "starting" }
  | { state: "ready" }
  | { state: "recovering"; reason: string }
  | { state: "recovered"; reason: string }
  | { state: "failed"; reason: string };

/** A trace as the user had it, kept when something else is opened over it. */
export interface SavedTrace {
  readonly source: string;
  readonly policyChoice: PolicyId | null;
  readonly kernelChoice: KernelId | null;
  readonly withoutChoice?: readonly string[] | null;
  readonly cursor: number;
  readonly storyId: string | null;
}

/** A message above the graph: a link that could not be opened, or what an open replaced. Plain text. */
export interface Notice {
  readonly kind: "error" | "info";
  readonly text: string;
  /** The trace an open replaced, offered back. */
  readonly previous?: SavedTrace;
  /** A link that could not be opened: the address bar keeps it (to be repaired by hand) until the user moves on. */
  readonly keepAddress?: boolean;
  /** What could still be read of a damaged link, offered to open. */
  readonly recovered?: string;
}

/** The permalink (or the email text) made for one view, keyed by viewKey(). */
export interface LinkState {
  readonly key: string;
  readonly fragment: string | null;
  readonly problem: string | null;
  readonly notes: readonly string[];
}

export interface EmailState {
  readonly key: string;
  readonly text: string;
  readonly url: string | null;
  readonly warnings: readonly string[];
}

/** Where a search starts: one skb carrying one armed guest page, or the trace on screen up to a step. */
export type SearchStart = { readonly from: "default" } | { readonly from: "trace"; readonly source: string; readonly step: number };

/** What the user asked the counterexample search for (plain data: the machine and the job share it). */
export interface SearchRequest {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly start: SearchStart;
  /** Longest path, in steps after the start (1–6). */
  readonly maxDepth: number;
  /** Distinct states per search before it stops. */
  readonly maxStates: number;
  /** Finding kinds looked for; null: all. */
  readonly kinds: readonly FindingKind[] | null;
  /** Also the shortest trace through each operation (pskb_copy, skb_split ...), as `skbscope search` prints. */
  readonly through: boolean;
  /** Stop a search once every kind looked for has a counterexample. */
  readonly stopWhenFound: boolean;
}

/** A counterexample, ready to open: its trace as text (start included) and what the checker says at its last step. */
export interface SearchFound {
  readonly kind: FindingKind;
  /** Steps after the start. */
  readonly length: number;
  /** The operations after the start, printed. */
  readonly ops: readonly string[];
  readonly source: string;
  readonly finding: { readonly kind: FindingKind; readonly step: number; readonly message: string };
  /** A replay of `source` shows the finding at its last step (false would be a search bug). */
  readonly verified: boolean;
}

/** One search of a job: every operation (op null), or one operation with the base ones. */
export interface SearchPhase {
  readonly op: string | null;
  /** Every path of at most this many steps was judged. */
  readonly depth: number;
  readonly maxDepth: number;
  /** Distinct states below the bound (core/search SearchResult.states). */
  readonly states: number;
  /** Steps judged at the bound, not deduplicated (core/search SearchResult.leaves). */
  readonly leaves?: number;
  readonly transitions: number;
  readonly stoppedBy: "budget" | "cancelled" | "found" | "time" | null;
  /** No state was left to expand: the depth did not matter. */
  readonly exhausted: boolean;
  /** Shortest per kind, worst first (through an operation: only those that need it). */
  readonly found: readonly SearchFound[];
  /** Through an operation: kinds found that show also with every call of it deleted. */
  readonly alsoWithout: readonly FindingKind[];
  /** Engine failures met on the way (engine bugs), and the first one's text. */
  readonly internal: number;
  readonly internalFirst: string | null;
  readonly elapsedMs: number;
  /** The bounded proof, as the CLI words it (core/search proofText); null when stopped early. */
  readonly proof: string | null;
  /** Through an operation: not searched, as the whole search found nothing (core/search throughImplied). */
  readonly implied: boolean;
  /** Every path up to the bound judged, or settled by the whole search (core/search reachedBound). */
  readonly reachedBound: boolean;
  /**
   * Through an operation, leaning on the whole search (core/search
   * throughShortcut): kinds it did not find are absent here too; only
   * `searched` were looked for (stopping once found), `implied` are the
   * whole search's counterexamples, which call the operation. Null otherwise.
   */
  readonly settled?: { readonly searched: readonly FindingKind[]; readonly implied: readonly FindingKind[]; readonly neverApplied?: boolean } | null;
}

export interface SearchProgress {
  /** Index of the running search of the job, and how many it has. */
  readonly phase: number;
  readonly phases: number;
  readonly op: string | null;
  /** Length of the paths being judged, and the bound. */
  readonly depth: number;
  readonly maxDepth: number;
  /** Distinct states of the running search, and of the whole job so far. */
  readonly states: number;
  readonly totalStates: number;
  readonly elapsedMs: number;
  /** The job's distinct states per second. */
  readonly statesPerSecond: number;
  /** Nodes of the level being expanded, and how many are done (progress within a level). */
  readonly levelSize: number;
  readonly levelDone: number;
}

/** How a finished job went. */
export interface SearchSummary {
  readonly elapsedMs: number;
  readonly totalStates: number;
  readonly statesPerSecond: number;
}

/** The counterexample search's data; what it is doing now is the search machine's. */
export interface SearchData {
  readonly request: SearchRequest | null;
  /** Search workers the last job ran on. */
  readonly workers: number;
  readonly progress: SearchProgress | null;
  readonly phases: readonly SearchPhase[];
  readonly summary: SearchSummary | null;
  readonly error: string | null;
}

export const NO_SEARCH: SearchData = { request: null, workers: 0, progress: null, phases: [], summary: null, error: null };

export interface ScopeData {
  source: string;
  /** Bumped whenever `source` changes: a cheap identity for a long text. */
  sourceRev: number;
  /** How the text last changed: the user edited it (typing, the operation form) or something was opened over it. */
  sourceOrigin: "edit" | "open";
  /** Bumped when a different trace is opened (a story, a file, a link, a new trace), not on edits: a new layout. */
  openRev: number;
  /** The story the trace was opened from (kept while it is edited), or null. */
  storyId: string | null;
  title: string | null;
  /** The policy and kernel the user chose; null follows the trace's header. */
  policyChoice: PolicyId | null;
  kernelChoice: KernelId | null;
  /** Fixes the user switched off in the fixes panel; null follows the trace's `# without:` header. */
  withoutChoice: readonly string[] | null;
  /** What the last run used. */
  policy: PolicyId;
  kernel: KernelId;
  /** The fixes the last run reverted (empty: the kernel as shipped). */
  without: readonly string[];
  diagnostics: readonly Diagnostic[];
  /** The name a new result of each kind gets (the worker works it out from the trace). */
  fresh: FreshNames;
  ops: readonly OpInfo[];
  stepCount: number;
  /** The loaded run's failing steps, at their lines (the first few hundred). */
  stepErrors: readonly StepError[];
  /** The loaded trace ran up to this line, its first with an error (null: all of it ran). */
  stoppedAt: number | null;
  columns: StepColumns;
  findings: readonly Finding[];
  verdict: Verdict | null;
  loadMs: number | null;
  matrix: readonly MatrixRow[] | null;
  /** With fixes reverted: the matrix of the same trace with every fix in. */
  matrixShipped: readonly MatrixRow[] | null;
  lifetimes: { rows: readonly LifeRow[]; omitted: number } | null;
  cursor: number;
  /** The snapshot on screen, and the step it shows (may lag the cursor). */
  view: StateView | null;
  prev: StateView | null;
  detail: StepDetail | null;
  /** The trace's narration at the step on screen (0: its introduction). */
  caption: string;
  shownStep: number;
  /**
   * The title of the trace whose step is on screen: `title` changes as soon
   * as a new trace is parsed, this once its first step is drawn.
   */
  shownTitle: string | null;
  /** The openRev of the trace whose step is on screen: the graph lays out afresh when it changes. */
  shownOpenRev: number;
  /** A graph key ("skb:a", "page:g"). */
  selection: string | null;
  /** A name from a link, selected once a step showing it is on screen. */
  pendingSelection: string | null;
  /** The object under the pointer or the keyboard focus: it and its holders light up. */
  pointed: string | null;
  /** What the last finished load ran (null before the first). */
  loaded: { source: string; policyChoice: PolicyId | null; kernelChoice: KernelId | null; withoutChoice?: readonly string[] | null } | null;
  /** A link or pasted text is being read. */
  opening: boolean;
  notice: Notice | null;
  link: LinkState | null;
  email: EmailState | null;
  /** Stories whose verdict matrix the worker computed this session: the mismatches (empty: all as expected). */
  checked: Readonly<Record<string, readonly string[]>>;
  presenting: boolean;
  /** Embedded in an iframe: graph, step controls and narration only. */
  embed: boolean;
  dialog: "gallery" | "share" | "search" | "recent" | null;
  search: SearchData;
  theme: Theme;
  health: WorkerHealth;
  speed: number;
  panels: { editor: boolean; side: boolean; lifetimes: boolean };
  helpOpen: boolean;
  /** The operation form's dry run of its draft, for the draft and step `key` names (app/ops.ts dryRunKey). */
  dryRun: DryRunState | null;
}

/** A draft tried in the worker after a step: its printed line and what the kernel would do. */
export interface DryRunState {
  readonly key: string;
  readonly line: string;
  /** Null: the trace changed before it could be tried. */
  readonly outcome: DryRun | null;
  /** The form asked to commit it and it was held back as refused. */
  readonly heldBack: boolean;
}

const NO_NAMES_USED: FreshNames = { skb: "b", page: "p", pipe: "q", sock: "s", list: "segs" };
const NO_COLUMNS: StepColumns = columnsOf(new Int32Array(0), new Uint8Array(0));

export function initialData(): ScopeData {
  return {
    source: "",
    sourceRev: 0,
    sourceOrigin: "open",
    openRev: 0,
    storyId: null,
    title: null,
    policyChoice: null,
    kernelChoice: null,
    withoutChoice: null,
    policy: DEFAULT_POLICY,
    kernel: "6.1",
    without: [],
    diagnostics: [],
    fresh: NO_NAMES_USED,
    ops: [],
    stepCount: 0,
    stepErrors: [],
    stoppedAt: null,
    columns: NO_COLUMNS,
    findings: [],
    verdict: null,
    loadMs: null,
    matrix: null,
    matrixShipped: null,
    lifetimes: null,
    cursor: 0,
    view: null,
    prev: null,
    detail: null,
    caption: "",
    shownStep: -1,
    shownTitle: null,
    shownOpenRev: 0,
    selection: null,
    pendingSelection: null,
    pointed: null,
    loaded: null,
    opening: false,
    notice: null,
    link: null,
    email: null,
    checked: {},
    presenting: false,
    embed: false,
    dialog: null,
    search: NO_SEARCH,
    theme: "light",
    health: { state: "starting" },
    speed: 2,
    panels: { editor: true, side: true, lifetimes: true },
    helpOpen: false,
    dryRun: null,
  };
}

export const useScope = create<ScopeData>()(() => initialData());

const get = () => useScope.getState();
const set = (patch: Partial<ScopeData>) => useScope.setState(patch);

export const clampStep = (step: number, count = get().stepCount) => Math.max(0, Math.min(count, Math.round(step)));

/** A new text: `edit` when the user changed it, `open` when something replaced it. */
export function setSource(source: string, origin: ScopeData["sourceOrigin"] = "open"): void {
  if (source === get().source) return;
  const { sourceRev, openRev } = get();
  set({ source, sourceRev: sourceRev + 1, sourceOrigin: origin, openRev: origin === "open" ? openRev + 1 : openRev });
}

export function setChoices(policyChoice: PolicyId | null, kernelChoice: KernelId | null): void {
  set({ policyChoice, kernelChoice });
}

/** The fixes panel's choice (null: follow the trace's header). */
export function setWithoutChoice(withoutChoice: readonly string[] | null): void {
  set({ withoutChoice });
}

export function setCursor(step: number): void {
  const cursor = clampStep(step);
  if (cursor !== get().cursor) set({ cursor });
}

export function select(key: string | null): void {
  set({ selection: key, pendingSelection: null });
}

/** The object under the pointer or focus (a graph key), or null. */
export function point(key: string | null): void {
  if (get().pointed !== key) set({ pointed: key });
}

export function setStoryId(storyId: string | null): void {
  set({ storyId });
}

export function setOpening(opening: boolean): void {
  set({ opening });
}

export function setNotice(notice: Notice | null): void {
  set({ notice });
}

export function setLink(link: LinkState | null): void {
  set({ link });
}

export function setEmail(email: EmailState | null): void {
  set({ email });
}

export function setPresenting(presenting: boolean): void {
  set({ presenting });
}

export function setPanels(panels: ScopeData["panels"]): void {
  set({ panels });
}

export function setEmbed(embed: boolean): void {
  set({ embed });
}

export function openDialog(dialog: ScopeData["dialog"]): void {
  set({ dialog });
}

/** The trace on screen, to offer back after something replaces it. */
export function savedTrace(): SavedTrace {
  const s = get();
  return { source: s.source, policyChoice: s.policyChoice, kernelChoice: s.kernelChoice, withoutChoice: s.withoutChoice, cursor: s.cursor, storyId: s.storyId };
}

/** Is the trace the user's own work (not empty, not a story's file as shipped)? */
export function isOwnWork(source: string = get().source): boolean {
  return source.trim() !== "" && storyOfSource(source) === undefined;
}

/** The graph key's object name ("page:g" → "g"). */
export function nameOfKey(key: string | null): string | null {
  if (!key) return null;
  const at = key.indexOf(":");
  return at >= 0 ? key.slice(at + 1) : key;
}

/**
 * The graph key of an object named in a link. Names are unique in a trace
 * and kernel-made names (h1, k1, z1) never clash with them, so the first
 * kind that has it is the one.
 */
export function keyForName(view: StateView, name: string): string | null {
  if (view.skbs.some((x) => x.name === name)) return `skb:${name}`;
  if (view.datas.some((x) => x.head === name)) return `data:${name}`;
  if (view.pages.some((x) => x.name === name)) return `page:${name}`;
  if (view.pipes.some((x) => x.name === name)) return `pipe:${name}`;
  if (view.sockets.some((x) => x.name === name)) return `sock:${name}`;
  if (view.ubufs.some((x) => x.name === name)) return `ubuf:${name}`;
  if (view.buffers.some((x) => x.name === name)) return `buffer:${name}`;
  return null;
}

/**
 * Everything a permalink says, as one string: when it changes, the
 * address bar needs a new link; a link made for an older key is stale.
 */
export function viewKey(
  s: Pick<ScopeData, "sourceRev" | "policyChoice" | "kernelChoice" | "cursor" | "selection" | "storyId"> & { withoutChoice?: readonly string[] | null } = get(),
): string {
  return JSON.stringify([
    s.sourceRev,
    s.policyChoice,
    s.kernelChoice,
    s.cursor,
    nameOfKey(s.selection),
    s.storyId,
    ...(s.withoutChoice ? [s.withoutChoice] : []),
  ]);
}

/** Is the view on screen the loaded trace's, at the cursor, with nothing pending? */
export function viewSettled(s: ScopeData = get()): boolean {
  return (
    s.loaded !== null &&
    s.loaded.source === s.source &&
    s.loaded.policyChoice === s.policyChoice &&
    s.loaded.kernelChoice === s.kernelChoice &&
    (s.loaded.withoutChoice ?? null) === s.withoutChoice &&
    s.shownStep === s.cursor &&
    s.pendingSelection === null &&
    !s.opening
  );
}

export function setTheme(theme: Theme): void {
  set({ theme });
}

export function setHealth(health: WorkerHealth): void {
  set({ health });
}

export function setSpeed(speed: number): void {
  set({ speed: Math.max(0.25, Math.min(20, speed)) });
}

export function togglePanel(panel: keyof ScopeData["panels"]): void {
  const panels = get().panels;
  set({ panels: { ...panels, [panel]: !panels[panel] } });
}

export function setHelpOpen(helpOpen: boolean): void {
  set({ helpOpen });
}

export function setOps(ops: readonly OpInfo[]): void {
  set({ ops });
}

export const setDryRun = (dryRun: DryRunState | null): void => set({ dryRun });

export function applyParsed(p: {
  diagnostics: readonly Diagnostic[];
  title: string | null;
  policy: PolicyId;
  kernel: KernelId;
  without?: readonly string[];
  fresh: FreshNames;
}): void {
  set({ diagnostics: p.diagnostics, title: p.title, policy: p.policy, kernel: p.kernel, without: p.without ?? [], fresh: p.fresh });
}

/**
 * A new run of the trace. The cursor stays where it was (clamped), so an
 * edit or a worker restart never loses the user's place; `position` moves
 * it (to the end after an appended operation, to the story's violation).
 */
export function applyLoaded(
  l: {
    stepCount: number;
    columns: StepColumns;
    findings: readonly Finding[];
    verdict: Verdict;
    ms: number;
    errors?: readonly StepError[];
    stoppedAt?: number | null;
  },
  position?: number,
  from?: ScopeData["loaded"],
): void {
  const cursor = clampStep(position ?? get().cursor, l.stepCount);
  set({
    stepCount: l.stepCount,
    stepErrors: l.errors ?? [],
    stoppedAt: l.stoppedAt ?? null,
    columns: l.columns,
    findings: l.findings,
    verdict: l.verdict,
    loadMs: l.ms,
    cursor,
    matrix: null,
    matrixShipped: null,
    lifetimes: null,
    ...(from ? { loaded: from } : {}),
  });
}

/**
 * The verdict matrix of the loaded trace. When the trace is a story as
 * shipped, on its own kernel, the matrix is also checked against the
 * story's expected verdicts (the gallery shows the outcome).
 */
export function applyMatrix(matrix: readonly MatrixRow[], kernel?: KernelId, shipped: readonly MatrixRow[] | null = null): void {
  const s = get();
  const story = appStory(s.storyId);
  // The expectations are for the story's code as shipped: no fix reverted.
  if (
    story &&
    s.loaded?.source === story.source &&
    story.source === s.source &&
    kernel !== undefined &&
    kernel === (story.kernel ?? "6.1") &&
    s.without.length === 0
  ) {
    set({ matrix, matrixShipped: shipped, checked: { ...s.checked, [story.id]: storyCheck(story, matrix) } });
  } else {
    set({ matrix, matrixShipped: shipped });
  }
}

export function applyLifetimes(lifetimes: { rows: readonly LifeRow[]; omitted: number }): void {
  set({ lifetimes });
}

export function applySnapshot(step: number, view: StateView, prev: StateView | null, detail: StepDetail | null, caption = ""): void {
  const { selection, pendingSelection, cursor, title, openRev } = get();
  // A selection that no longer exists in this step is dropped from the form
  // but kept as the user's choice if it comes back (e.g. stepping back).
  // A selection from a link waits for the link's own step.
  if (pendingSelection !== null && step === cursor) {
    set({
      shownStep: step,
      shownTitle: title,
      shownOpenRev: openRev,
      view,
      prev,
      detail,
      caption,
      selection: keyForName(view, pendingSelection),
      pendingSelection: null,
    });
    return;
  }
  set({ shownStep: step, shownTitle: title, shownOpenRev: openRev, view, prev, detail, caption, selection });
}

/** A search job starts: what it was asked, on how many workers; the last job's data goes. */
export function beginSearch(request: SearchRequest, workers: number): void {
  set({ search: { ...NO_SEARCH, request, workers } });
}

export function setSearchProgress(progress: SearchProgress): void {
  set({ search: { ...get().search, progress } });
}

export function addSearchPhase(phase: SearchPhase): void {
  const search = get().search;
  set({ search: { ...search, phases: [...search.phases, phase] } });
}

export function finishSearch(summary: SearchSummary): void {
  set({ search: { ...get().search, summary } });
}

export function failSearch(error: string): void {
  set({ search: { ...get().search, error } });
}

/** Steps whose findings are violations, ascending. */
export function violationSteps(columns: StepColumns = get().columns): number[] {
  return Array.from(columns.violations);
}

/** The first violating step after `from`, or null. */
export function nextViolation(from: number, columns: StepColumns = get().columns): number | null {
  return firstAfter(columns.violations, from);
}

export function firstViolation(columns: StepColumns = get().columns): number | null {
  return nextViolation(0, columns);
}

/** Test helper: back to a blank store. */
export function resetStore(): void {
  useScope.setState(initialData(), true);
}
