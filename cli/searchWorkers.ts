// SPDX-License-Identifier: GPL-2.0-only
/**
 * `skbscope search --workers N`: a pool of worker_threads, each answering
 * slices of a frontier level with core/search's expandTask (the app does
 * the same with Web Workers, app/machines/searchPool.ts). searchAsync
 * merges the answers in slice order, so the result is the one-thread
 * result whatever the number of workers.
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { expandTask, type SliceResult, type SliceTask } from "../core/search/index";

interface Job {
  readonly id: number;
  readonly task: SliceTask;
}

type Answer = { id: number; result: SliceResult } | { id: number; error: string };

export interface WorkerPool {
  readonly size: number;
  run(task: SliceTask): Promise<SliceResult>;
  close(): Promise<void>;
}

/**
 * What a worker runs. Bundled (dist-cli/skbscope.mjs, tools/build-cli.mjs)
 * this code is inside the bundle, which the worker loads again (cli/main.ts
 * runs no command off the main thread); from source, this file through
 * tsx's loader.
 */
function bootUrl(): URL {
  if (!import.meta.url.endsWith(".ts")) return new URL(import.meta.url);
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

export function createWorkerPool(size: number): WorkerPool {
  const workers = Array.from({ length: size }, () => new Worker(bootUrl()));
  const pending = new Map<number, { resolve: (r: SliceResult) => void; reject: (e: Error) => void }>();
  const load = new Map<Worker, number>(workers.map((w) => [w, 0]));
  let next = 0;
  for (const w of workers) {
    w.on("message", (msg: Answer) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      load.set(w, load.get(w)! - 1);
      if (!p) return;
      if ("error" in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    w.on("error", (e: Error) => {
      for (const p of pending.values()) p.reject(e);
      pending.clear();
    });
  }
  return {
    size,
    run(task) {
      // The least loaded worker takes the task.
      let best = workers[0];
      for (const w of workers) if (load.get(w)! < load.get(best)!) best = w;
      const id = next++;
      load.set(best, load.get(best)! + 1);
      return new Promise<SliceResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        best.postMessage({ id, task } satisfies Job);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", (job: Job) => {
    try {
      port.postMessage({ id: job.id, result: expandTask(job.task) } satisfies Answer);
    } catch (e) {
      port.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) } satisfies Answer);
    }
  });
}
