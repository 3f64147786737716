// SPDX-License-Identifier: GPL-2.0-only
/**
 * The running machines and their wiring: the store's cursor drives the
 * engine's snapshot requests; edits to the trace, the policy or the kernel
 * re-run it (an edit after a short pause in typing); the address bar
 * follows the view (urlSync); presentation mode collapses the panels; the
 * counterexample search runs in workers of its own (search), and what it
 * finds opens like any trace.
 */
import { createActor, type Actor } from "xstate";
import type { KernelId, PolicyId } from "../../core/index";
import { decodeDraft, encodeDraft, isDraftFragment } from "../editor/draftLink";
import {
  isOwnWork,
  nameOfKey,
  savedTrace,
  setChoices,
  setLink,
  setNotice,
  setSource,
  setStoryId,
  setWithoutChoice,
  useScope,
  viewKey,
  type ScopeData,
  type SavedTrace,
  type SearchFound,
} from "../store";
import { storyOfSource } from "../stories";
import type { CrashHow, OpDraft } from "../worker/protocol";
import { engineMachine, type Fallback, type Position } from "./engine";
import { playbackMachine } from "./playback";
import { presentationMachine, type FullscreenPort } from "./presentation";
import { searchMachine } from "./search";
import type { SearchWorkerFactory } from "./searchPool";
import { urlSyncMachine, type UrlPort } from "./urlSync";
import type { WorkerFactory } from "./workerActor";

export const EDIT_DEBOUNCE_MS = 300;

export interface Machines {
  engine: Actor<typeof engineMachine>;
  playback: Actor<typeof playbackMachine>;
  presentation: Actor<typeof presentationMachine>;
  search: Actor<typeof searchMachine>;
  /** Present only when started with an address bar. */
  urlSync: Actor<typeof urlSyncMachine> | null;
  /** The user typed in the editor: re-run after a pause. */
  edit(source: string): void;
  /**
   * Load a whole new trace (a story, a file) and position the cursor. The
   * story id defaults to the story whose file this is.
   */
  open(source: string, position: Position, storyId?: string | null): void;
  /**
   * Open a counterexample the search found, at its violating step, as any
   * trace (its headers give the policy and kernel). The user's own trace,
   * if it is replaced, is offered back.
   */
  openFound(found: SearchFound): void;
  /** Open a permalink, or text pasted from a mail (a report, trace lines, a link). */
  openText(text: string, as: "link" | "paste"): void;
  /** Put back a trace an open replaced. */
  restore(saved: SavedTrace): void;
  /** Ask for the email text of the loaded trace at `step` (it arrives in the store's `email`). */
  email(step: number, base: string): void;
  choose(policy: PolicyId | null, kernel: KernelId | null): void;
  /** Run with these catalogued fixes reverted (the fixes panel); null follows the trace's header. */
  chooseWithout(without: readonly string[] | null): void;
  /**
   * Put the form's line after the step on screen once the worker has tried
   * it; one the kernel would refuse is held back (the store's dryRun) unless
   * `force`. `key`: the draft and step (ops.ts dryRunKey).
   */
  append(draft: OpDraft, key?: string, force?: boolean): void;
  /** Try the form's draft after the step on screen; the outcome lands in the store's dryRun. */
  tryDraft(draft: OpDraft, key: string): void;
  crash(how: CrashHow): void;
  stop(): void;
}

export interface MachineOptions {
  /** What to show when a link fails and nothing else is on screen. */
  fallback?: Fallback;
  /** The address bar to keep in sync with the view. */
  url?: UrlPort;
  urlDebounceMs?: number;
  fullscreen?: FullscreenPort;
  /** The search workers (none: a search fails with a message), and how many a job gets. */
  search?: { createWorker: SearchWorkerFactory; workers: number };
}

const noSearchWorkers: SearchWorkerFactory = () => {
  throw new Error("this page cannot start search workers");
};

/** Store fields a permalink depends on, or that decide whether the view has settled. */
const LINK_FIELDS: readonly (keyof ScopeData)[] = [
  "sourceRev",
  "policyChoice",
  "kernelChoice",
  "withoutChoice",
  "cursor",
  "selection",
  "storyId",
  "loaded",
  "shownStep",
  "opening",
  "pendingSelection",
  "link",
  "diagnostics",
  "notice",
];

const hasErrors = () => useScope.getState().diagnostics.some((d) => d.severity === "error");

/** The user moved on from a link that could not be opened: the address bar follows the view again. */
function releaseAddress() {
  if (useScope.getState().notice?.keepAddress) setNotice(null);
}

export function startMachines(createWorker: WorkerFactory, watchdogMs?: number, options: MachineOptions = {}): Machines {
  const engine = createActor(engineMachine, { input: { createWorker, watchdogMs, fallback: options.fallback } });
  const playback = createActor(playbackMachine);
  const presentation = createActor(presentationMachine, { input: { fullscreen: options.fullscreen } });
  const search = createActor(searchMachine, {
    input: { createWorker: options.search?.createWorker ?? noSearchWorkers, workers: options.search?.workers ?? 1 },
  });
  const port = options.url;
  const urlSync = port
    ? createActor(urlSyncMachine, {
        input: {
          port,
          debounceMs: options.urlDebounceMs,
          // A trace with errors travels as typed, in a draft link made here; the engine links only what parses.
          requestLink: (key, view) => {
            if (!hasErrors()) return engine.send({ type: "LINK", key, view });
            const s = useScope.getState();
            void encodeDraft({ source: s.source, policyChoice: s.policyChoice, kernelChoice: s.kernelChoice, step: view.step }).then(
              (fragment) => setLink({ key, fragment, problem: null, notes: [] }),
              (e: unknown) => setLink({ key, fragment: null, problem: `the draft link could not be made: ${String(e)}`, notes: [] }),
            );
          },
          openLink: (link) => openText(link, "link"),
        },
      })
    : null;
  let editTimer: ReturnType<typeof setTimeout> | undefined;

  const unsubscribe = useScope.subscribe((now, before) => {
    if (now.cursor !== before.cursor || now.stepCount !== before.stepCount) engine.send({ type: "SHOW", step: now.cursor });
    if (urlSync && LINK_FIELDS.some((f) => now[f] !== before[f])) urlSync.send({ type: "CHANGED" });
  });
  const unlisten = port?.listen(() => urlSync?.send({ type: "HASH" })) ?? (() => {});
  engine.start();
  playback.start();
  presentation.start();
  search.start();
  urlSync?.start();

  function open(source: string, position: Position, storyId?: string | null) {
    clearTimeout(editTimer);
    releaseAddress();
    playback.send({ type: "PAUSE" });
    setChoices(null, null);
    setWithoutChoice(null);
    setSource(source);
    setStoryId(storyId === undefined ? (storyOfSource(source)?.id ?? null) : storyId);
    useScope.setState({ selection: null, pendingSelection: null });
    engine.send({ type: "LOAD", position });
  }

  function openText(text: string, as: "link" | "paste") {
    clearTimeout(editTimer);
    playback.send({ type: "PAUSE" });
    if (as === "link" && isDraftFragment(text)) return void openDraft(text);
    engine.send({ type: "OPEN_TEXT", text, as });
  }

  /** A draft link is read here (it needs no engine); a damaged one offers what it still holds. */
  async function openDraft(fragment: string) {
    const r = await decodeDraft(fragment);
    if (r.ok) {
      const previous = isOwnWork() && useScope.getState().source !== r.draft.source ? savedTrace() : undefined;
      restore({ source: r.draft.source, policyChoice: r.draft.policyChoice, kernelChoice: r.draft.kernelChoice, cursor: r.draft.step, storyId: null });
      if (previous) setNotice({ kind: "info", text: "Your previous trace is kept until you open something else.", previous });
      return;
    }
    setNotice({ kind: "error", text: `This link cannot be opened: ${r.message}.`, keepAddress: true, ...(r.recovered ? { recovered: r.recovered } : {}) });
    const fallback = useScope.getState().source === "" ? options.fallback?.() : null;
    if (fallback) {
      setSource(fallback.source);
      setStoryId(fallback.storyId);
      engine.send({ type: "LOAD", position: "first-violation" });
    }
  }

  function restore(saved: SavedTrace) {
    clearTimeout(editTimer);
    playback.send({ type: "PAUSE" });
    setNotice(null);
    setChoices(saved.policyChoice, saved.kernelChoice);
    setWithoutChoice(saved.withoutChoice ?? null);
    setSource(saved.source);
    setStoryId(saved.storyId);
    engine.send({ type: "LOAD", position: { step: saved.cursor } });
  }

  return {
    engine,
    playback,
    presentation,
    search,
    urlSync,
    openText,
    restore,
    email(step, base) {
      const s = useScope.getState();
      engine.send({ type: "EMAIL", key: viewKey(), view: { step, selection: nameOfKey(s.selection), storyId: s.storyId }, base });
    },
    edit(source) {
      releaseAddress();
      setSource(source, "edit");
      clearTimeout(editTimer);
      editTimer = setTimeout(() => engine.send({ type: "LOAD" }), EDIT_DEBOUNCE_MS);
    },
    openFound(found) {
      const previous = isOwnWork() && useScope.getState().source !== found.source ? savedTrace() : undefined;
      open(found.source, { step: found.finding.step }, null);
      setNotice(
        previous ? { kind: "info", text: "A counterexample from the search replaced your trace; it is kept until you open something else.", previous } : null,
      );
    },
    open,
    choose(policy, kernel) {
      setChoices(policy, kernel);
      engine.send({ type: "LOAD" });
    },
    chooseWithout(without) {
      setWithoutChoice(without);
      engine.send({ type: "LOAD" });
    },
    append(draft, key, force) {
      playback.send({ type: "PAUSE" });
      engine.send({ type: "APPEND", draft, ...(key !== undefined ? { key } : {}), ...(force ? { force } : {}) });
    },
    tryDraft(draft, key) {
      engine.send({ type: "TRY", draft, key });
    },
    crash(how) {
      engine.send({ type: "CRASH", how });
    },
    stop() {
      clearTimeout(editTimer);
      unsubscribe();
      unlisten();
      urlSync?.stop();
      search.stop();
      presentation.stop();
      playback.stop();
      engine.stop();
    },
  };
}
