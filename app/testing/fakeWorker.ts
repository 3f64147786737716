// SPDX-License-Identifier: GPL-2.0-only
/**
 * A Worker stand-in for unit tests: the real EngineHost behind an
 * asynchronous, structured-clone boundary, with the test hook's failures
 * acted out (throw → onerror; hang → silence; exit → silence, and
 * `exited()` resolves, as a real worker's lock is released). A load whose
 * source holds `hangOn` hangs: progress up to that line, then silence.
 */
import { EngineHost } from "../worker/engineHost";
import type { ToWorker } from "../worker/protocol";
import type { WorkerLike } from "../machines/workerActor";

export interface FakeWorkers {
  create: () => WorkerLike;
  /** Every worker created so far, newest last. */
  readonly made: { sent: ToWorker[]; terminated: boolean }[];
}

export function fakeWorkers(options: { hangOn?: string } = {}): FakeWorkers {
  const made: FakeWorkers["made"] = [];
  const create = (): WorkerLike => {
    const record = { sent: [] as ToWorker[], terminated: false };
    made.push(record);
    let silent = false;
    let exit: () => void = () => {};
    const exited = new Promise<void>((resolve) => (exit = resolve));
    const worker: WorkerLike = {
      exited: () => exited,
      onmessage: null,
      onerror: null,
      postMessage(msg) {
        record.sent.push(structuredClone(msg));
        if (msg.kind === "crash") {
          if (msg.how === "throw") setTimeout(() => !record.terminated && worker.onerror?.({ message: "test hook: the engine worker threw" }), 0);
          else silent = true;
          if (msg.how === "exit") setTimeout(exit, 0);
          return;
        }
        if (msg.kind === "load" && options.hangOn && msg.source.includes(options.hangOn)) {
          const line = msg.source.split("\n").findIndex((l) => l.includes(options.hangOn!)) + 1;
          setTimeout(() => !record.terminated && worker.onmessage?.({ data: { kind: "progress", seq: msg.seq, step: line, line } }), 0);
          silent = true;
          return;
        }
        setTimeout(() => !silent && !record.terminated && host.handle(structuredClone(msg)), 0);
      },
      terminate() {
        record.terminated = true;
        exit();
      },
    };
    const host = new EngineHost(
      (m) => setTimeout(() => !silent && !record.terminated && worker.onmessage?.({ data: structuredClone(m) }), 0),
      (task) => setTimeout(task, 0),
    );
    setTimeout(() => host.start(true), 0);
    return worker;
  };
  return { create, made };
}
