// SPDX-License-Identifier: GPL-2.0-only
/**
 * The engine worker as an actor: created when the machine enters the state
 * that invokes it, terminated when it leaves (a restart is leaving and
 * entering again). It forwards the worker's messages, its death, and a
 * watchdog's verdict when a request gets no answer in time.
 */
import { fromCallback } from "xstate";
import { isFromWorker, type FromWorker, type ToWorker } from "../worker/protocol";

/** What the machine needs of a Worker (a fake one in unit tests). */
export interface WorkerLike {
  postMessage(message: ToWorker): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  onmessageerror?: ((e: unknown) => void) | null;
  /**
   * Resolves when the worker is gone, however it went (a silent
   * self.close() fires no event): asked once, after its "ready".
   */
  exited?(): Promise<unknown>;
}

export type WorkerFactory = () => WorkerLike;

/** Replies that answer a request for good (`parsed` comes before the long part of a load). */
const FINAL = new Set<FromWorker["kind"]>(["loaded", "snapshot", "formatted", "failed", "linked", "emailed", "opened"]);

export type FromWorkerActor =
  | { type: "WORKER.MESSAGE"; msg: FromWorker }
  /** `watchdog`: killed for not answering in time (not a throw or an exit). */
  | { type: "WORKER.DIED"; reason: string; watchdog?: boolean };

/** Sent to the actor: post this message, and expect an answer within `budgetMs`. */
export interface PostEvent {
  type: "POST";
  msg: ToWorker;
  budgetMs: number | null;
}

export interface WorkerActorInput {
  createWorker: WorkerFactory;
  /** How long the worker may stay silent before it is declared hung (ready included). */
  readyBudgetMs: number;
}

export const workerActor = fromCallback<PostEvent, WorkerActorInput, FromWorkerActor>(({ sendBack, receive, input }) => {
  let worker: WorkerLike | null = input.createWorker();
  let dead = false;
  /** Deadlines of requests still waiting for an answer, by seq. */
  const deadlines = new Map<number, number>();
  let readyBy: number | null = Date.now() + input.readyBudgetMs;

  const die = (reason: string, watchdog = false) => {
    if (dead) return;
    dead = true;
    worker?.terminate();
    worker = null;
    sendBack({ type: "WORKER.DIED", reason, ...(watchdog ? { watchdog } : {}) });
  };

  worker.onmessage = (e) => {
    if (!isFromWorker(e.data)) return die("the engine worker sent a message outside the protocol");
    const msg = e.data;
    if (msg.kind === "ready") {
      readyBy = null;
      // Noticed at once, not at the next request's deadline (only when the
      // worker holds the lock: else the page would be granted it at once).
      if (msg.holdsLock) worker?.exited?.().then(() => die("the engine worker exited"));
    }
    if (FINAL.has(msg.kind) && "seq" in msg) deadlines.delete(msg.seq);
    sendBack({ type: "WORKER.MESSAGE", msg });
  };
  worker.onerror = (e) => die(`the engine worker threw: ${e.message ?? "unknown error"}`);
  worker.onmessageerror = () => die("a message from the engine worker could not be read");

  const timer = setInterval(() => {
    const now = Date.now();
    if (readyBy !== null && now > readyBy) return die("the engine worker did not start");
    for (const deadline of deadlines.values()) if (now > deadline) return die("the engine worker stopped answering (watchdog)", true);
  }, 250);

  receive((event) => {
    if (dead || !worker) return;
    if (event.budgetMs !== null) deadlines.set(event.msg.seq, Date.now() + event.budgetMs);
    worker.postMessage(event.msg);
  });

  return () => {
    clearInterval(timer);
    dead = true;
    worker?.terminate();
  };
});
