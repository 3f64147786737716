// SPDX-License-Identifier: GPL-2.0-only
/**
 * npm run bench: the engine's figures (printed, not asserted), then the
 * other benchmarks present in tools/ (search, sharing, browser).
 *
 *  - replay throughput of a 1,000,000-operation random trace (goal >= 1M ops/s)
 *  - time to materialise the state at an arbitrary step of it (goal <= 5 ms)
 *  - peak memory
 */
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { applyOp, emptyState, judgeTrace, runTrace } from "../core/index";
import { thaw } from "../core/model/tx";
import { checkableTraceFile, randomTrace, rng } from "./bench-trace";
import { longTrace } from "../e2e/traces";

const OPS = Number(process.env.BENCH_OPS ?? 1_000_000);
const CHECK_OPS = Number(process.env.BENCH_CHECK_OPS ?? 1_000_000);
const GUIDED_CHECK_OPS = Number(process.env.BENCH_CHECK_GUIDED_OPS ?? 100_000);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function engine(): void {
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${mb(totalmem())} RAM, node ${process.version}; shared with other work (load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}), so wall-clock figures are noisy; rates are per CPU second where marked`,
  );
  let t = performance.now();
  const trace = randomTrace(OPS);
  console.log(
    `generated a ${trace.ops.length.toLocaleString("en")}-operation trace in ${((performance.now() - t) / 1000).toFixed(1)} s (model-guided, <= 24 live skbs)`,
  );

  const rates: number[] = [];
  let run = runTrace(trace);
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    run = runTrace(trace);
    rates.push(trace.ops.length / ((performance.now() - t) / 1000));
  }
  const failed = run.steps.filter((s) => s.error).length;
  // The operations alone, without the checker and the per-step records.
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    let state = thaw(emptyState(run.kernel, run.policy));
    t = performance.now();
    for (const op of trace.ops) state = applyOp(state, op, "inplace").state;
    bare.push(trace.ops.length / ((performance.now() - t) / 1000));
  }
  console.log(
    `replay with the checker: ${(pct(rates, 50) / 1e6).toFixed(2)} M ops/s median of 3 (best ${(Math.max(...rates) / 1e6).toFixed(2)}); ${((100 * failed) / run.steps.length).toFixed(0)}% of steps failed a kernel check; goal >= 1 M ops/s`,
  );
  console.log(`operations alone (no checker, no step records): ${(pct(bare, 50) / 1e6).toFixed(2)} M ops/s median of 3`);
  // CPU time, not wall time: the figure least disturbed by other work on the machine.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const judged: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = cpu();
    judgeTrace(trace);
    judged.push(trace.ops.length / (cpu() - c));
  }
  const c0 = cpu();
  runTrace(trace);
  const runCpu = trace.ops.length / (cpu() - c0);
  console.log(
    `per CPU second: replay with the checker ${(runCpu / 1e6).toFixed(2)} M ops/s (step records and checkpoints kept); judged only (checker, nothing kept per step, as check does) ${(pct(judged, 50) / 1e6).toFixed(2)} M ops/s median of 3`,
  );

  const next = rng(7);
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const k = next() % (trace.ops.length + 1);
    t = performance.now();
    run.snapshotAt(k);
    lat.push(performance.now() - t);
  }
  console.log(
    `snapshotAt(random step): median ${pct(lat, 50).toFixed(2)} ms, p95 ${pct(lat, 95).toFixed(2)} ms, max ${Math.max(...lat).toFixed(2)} ms; goal <= 5 ms`,
  );
  // Retained memory: the trace itself, then the run (checkpoints, step
  // records, findings, graves) on top of it; garbage collected first.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    run = undefined as never;
    gc();
    const base = process.memoryUsage().heapUsed;
    const held = runTrace(trace);
    gc();
    const withRun = process.memoryUsage().heapUsed;
    console.log(
      `memory retained: the parsed trace ~${mb(base)} heap in all; the run ${mb(withRun - base)} more (${Math.round((withRun - base) / trace.ops.length)} B per step, ${held.steps.length} steps)`,
    );
  }
  const mem = process.memoryUsage();
  console.log(`peak-ish: heap ${mb(mem.heapUsed)}, rss ${mb(mem.rss)} (garbage included)`);
}

/** `skbscope check --policy all --json FILE` as the installed command (the bundle): wall time, peak RSS (GNU time, when present). */
function timedCheck(path: string, ops: number, what: string, goal: string): void {
  const cli = `${ROOT}dist-cli/skbscope.mjs`;
  const time = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%e %U %M"] : [];
  const args = [...time, process.execPath, cli, "check", path, "--policy", "all", "--json"];
  const t1 = performance.now();
  const r = spawnSync(args[0], args.slice(1), { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const wall = (performance.now() - t1) / 1000;
  const measured = /(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/.exec(r.stderr ?? "");
  const rss = measured ? `${measured[2]} s CPU, ${(Number(measured[3]) / 1024).toFixed(0)} MiB peak RSS` : "peak RSS not measured (no /usr/bin/time)";
  console.log(`check --policy all --json on ${ops.toLocaleString("en")} operations (${what}): ${wall.toFixed(1)} s wall, ${rss}, exit ${r.status}${goal}`);
}

/**
 * check on a 1,000,000-step file (the e2e's long trace: alloc, fill,
 * clone, free, free), and on a file of guided operations (smaller: with
 * hundreds of skbs on the device queue the checker's late-completion scan
 * costs O(queued skbs x buffers) per step, see the issue 12 note).
 */
function checkFigures(): void {
  spawnSync(process.execPath, [`${ROOT}tools/build-cli.mjs`], { stdio: "inherit" });
  const long = join(tmpdir(), `skbscope-bench-long-${CHECK_OPS}.trace`);
  if (!existsSync(long)) writeFileSync(long, longTrace(CHECK_OPS));
  timedCheck(long, CHECK_OPS, "the long trace", "; goal <= 10 s and <= 1 GB");
  const guided = checkableTraceFile(GUIDED_CHECK_OPS);
  timedCheck(guided.path, guided.ops, "model-guided", "");
}

async function others(): Promise<void> {
  for (const name of ["bench-search", "bench-share", "bench-browser"]) {
    const path = new URL(`./${name}.ts`, import.meta.url);
    if (!existsSync(path)) continue;
    if (name === "bench-browser" && process.env.BENCH_BROWSER === "0") continue;
    console.log(`\n== ${name} ==`);
    const mod = (await import(path.href)) as { main?: () => Promise<void> | void };
    await mod.main?.();
  }
}

engine();
if (process.env.BENCH_CHECK !== "0") checkFigures();
await others();
