// SPDX-License-Identifier: GPL-2.0-only
/**
 * Every diagnostic of a trace as one list, in line order: the parser's
 * (syntax and static errors, warnings) and each failing step's run-time
 * error. The editor marks them at line:column and lists them under it.
 * Pure (no CodeMirror), unit-tested.
 */
import type { Diagnostic } from "../../core/index";
import type { StepError } from "../worker/protocol";

export interface Mark {
  readonly line: number;
  /** 1-based, end exclusive. */
  readonly column: number;
  readonly endColumn: number;
  readonly severity: "error" | "warning";
  /** Where it came from: "parse" or "step 7". */
  readonly source: string;
  readonly message: string;
}

export function traceMarks(diagnostics: readonly Diagnostic[], stepErrors: readonly StepError[]): Mark[] {
  const marks: Mark[] = [
    ...diagnostics.map((d) => ({
      line: d.line,
      column: d.column,
      endColumn: Math.max(d.endColumn, d.column + 1),
      severity: d.severity,
      source: "parse",
      message: d.expected ? `${d.message} (expected ${d.expected})` : d.message,
    })),
    ...stepErrors.map((e) => ({
      line: e.line,
      column: e.column,
      endColumn: e.endColumn,
      severity: "error" as const,
      source: `step ${e.step}`,
      message: `${e.kind}: ${e.message}`,
    })),
  ];
  return marks.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Offsets in a text of `lineStarts` for a mark, clamped to its line (the text may have moved on since). */
export function markRange(mark: Mark, line: { from: number; to: number } | null): { from: number; to: number } | null {
  if (!line) return null;
  const from = Math.min(line.to, line.from + mark.column - 1);
  const to = Math.max(from, Math.min(line.to, line.from + mark.endColumn - 1));
  return { from, to };
}

/** "runs up to line 5: fix line 5 to continue", or null when the whole trace ran. */
export function stoppedMessage(stoppedAt: number | null): string | null {
  return stoppedAt === null ? null : `runs up to line ${stoppedAt}: fix line ${stoppedAt} to continue`;
}
