// SPDX-License-Identifier: GPL-2.0-only
/**
 * Benchmark of the counterexample search (issues 7 and 12), printed, not
 * asserted:
 *  - states/s in one thread, one worker and every core (worker_threads
 *    splitting each level, as the CLI and the app's Web Workers do). The
 *    states at the bound are judged but not deduplicated (dedupeLeaves):
 *    "states" are the distinct states below the bound, "leaves" the steps
 *    judged at it, and steps/s (every operation applied) is the rate that
 *    compares across depths;
 *  - bytes per visited state, the fingerprint collision estimate;
 *  - time to the shortest counterexample of each claim of the 2009 thread;
 *  - time to exhaust depth 4, 5 and 6 for ubuf-orphan and msg-zerocopy on
 *    6.1 from the default start, each stopped at its goal (60 s for depth 4
 *    and 5, 10 min for depth 6) unless --time S says otherwise;
 *  - with --reduce-check D: the reduced search against the full one, every
 *    policy and kernel, to depth D (the unit test does depth 3).
 *
 *   npx tsx tools/bench-search.ts [--depth N] [--exhaust 4,5,6] [--time S] [--reduce-check D]
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { pathToFileURL } from "node:url";
import { KERNELS, POLICIES, policyApplies, printOp } from "../core/index";
import { BASE_OPS, collisionValue, search, searchAsync, type SearchOptions, type SearchResult } from "../core/search/index";
import { createWorkerPool } from "../cli/searchWorkers";

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

function list(args: readonly string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1].split(",").map(Number) : fallback;
}

/** CPU milliseconds of this thread's process since `from` (user + system). */
function cpuMs(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const depth = option(args, "--depth", 3);
  const n = availableParallelism();
  console.log(`skbscope search benchmark`);
  console.log(
    `machine: ${cpus()[0]?.model ?? "unknown CPU"}, nproc ${n}, Node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  console.log("");

  // 1. Throughput, one thread, one worker and every core, on the same search.
  const workload: SearchOptions = { policy: "ubuf-orphan", kernel: "6.1", maxDepth: depth, maxStates: Infinity };
  console.log(`throughput: ubuf-orphan on 6.1, every path up to ${depth} steps from the default start`);
  gcNow();
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const single = search(workload);
  const ms1 = performance.now() - t0;
  const cpu1 = cpuMs(c0);
  console.log(
    `  1 thread:    ${fmt(single.states)} states + ${fmt(single.leaves)} leaves, ${fmt(single.transitions)} operations in ${secs(ms1)} (${secs(cpu1)} CPU): ${fmt((single.states * 1000) / ms1)} states/s wall, ${fmt((single.transitions * 1000) / ms1)} steps/s wall, ${fmt((single.transitions * 1000) / cpu1)} steps per CPU second`,
  );
  for (const count of [...new Set([1, n])]) {
    const pool = createWorkerPool(count);
    try {
      await searchAsync({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 2 }, (task) => pool.run(task), { concurrency: count }); // warm-up
      const t1 = performance.now();
      const multi = await searchAsync(workload, (task) => pool.run(task), { concurrency: count, sliceSize: 512 });
      const ms = performance.now() - t1;
      const same = JSON.stringify(multi) === JSON.stringify(single);
      console.log(
        `  ${count} worker${count === 1 ? " " : "s"}:   ${fmt(multi.states)} states + ${fmt(multi.leaves)} leaves in ${secs(ms)}: ${fmt((multi.states * 1000) / ms)} states/s, ${fmt((multi.transitions * 1000) / ms)} steps/s (${same ? "same result as one thread" : "RESULT DIFFERS"})`,
      );
    } finally {
      await pool.close();
    }
  }
  console.log("");

  // 2. Memory: what a search keeps per visited state.
  gcNow();
  const retained = process.memoryUsage().heapUsed - heap0;
  console.log(`memory (${fmt(single.states)} states, depth ${depth}):`);
  console.log(
    `  visited set: ${(single.visitedBytes / single.states).toFixed(1)} bytes a state (64-bit fingerprints, goal <= 16); path tree ${(single.treeBytes / single.states).toFixed(1)} bytes a state`,
  );
  console.log(`  heap retained after the search (result included): ${fmt(retained / 1e6)} MB`);
  // The same search with the states at the bound deduplicated too (as before issue 12's leaves change).
  const deduped = search({ ...workload, dedupeLeaves: true });
  console.log(
    `  every state deduplicated (dedupeLeaves): ${fmt(deduped.states)} states, visited set ${(deduped.visitedBytes / deduped.states).toFixed(1)} bytes a state, path tree ${(deduped.treeBytes / deduped.states).toFixed(1)}`,
  );
  console.log(`  fingerprint collision probability, calculated (optimistic): val = ${collisionValue(single.states, single.generated)}`);
  console.log(
    `  partial-order reduction: ${fmt(single.skipped)} of ${fmt(single.transitions)} operations left out (not run: independent of the edge, judged in the other order)`,
  );
  console.log("");

  // 3. Time to the shortest counterexample of each claim.
  console.log("time to the shortest counterexample (stop at the first premature completion):");
  const claims: { claim: string; options: SearchOptions }[] = [
    { claim: "Tsirkin: pskb_copy (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "pskb_copy"], require: "pskb_copy" } },
    { claim: "Tsirkin: skb_split (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "skb_split"], require: "skb_split" } },
    {
      claim: "pskb_expand_head (2.6.32)",
      options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "pskb_expand_head"], require: "pskb_expand_head" },
    },
    {
      claim: "Xu: splice metastasizes (2.6.32)",
      options: { policy: "shinfo-release", kernel: "2.6.32", ops: [...BASE_OPS, "skb_splice_bits"], require: "skb_splice_bits" },
    },
    { claim: "any operation (2.6.32)", options: { policy: "shinfo-release", kernel: "2.6.32" } },
    { claim: "pskb_copy (6.1)", options: { policy: "shinfo-release", kernel: "6.1", ops: [...BASE_OPS, "pskb_copy"], require: "pskb_copy" } },
  ];
  for (const { claim, options } of claims) {
    const t = performance.now();
    const r = search({ ...options, maxDepth: 5, kinds: ["premature"], stopWhenFound: true });
    const ms = performance.now() - t;
    const c = r.counterexamples[0];
    console.log(
      `  ${claim.padEnd(34)} ${c ? `${c.length} step${c.length === 1 ? "" : "s"}` : "none"} in ${fmt(ms)} ms (${fmt(r.states)} states): ${c ? c.ops.map(printOp).join("; ") : "-"}`,
    );
  }
  console.log("");

  // 4. Time to exhaust a depth from the default start: the merged designs.
  const depths = list(args, "--exhaust", [4, 5, 6]);
  const goal = (d: number) => (d >= 6 ? 600 : 60);
  const limitOf = (d: number) => option(args, "--time", goal(d)) * 1000;
  console.log(
    `time to judge every path of up to N steps from the default start (whole menu, ${n} worker${n === 1 ? "" : "s"}; goals: depth 5 <= 60 s, depth 6 <= 10 min; each run stopped at its goal):`,
  );
  const pool = createWorkerPool(n);
  try {
    for (const policy of ["ubuf-orphan", "msg-zerocopy"] as const) {
      for (const depth of depths) {
        const t0 = performance.now();
        const r = await searchAsync(
          { policy, kernel: "6.1", maxDepth: depth, maxStates: Infinity, clock: () => performance.now(), timeLimitMs: limitOf(depth) },
          (task) => pool.run(task),
          {
            concurrency: pool.size,
            sliceSize: 512,
          },
        );
        const ms = performance.now() - t0;
        const what =
          r.stoppedBy === null
            ? `${r.counterexamples.length ? `FOUND ${r.counterexamples.map((c) => `${c.kind} in ${c.length}`).join(", ")}` : "none"}`
            : `stopped by ${r.stoppedBy} at depth ${r.depth}`;
        console.log(
          `  ${policy.padEnd(13)} depth ${depth}: ${secs(ms)}, ${what}; ${fmt(r.states)} states below the bound + ${fmt(r.leaves)} judged at it, ${fmt(r.transitions)} operations (${fmt(r.skipped)} left out by the reduction), ${fmt((r.transitions * 1000) / ms)} steps/s, collision val = ${collisionValue(r.states, r.generated)}`,
        );
        if (r.stoppedBy !== null) break;
      }
    }
  } finally {
    await pool.close();
  }
  console.log("");

  // 5. The reduction finds what the full search finds (the unit test runs depth 3).
  const check = option(args, "--reduce-check", 0);
  if (check > 0) {
    console.log(`partial-order reduction against the full search, every policy and kernel, depth ${check}:`);
    for (const policy of POLICIES) {
      for (const kernel of KERNELS) {
        if (!policyApplies(policy, kernel)) continue;
        const t0 = performance.now();
        const full = search({ policy, kernel, maxDepth: check, maxStates: Infinity, reduce: false });
        const t1 = performance.now();
        const reduced = search({ policy, kernel, maxDepth: check, maxStates: Infinity, reduce: true });
        const t2 = performance.now();
        const shape = (r: SearchResult) => JSON.stringify(r.counterexamples.map((c) => [c.kind, c.length]));
        const same = shape(full) === shape(reduced) && full.states === reduced.states;
        console.log(
          `  ${`${policy} ${kernel}`.padEnd(22)} ${same ? "same" : "DIFFERENT"}: ${shape(full)}; ${fmt(full.states)} states; full ${secs(t1 - t0)}, reduced ${secs(t2 - t1)} (${fmt(reduced.skipped)} of ${fmt(reduced.transitions)} operations left unjudged)`,
        );
      }
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
