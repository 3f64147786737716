// SPDX-License-Identifier: GPL-2.0-only
/**
 * npm run fuzz -- --traces N --seed S [--max-ops M] [--save]
 *
 * The hostile fuzzer at length (the unit suite runs a few hundred traces):
 * seeded traces over every operation (core/testdata/fuzz.ts), each judged
 * by fuzzProblems and timed. Each distinct problem is minimised (operations
 * dropped while the problem stays and the trace still parses) and printed;
 * with --save it is written to core/testdata/regressions/, where a unit
 * test replays it on every run.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hasErrors, parseTrace, printTrace } from "../core/index";
import { fuzzCase, fuzzProblems, minimise, seeded, type FuzzCase } from "../core/testdata/fuzz";

/** A replay slower than this is a finding too (a hang in the making). */
const SLOW_MS = 2000;

const { values } = parseArgs({
  options: {
    traces: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    "max-ops": { type: "string", default: "40" },
    save: { type: "boolean", default: false },
  },
});
const traces = Number(values.traces);
const seed = Number(values.seed);
const maxOps = Number(values["max-ops"]);
if (![traces, seed, maxOps].every(Number.isSafeInteger) || traces < 1 || maxOps < 1) {
  console.error("usage: npm run fuzz -- --traces N --seed S [--max-ops M] [--save]");
  process.exit(2);
}

/** The first problem without its step number: what minimising keeps. */
const shape = (problem: string) =>
  problem
    .replace(/^step \d+:? ?/, "")
    .replace(/\b(h|p|k|s|l|q)\d+\b/g, "$1#")
    .replace(/-?\d+/g, "N");
const parses = (c: FuzzCase) => !hasErrors(parseTrace(printTrace(c.trace)));

function timed(c: FuzzCase): { problems: string[]; ms: number } {
  const started = performance.now();
  const problems = fuzzProblems(c);
  const ms = performance.now() - started;
  if (ms > SLOW_MS) problems.push(`replay took ${Math.round(ms)} ms (limit ${SLOW_MS})`);
  return { problems, ms };
}

const rand = seeded(seed);
const found = new Map<string, FuzzCase>();
let steps = 0;
const started = performance.now();
for (let i = 0; i < traces; i++) {
  const c = fuzzCase(rand, { maxOps });
  steps += c.trace.ops.length;
  const { problems } = timed(c);
  if (problems.length === 0 || found.has(shape(problems[0]))) continue;
  const kind = shape(problems[0]);
  const small = parses(c) ? minimise(c, (x) => parses(x) && timed(x).problems.some((p) => shape(p) === kind)) : c;
  found.set(kind, small);
}
const seconds = (performance.now() - started) / 1000;
console.log(`fuzz: ${traces} traces, ${steps} steps, seed ${seed}, ${seconds.toFixed(1)} s: ${found.size} distinct problem(s)`);
let n = 0;
for (const [kind, c] of found) {
  n++;
  const header = `# title: fuzz seed ${seed}: ${kind.slice(0, 50)}\n# policy: ${c.options.policy}\n# kernel: ${c.options.kernel}\n`;
  const text = header + printTrace(c.trace);
  console.log(`\n--- problem ${n}: ${kind}\n${text}`);
  if (values.save) {
    const file = `core/testdata/regressions/fuzz-${seed}-${n}.trace`;
    writeFileSync(file, text);
    console.log(`saved ${file}`);
  }
}
process.exitCode = found.size ? 1 : 0;
