// SPDX-License-Identifier: GPL-2.0-only
/**
 * Output a terminal can show safely. A trace read from mail may hold terminal
 * escapes in its title or names (`ESC[2J` clears the screen, `ESC]0;...BEL`
 * sets the window title); the CLI prints them as visible escapes instead.
 */

/**
 * What is escaped: C0 controls but the line feed the CLI itself writes, DEL,
 * C1 controls (a terminal may read 0x9b as CSI), the Unicode line and
 * paragraph separators, and the bidirectional overrides and isolates that make
 * text read otherwise than it is ("Trojan Source").
 */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { "\t": "\\t", "\r": "\\r" };

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, "0");

/** Text for a terminal: ESC becomes `\x1b`, U+202E becomes `\u202e`. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? (c < "\u0100" ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/**
 * JSON that is terminal-safe as it stands: JSON.stringify escapes C0 itself,
 * the rest is written as `\uXXXX` (still valid JSON, the same string when
 * parsed), so `terminalSafe` finds nothing left to change in it.
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE, (c) => `\\u${hex(c, 4)}`);
}
