// SPDX-License-Identifier: GPL-2.0-only
/**
 * npm run bench: the engine's figures (printed, not asserted), then the
 * other benchmarks present in tools/ (search, sharing, browser).
 *
 *  - replay throughput of a 1,000,000-operation random trace (goal >= 1M ops/s)
 *  - time to materialise the state at an arbitrary step of it (goal <= 5 ms)
 *  - peak memory
 */
import { cpus, totalmem } from "node:os";
import { existsSync } from "node:fs";
import { applyOp, emptyState, parseTrace, runTrace, type Trace } from "../core/index";
import { thaw } from "../core/model/tx";
import { GUIDED_SETUP, guidedTrace, type Draw } from "../core/testdata/guided";

const OPS = Number(process.env.BENCH_OPS ?? 1_000_000);

/** A deterministic pseudo-random stream (mulberry32): benchmarks repeat. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function randomTrace(n: number): Trace {
  const next = rng(2009);
  const draws: Draw[] = Array.from({ length: n }, () => [next(), next(), next(), next(), next()] as const);
  const trace = guidedTrace(draws, "6.1", "msg-zerocopy", parseTrace(GUIDED_SETUP).trace.ops, 24);
  return { ...trace, kernel: "6.1", policy: "msg-zerocopy" };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function engine(): void {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${mb(totalmem())} RAM, node ${process.version}`);
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
await others();
