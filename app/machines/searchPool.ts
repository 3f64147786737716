// SPDX-License-Identifier: GPL-2.0-only
/**
 * The search workers of one search job, as a pool that runs slice tasks:
 * `run(task)` resolves to the worker's expandTask(task). Each task goes to
 * the worker with the fewest tasks in flight; a worker answers its tasks
 * in order, so keeping a few in flight per worker hides the round trips.
 *
 * A worker that throws, sends something outside the protocol or stays
 * silent too long fails the whole pool: every worker is terminated and
 * every task rejected. terminate() does the same for a cancel. A pool is
 * used for one job and never restarted: a new job makes a new pool.
 */
import type { SliceResult, SliceTask } from "../../core/search/index";
import { isFromSearchWorker, type ToSearchWorker } from "../worker/protocol";

/** What the pool needs of a Worker (a fake one in unit tests). */
export interface SearchWorkerLike {
  postMessage(message: ToSearchWorker): void;
  terminate(): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string }) => void) | null;
  onmessageerror?: ((e: unknown) => void) | null;
}

export type SearchWorkerFactory = () => SearchWorkerLike;

export interface SearchPool {
  readonly size: number;
  run(task: SliceTask): Promise<SliceResult>;
  /** Terminate every worker and reject the tasks in flight (with PoolClosed). Idempotent. */
  terminate(): void;
}

/** Why a task was rejected after terminate(): not an error to show. */
export class PoolClosed extends Error {
  constructor() {
    super("the search was stopped");
  }
}

export interface PoolOptions {
  /** How long a worker may take over one task before it is declared hung. */
  taskBudgetMs?: number;
}

interface Pending {
  resolve(result: SliceResult): void;
  reject(error: Error): void;
  since: number;
}

interface Member {
  worker: SearchWorkerLike;
  inFlight: Map<number, Pending>;
}

export function createSearchPool(create: SearchWorkerFactory, size: number, options: PoolOptions = {}): SearchPool {
  const budget = options.taskBudgetMs ?? 60_000;
  const members: Member[] = [];
  let nextId = 0;
  let closed: Error | null = null;
  let watchdog: ReturnType<typeof setInterval> | null = null;

  const close = (why: Error) => {
    if (closed) return;
    closed = why;
    if (watchdog !== null) clearInterval(watchdog);
    for (const m of members) {
      m.worker.onmessage = m.worker.onerror = null;
      if (m.worker.onmessageerror !== undefined) m.worker.onmessageerror = null;
      m.worker.terminate();
      for (const p of m.inFlight.values()) p.reject(why);
      m.inFlight.clear();
    }
  };

  try {
    for (let i = 0; i < Math.max(1, size); i++) {
      const member: Member = { worker: create(), inFlight: new Map() };
      members.push(member);
      const { worker, inFlight } = member;
      worker.onmessage = (e) => {
        if (!isFromSearchWorker(e.data)) return close(new Error("a search worker sent a message outside the protocol"));
        const msg = e.data;
        if (msg.kind === "ready") return;
        const pending = inFlight.get(msg.id);
        if (!pending) return;
        inFlight.delete(msg.id);
        if (msg.kind === "expanded") pending.resolve(msg.result);
        else close(new Error(`a search worker failed: ${msg.message}`));
      };
      worker.onerror = (e) => close(new Error(`a search worker stopped: ${e.message ?? "unknown error"}`));
      worker.onmessageerror = () => close(new Error("a search worker's answer could not be read"));
    }
  } catch (e) {
    close(new Error(`the search workers could not be started: ${e instanceof Error ? e.message : String(e)}`));
  }

  watchdog = closed
    ? null
    : setInterval(
        () => {
          const now = Date.now();
          for (const m of members)
            for (const p of m.inFlight.values()) if (now - p.since > budget) return close(new Error("a search worker stopped answering (watchdog)"));
        },
        Math.min(1000, budget),
      );

  return {
    size: members.length,
    run(task) {
      if (closed) return Promise.reject(closed);
      let member = members[0];
      for (const m of members) if (m.inFlight.size < member.inFlight.size) member = m;
      const id = nextId++;
      return new Promise<SliceResult>((resolve, reject) => {
        member.inFlight.set(id, { resolve, reject, since: Date.now() });
        member.worker.postMessage({ kind: "expand", id, task });
      });
    },
    terminate() {
      close(new PoolClosed());
    },
  };
}
