/**
 * Benchmark of the counterexample search (issue 7), printed, not asserted:
 *  - states/s in one thread and with N worker_threads splitting each level
 *    (the app does the same with Web Workers);
 *  - time to the shortest counterexample of each claim of the 2009 thread;
 *  - memory per million states.
 *
 *   npx tsx tools/bench-search.ts [--depth N] [--states N]
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { printOp } from "../core/index";
import {
  BASE_OPS,
  SearchRun,
  expandSlice,
  expandTask,
  search,
  searchAsync,
  type SearchOptions,
  type SearchResult,
  type SliceResult,
  type SliceTask,
} from "../core/search/index";

interface Job {
  readonly id: number;
  readonly task: SliceTask;
}

/** Worker side: answer every task with expandTask, as an app worker would. */
function serveWorker(): void {
  parentPort!.on("message", (job: Job) => parentPort!.postMessage({ id: job.id, result: expandTask(job.task) }));
}

/** A search whose levels are split across worker threads (searchAsync). */
async function searchWithWorkers(options: SearchOptions, workers: readonly Worker[], sliceSize = 256): Promise<SearchResult> {
  let next = 0;
  const pending = new Map<number, (r: SliceResult) => void>();
  const onMessage = (msg: { id: number; result: SliceResult }) => {
    pending.get(msg.id)!(msg.result);
    pending.delete(msg.id);
  };
  for (const w of workers) w.on("message", onMessage);
  const idle = [...workers];
  const waiting: Array<(w: Worker) => void> = [];
  const release = (w: Worker) => {
    const taker = waiting.shift();
    if (taker) taker(w);
    else idle.push(w);
  };
  try {
    return await searchAsync(
      options,
      async (task) => {
        const w = idle.pop() ?? (await new Promise<Worker>((resolve) => waiting.push(resolve)));
        const id = next++;
        try {
          return await new Promise<SliceResult>((resolve) => {
            pending.set(id, resolve);
            w.postMessage({ id, task } satisfies Job);
          });
        } finally {
          release(w);
        }
      },
      { concurrency: workers.length, sliceSize },
    );
  } finally {
    for (const w of workers) w.off("message", onMessage);
  }
}

/** A worker runs this file through tsx's loader, as bin/skbscope.mjs does. */
function bootUrl(): URL {
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(import.meta.url)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

function gcNow(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const depth = option(args, "--depth", 4);
  const maxStates = option(args, "--states", 300_000);
  const n = availableParallelism();
  console.log(`skbscope search benchmark`);
  console.log(`machine: ${cpus()[0]?.model ?? "unknown CPU"}, nproc ${n}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log("");

  // 1. Throughput, one thread and N workers, on the same search.
  const workload: SearchOptions = { policy: "shinfo-release", kernel: "2.6.32", maxDepth: depth, maxStates };
  console.log(`throughput: shinfo-release on 2.6.32, every path up to ${depth} steps, at most ${fmt(maxStates)} states`);
  gcNow();
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  const t0 = performance.now();
  const single = search({ ...workload, checkEvery: 4096, onProgress: () => (peak = Math.max(peak, process.memoryUsage().heapUsed)) });
  const ms1 = performance.now() - t0;
  console.log(
    `  1 thread:    ${fmt(single.states)} states, ${fmt(single.transitions)} operations in ${secs(ms1)}: ${fmt((single.states * 1000) / ms1)} states/s, ${fmt((single.transitions * 1000) / ms1)} operations/s`,
  );

  for (const count of [...new Set([1, n])]) {
    const workers = Array.from({ length: count }, () => new Worker(bootUrl()));
    try {
      await searchWithWorkers({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2 }, workers); // warm-up
      const t1 = performance.now();
      const multi = await searchWithWorkers(workload, workers);
      const ms = performance.now() - t1;
      const same = JSON.stringify(multi) === JSON.stringify(single);
      console.log(
        `  ${count} worker${count === 1 ? " " : "s"}:   ${fmt(multi.states)} states in ${secs(ms)}: ${fmt((multi.states * 1000) / ms)} states/s (${same ? "same result as one thread" : "RESULT DIFFERS"})`,
      );
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
  console.log("");

  // 2. Memory: the visited set and frontier of a search, per million states.
  gcNow();
  const before = process.memoryUsage().heapUsed;
  const run = new SearchRun(workload);
  let peakRun = before;
  while (!run.done) {
    const nodes = run.take(512);
    run.accept([expandSlice(run.sliceConfig(), run.start, nodes)], [nodes]);
    peakRun = Math.max(peakRun, process.memoryUsage().heapUsed);
  }
  gcNow();
  const retained = process.memoryUsage().heapUsed - before;
  const what = run.result().stoppedBy === null ? "the visited set (the search finished: no frontier left)" : "the visited set and the frontier (stopped by the budget)";
  console.log(`memory (${fmt(run.states)} states): ${fmt(retained / 1e6)} MB retained by ${what}`);
  console.log(`  = ${fmt(retained / run.states)} bytes/state, i.e. ${fmt(retained / run.states)} MB per million states`);
  console.log(`  peak heap growth during it ${fmt((peakRun - before) / 1e6)} MB (garbage included); first run's peak ${fmt((peak - heap0) / 1e6)} MB`);
  console.log("");

  // 3. Time to the shortest counterexample of each claim.
  console.log("time to the shortest counterexample (stop at the first premature completion):");
  const claims: { claim: string; options: SearchOptions }[] = [
    { claim: "Tsirkin: pskb_copy (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "pskb_copy"], require: "pskb_copy" } },
    { claim: "Tsirkin: skb_split (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "skb_split"], require: "skb_split" } },
    { claim: "pskb_expand_head (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "pskb_expand_head"], require: "pskb_expand_head" } },
    { claim: "Xu: splice metastasizes (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "skb_splice_bits"], require: "skb_splice_bits" } },
    { claim: "any operation (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32" } },
    { claim: "pskb_copy (6.1)", options: { policy: "shinfo-release", kernel: "6.1", ops: [...BASE_OPS, "pskb_copy"], require: "pskb_copy" } },
  ];
  for (const { claim, options } of claims) {
    const t = performance.now();
    const r = search({ ...options, maxDepth: 5, kinds: ["premature"], stopWhenFound: true });
    const ms = performance.now() - t;
    const c = r.counterexamples[0];
    console.log(`  ${claim.padEnd(34)} ${c ? `${c.length} step${c.length === 1 ? "" : "s"}` : "none"} in ${fmt(ms)} ms (${fmt(r.states)} states): ${c ? c.ops.map(printOp).join("; ") : "-"}`);
  }
  const t = performance.now();
  const none = search({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 3 });
  console.log(`  ubuf-orphan (6.1), whole menu to 3 steps: ${none.counterexamples.length ? "FOUND ONE" : "none"} in ${fmt(performance.now() - t)} ms (${fmt(none.states)} states)`);
}

if (!isMainThread) serveWorker();
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
