// SPDX-License-Identifier: GPL-2.0-only
/**
 * What skbscope reads, and how much of it it reports: the limits that keep
 * a hostile file from costing more than a clear, short refusal. The README
 * documents them; the CLI and the app apply the same ones.
 */
import type { Diagnostic } from "./ast";

export { MAX_TRACE_BYTES } from "../model/inputLimits";

/** Diagnostics shown before "and N more". */
export const MAX_DIAGNOSTICS = 20;

/**
 * Why `text` is not a trace but binary data, in one line, or undefined.
 * A NUL never occurs in typed text. A character that could not be decoded
 * (U+FFFD, from a decoder replacing bytes that are not UTF-8) or a control
 * character may, in a comment pasted through a mailer; many of them may not.
 */
export function binaryReason(text: string): string | undefined {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `not a text trace: a NUL byte at character ${nul + 1} (binary data?)`;
  const allowed = Math.max(8, text.length / 100);
  let odd = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) {
      if (++odd > allowed) return `not a text trace: bytes that are not UTF-8 text, from character ${i + 1} on (binary data?)`;
    }
  }
  return undefined;
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
