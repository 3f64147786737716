/**
 * What is true now: the trace, its steps, the cursor, the snapshot on
 * screen, the selection, the theme. Data only: no timers, no worker, no
 * modes. Machines (app/machines/) write through these actions; components
 * read with narrow selectors.
 */
import { create } from "zustand";
import type { Diagnostic, Finding, KernelId, PolicyId, StateView, Verdict } from "../core/index";
import { STEP_VIOLATION, type LifeRow, type MatrixRow, type OpInfo, type StepColumns, type StepDetail } from "./worker/protocol";

export type Theme = "light" | "dark";
export type WorkerHealth =
  | { state: "starting" }
  | { state: "ready" }
  | { state: "recovering"; reason: string }
  | { state: "recovered"; reason: string }
  | { state: "failed"; reason: string };

export interface ScopeData {
  source: string;
  title: string | null;
  /** The policy and kernel the user chose; null follows the trace's header. */
  policyChoice: PolicyId | null;
  kernelChoice: KernelId | null;
  /** What the last run used. */
  policy: PolicyId;
  kernel: KernelId;
  diagnostics: readonly Diagnostic[];
  names: readonly string[];
  ops: readonly OpInfo[];
  stepCount: number;
  columns: StepColumns;
  findings: readonly Finding[];
  verdict: Verdict | null;
  loadMs: number | null;
  matrix: readonly MatrixRow[] | null;
  lifetimes: { rows: readonly LifeRow[]; omitted: number } | null;
  cursor: number;
  /** The snapshot on screen, and the step it shows (may lag the cursor). */
  view: StateView | null;
  prev: StateView | null;
  detail: StepDetail | null;
  shownStep: number;
  selection: string | null;
  theme: Theme;
  health: WorkerHealth;
  playing: boolean;
  speed: number;
  panels: { editor: boolean; side: boolean; lifetimes: boolean };
  helpOpen: boolean;
}

const NO_COLUMNS: StepColumns = { lines: new Int32Array(0), flags: new Uint8Array(0) };

export function initialData(): ScopeData {
  return {
    source: "",
    title: null,
    policyChoice: null,
    kernelChoice: null,
    policy: "page-refs",
    kernel: "6.1",
    diagnostics: [],
    names: [],
    ops: [],
    stepCount: 0,
    columns: NO_COLUMNS,
    findings: [],
    verdict: null,
    loadMs: null,
    matrix: null,
    lifetimes: null,
    cursor: 0,
    view: null,
    prev: null,
    detail: null,
    shownStep: -1,
    selection: null,
    theme: "light",
    health: { state: "starting" },
    playing: false,
    speed: 2,
    panels: { editor: true, side: true, lifetimes: true },
    helpOpen: false,
  };
}

export const useScope = create<ScopeData>()(() => initialData());

const get = () => useScope.getState();
const set = (patch: Partial<ScopeData>) => useScope.setState(patch);

export const clampStep = (step: number, count = get().stepCount) => Math.max(0, Math.min(count, Math.round(step)));

export function setSource(source: string): void {
  set({ source });
}

export function setChoices(policyChoice: PolicyId | null, kernelChoice: KernelId | null): void {
  set({ policyChoice, kernelChoice });
}

export function setCursor(step: number): void {
  const cursor = clampStep(step);
  if (cursor !== get().cursor) set({ cursor });
}

export function select(name: string | null): void {
  set({ selection: name });
}

export function setTheme(theme: Theme): void {
  set({ theme });
}

export function setHealth(health: WorkerHealth): void {
  set({ health });
}

export function setPlaying(playing: boolean): void {
  set({ playing });
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

export function applyParsed(p: { diagnostics: readonly Diagnostic[]; title: string | null; policy: PolicyId; kernel: KernelId; names: readonly string[] }): void {
  set({ diagnostics: p.diagnostics, title: p.title, policy: p.policy, kernel: p.kernel, names: p.names });
}

/**
 * A new run of the trace. The cursor stays where it was (clamped), so an
 * edit or a worker restart never loses the user's place; `position` moves
 * it (to the end after an appended operation, to the story's violation).
 */
export function applyLoaded(l: { stepCount: number; columns: StepColumns; findings: readonly Finding[]; verdict: Verdict; ms: number }, position?: number): void {
  const cursor = clampStep(position ?? get().cursor, l.stepCount);
  set({ stepCount: l.stepCount, columns: l.columns, findings: l.findings, verdict: l.verdict, loadMs: l.ms, cursor, matrix: null, lifetimes: null });
}

export function applyMatrix(matrix: readonly MatrixRow[]): void {
  set({ matrix });
}

export function applyLifetimes(lifetimes: { rows: readonly LifeRow[]; omitted: number }): void {
  set({ lifetimes });
}

export function applySnapshot(step: number, view: StateView, prev: StateView | null, detail: StepDetail | null): void {
  const selection = get().selection;
  // A selection that no longer exists in this step is dropped from the form
  // but kept as the user's choice if it comes back (e.g. stepping back).
  set({ shownStep: step, view, prev, detail, selection });
}

/** Steps whose findings are violations, ascending. */
export function violationSteps(columns: StepColumns = get().columns): number[] {
  const out: number[] = [];
  for (let i = 0; i < columns.flags.length; i++) if (columns.flags[i] & STEP_VIOLATION) out.push(i + 1);
  return out;
}

/** The first violating step after `from`, or null. */
export function nextViolation(from: number, columns: StepColumns = get().columns): number | null {
  for (let i = Math.max(0, from); i < columns.flags.length; i++) if (columns.flags[i] & STEP_VIOLATION) return i + 1;
  return null;
}

export function firstViolation(columns: StepColumns = get().columns): number | null {
  return nextViolation(0, columns);
}

/** Test helper: back to a blank store. */
export function resetStore(): void {
  useScope.setState(initialData(), true);
}
