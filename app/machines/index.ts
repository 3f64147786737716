/**
 * The running machines and their wiring: the store's cursor drives the
 * engine's snapshot requests; edits to the trace, the policy or the kernel
 * re-run it (an edit after a short pause in typing).
 */
import { createActor, type Actor } from "xstate";
import type { KernelId, PolicyId } from "../../core/index";
import { setChoices, setSource, useScope } from "../store";
import type { CrashHow, OpDraft } from "../worker/protocol";
import { engineMachine, type Position } from "./engine";
import { playbackMachine } from "./playback";
import type { WorkerFactory } from "./workerActor";

export const EDIT_DEBOUNCE_MS = 300;

export interface Machines {
  engine: Actor<typeof engineMachine>;
  playback: Actor<typeof playbackMachine>;
  /** The user typed in the editor: re-run after a pause. */
  edit(source: string): void;
  /** Load a whole new trace (a story, a file) and position the cursor. */
  open(source: string, position: Position): void;
  choose(policy: PolicyId | null, kernel: KernelId | null): void;
  append(draft: OpDraft): void;
  crash(how: CrashHow): void;
  stop(): void;
}

export function startMachines(createWorker: WorkerFactory, watchdogMs?: number): Machines {
  const engine = createActor(engineMachine, { input: { createWorker, watchdogMs } });
  const playback = createActor(playbackMachine);
  let editTimer: ReturnType<typeof setTimeout> | undefined;

  const unsubscribe = useScope.subscribe((now, before) => {
    if (now.cursor !== before.cursor || now.stepCount !== before.stepCount) engine.send({ type: "SHOW", step: now.cursor });
  });
  engine.start();
  playback.start();

  return {
    engine,
    playback,
    edit(source) {
      setSource(source);
      clearTimeout(editTimer);
      editTimer = setTimeout(() => engine.send({ type: "LOAD" }), EDIT_DEBOUNCE_MS);
    },
    open(source, position) {
      clearTimeout(editTimer);
      playback.send({ type: "PAUSE" });
      setChoices(null, null);
      setSource(source);
      engine.send({ type: "LOAD", position });
    },
    choose(policy, kernel) {
      setChoices(policy, kernel);
      engine.send({ type: "LOAD" });
    },
    append(draft) {
      playback.send({ type: "PAUSE" });
      engine.send({ type: "APPEND", draft });
    },
    crash(how) {
      engine.send({ type: "CRASH", how });
    },
    stop() {
      clearTimeout(editTimer);
      unsubscribe();
      playback.stop();
      engine.stop();
    },
  };
}
