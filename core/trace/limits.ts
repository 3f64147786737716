/**
 * What skbscope reads, and how much of it it reports: the limits that keep
 * a hostile file from costing more than a clear, short refusal. The README
 * documents them; the CLI and the app apply the same ones.
 */
import type { Diagnostic } from "./ast";

/** The largest trace file read (the CLI refuses more before reading it). */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;

/** Diagnostics shown before "and N more". */
export const MAX_DIAGNOSTICS = 20;

/**
 * Why `text` is not a trace but binary data, in one line, or undefined.
 * A NUL, or a character that could not be decoded (U+FFFD from a decoder
 * replacing bytes that are not UTF-8), never occurs in a typed trace.
 */
export function binaryReason(text: string): string | undefined {
  const nul = text.indexOf("\u0000");
  const bad = text.indexOf("\ufffd");
  const at = nul < 0 ? bad : bad < 0 ? nul : Math.min(nul, bad);
  if (at < 0) return undefined;
  const what = at === nul ? "a NUL byte" : "bytes that are not UTF-8";
  return `not a text trace: ${what} at character ${at + 1} (binary data?)`;
}

/**
 * The diagnostics to show: errors first, at most MAX_DIAGNOSTICS of all,
 * and how many were left out.
 */
export function capDiagnostics(diagnostics: readonly Diagnostic[], max = MAX_DIAGNOSTICS): { shown: readonly Diagnostic[]; more: number } {
  const ordered = [...diagnostics.filter((d) => d.severity === "error"), ...diagnostics.filter((d) => d.severity !== "error")];
  return { shown: ordered.slice(0, max), more: Math.max(0, ordered.length - max) };
}

/** "and 19980 more" for the line after the shown diagnostics. */
export const andMore = (more: number): string => `and ${more} more`;
