// SPDX-License-Identifier: GPL-2.0-only
/**
 * Search workers for unit tests: answerSearch (what the real worker runs)
 * behind an asynchronous, structured-clone boundary. A worker can be told
 * to misbehave after some tasks: throw (onerror), hang (never answer) or
 * answer outside the protocol.
 */
import type { SearchWorkerLike } from "../machines/searchPool";
import type { ToSearchWorker } from "../worker/protocol";
import { answerSearch } from "../worker/searchHost";

export type Misbehaviour = "throw" | "hang" | "garbage";

export interface FakeSearchWorkers {
  create: () => SearchWorkerLike;
  /** Every worker made so far, oldest first. */
  readonly made: { tasks: number; answered: number; terminated: boolean }[];
  /** Workers made and not terminated. */
  live(): number;
}

export function fakeSearchWorkers(options: { misbehave?: Misbehaviour; afterTasks?: number } = {}): FakeSearchWorkers {
  const made: FakeSearchWorkers["made"] = [];
  const create = (): SearchWorkerLike => {
    const record = { tasks: 0, answered: 0, terminated: false };
    made.push(record);
    const worker: SearchWorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage(msg: ToSearchWorker) {
        const n = ++record.tasks;
        const copy = structuredClone(msg);
        setTimeout(() => {
          if (record.terminated) return;
          if (options.misbehave && n > (options.afterTasks ?? 0)) {
            if (options.misbehave === "throw") worker.onerror?.({ message: "test: a search worker threw" });
            if (options.misbehave === "garbage") worker.onmessage?.({ data: "not a message" });
            return; // hang: never answer
          }
          const answer = structuredClone(answerSearch(copy));
          record.answered++;
          worker.onmessage?.({ data: answer });
        }, 0);
      },
      terminate() {
        record.terminated = true;
      },
    };
    setTimeout(() => !record.terminated && worker.onmessage?.({ data: { kind: "ready", version: 1 } }), 0);
    return worker;
  };
  return { create, made, live: () => made.filter((m) => !m.terminated).length };
}
