// SPDX-License-Identifier: GPL-2.0-only
/**
 * What of a trace with mistakes runs: the operations before its first
 * error line, never a trace with the bad lines quietly left out (7 lines
 * with a bad 5th would otherwise run as "step 4 / 4" of a different
 * trace). And each step's run-time error at its line, for the editor.
 */
import type { Diagnostic, Trace } from "../../core/index";
import type { StepError } from "./protocol";

/** The first line with an error diagnostic, or null. */
export function firstErrorLine(diagnostics: readonly Diagnostic[]): number | null {
  let first: number | null = null;
  for (const d of diagnostics) if (d.severity === "error" && (first === null || d.line < first)) first = d.line;
  return first;
}

/** The trace cut before its first error line (the same trace when it has none). */
export function runnablePrefix(trace: Trace, diagnostics: readonly Diagnostic[]): Trace {
  const stop = firstErrorLine(diagnostics);
  if (stop === null) return trace;
  const ops = trace.ops.filter((op) => (op.line ?? 0) < stop);
  return ops.length === trace.ops.length ? trace : { ...trace, ops, trailing: [] };
}

/** At most this many run-time errors travel to the editor (a 100,000-step trace could have as many). */
export const MAX_STEP_ERRORS = 500;

/**
 * Each failing step's error at its operation's text on its line: from the
 * first non-blank character to the end of the code (a comment excluded).
 */
export function stepErrors(
  steps: readonly { op: { line?: number }; error?: { kind: string; message: string } | null }[],
  source: string,
  max = MAX_STEP_ERRORS,
): StepError[] {
  const failing: { step: number; line: number; kind: string; message: string }[] = [];
  for (let i = 0; i < steps.length && failing.length < max; i++) {
    const s = steps[i];
    if (s.error && s.op.line) failing.push({ step: i + 1, line: s.op.line, kind: s.error.kind, message: s.error.message });
  }
  if (failing.length === 0) return [];
  const wanted = new Set(failing.map((f) => f.line));
  const spans = lineSpans(source, wanted);
  return failing.map((f) => ({ ...f, ...(spans.get(f.line) ?? { column: 1, endColumn: 2 }) }));
}

/** The code's columns (1-based, end exclusive) on each wanted line. */
function lineSpans(source: string, wanted: ReadonlySet<number>): Map<number, { column: number; endColumn: number }> {
  const out = new Map<number, { column: number; endColumn: number }>();
  const last = Math.max(...wanted);
  let start = 0;
  for (let line = 1; line <= last && start <= source.length; line++) {
    let end = source.indexOf("\n", start);
    if (end === -1) end = source.length;
    if (wanted.has(line)) {
      const text = source.slice(start, end).replace(/\r$/, "");
      const hash = text.indexOf("#");
      const code = (hash === -1 ? text : text.slice(0, hash)).trimEnd();
      const lead = code.length - code.trimStart().length;
      out.set(line, { column: lead + 1, endColumn: Math.max(lead + 2, code.length + 1) });
    }
    start = end + 1;
  }
  return out;
}
