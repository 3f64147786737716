// SPDX-License-Identifier: GPL-2.0-only
/**
 * The benchmarks' traces: the model-guided random trace (as tools/bench.ts
 * replays it in memory), and the same trace as a file the CLI accepts.
 *
 * The guided generator also names objects the trace never defines (pages
 * the kernel made, names of the wrong kind: the fuzzer's misuse); a file
 * with them is refused by the parser's static checks. checkableTrace keeps
 * only operations whose every name is defined above with the right kind,
 * in one pass, so an operation that loses its definition goes too.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { opSpec, parseTrace, printTrace, type Trace } from "../core/index";
import type { TraceOp } from "../core/trace/ast";
import { seeded } from "../core/testdata/fuzz";
import { GUIDED_SETUP, guidedTrace, type Draw } from "../core/testdata/guided";

/** A deterministic 32-bit stream (the fuzzer's mulberry32): benchmarks repeat. */
export function rng(seed: number): () => number {
  const next = seeded(seed);
  return () => Math.floor(next() * 4294967296) >>> 0;
}

/** The bench's trace: n draws of the guided generator, <= 24 live skbs, msg-zerocopy on 6.1. */
export function randomTrace(n: number): Trace {
  const next = rng(2009);
  const draws: Draw[] = Array.from({ length: n }, () => [next(), next(), next(), next(), next()] as const);
  const trace = guidedTrace(draws, "6.1", "msg-zerocopy", parseTrace(GUIDED_SETUP).trace.ops, 24);
  return { ...trace, kernel: "6.1", policy: "msg-zerocopy" };
}

/** The operations whose names are all defined above them with the kinds they take. */
export function definedOnly(ops: readonly TraceOp[]): TraceOp[] {
  const kinds = new Map<string, string>();
  const out: TraceOp[] = [];
  for (const op of ops) {
    const spec = opSpec(op.fn);
    if (!spec) continue;
    const ok = op.args.every((a, i) => {
      if (a.kind !== "ref") return true;
      const want = spec.params[i];
      const have = kinds.get(a.name);
      return a.index === undefined ? have === want : have === "list" && want === "skb";
    });
    if (!ok) continue;
    if (op.result && spec.result) {
      if (kinds.has(op.result)) continue; // a name is defined once
      kinds.set(op.result, spec.result);
    }
    out.push(op);
  }
  return out;
}

/**
 * A trace file of about `n` operations `skbscope check` accepts (cached in
 * the temporary directory: generating a million takes a while), and its
 * operation count.
 */
export function checkableTraceFile(n: number): { path: string; ops: number } {
  const path = join(tmpdir(), `skbscope-bench-check-${n}.trace`);
  if (!existsSync(path)) {
    const trace = randomTrace(Math.round(n * 1.25));
    const ops = definedOnly(trace.ops).slice(0, n);
    writeFileSync(path, printTrace({ ops, kernel: "6.1", policy: "msg-zerocopy", title: `bench: ${ops.length.toLocaleString("en")} guided operations` }));
  }
  const parsed = parseTrace(readFileSync(path, "utf8"));
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`${path}: ${errors.length} static errors, the first at line ${errors[0].line}: ${errors[0].message}`);
  return { path, ops: parsed.trace.ops.length };
}
