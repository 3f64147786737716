// SPDX-License-Identifier: GPL-2.0-only
/**
 * The presentation's split view reads the trace around the step on screen:
 * the step's line with a line of context each side. Pure, and cheap on a
 * 2 MB trace (it scans to the line once, never splits the whole text).
 */

export interface TalkLine {
  readonly line: number;
  readonly text: string;
  readonly current: boolean;
}

/** Lines `line - around` .. `line + around` of `source` (1-based), those that exist. */
export function linesAround(source: string, line: number, around = 1): TalkLine[] {
  if (line < 1) return [];
  const first = Math.max(1, line - around);
  const last = line + around;
  const out: TalkLine[] = [];
  let at = 0;
  for (let n = 1; n <= last && at <= source.length; n++) {
    const end = source.indexOf("\n", at);
    const stop = end === -1 ? source.length : end;
    if (n >= first) out.push({ line: n, text: source.slice(at, stop), current: n === line });
    if (end === -1) break;
    at = end + 1;
  }
  // A final newline leaves an empty last "line": not a line of the trace.
  if (out.length && out[out.length - 1].text === "" && out[out.length - 1].line > line && source.endsWith("\n")) out.pop();
  return out;
}
