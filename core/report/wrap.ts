// SPDX-License-Identifier: GPL-2.0-only
/**
 * Word-wrapping for plain-text output (the email report, the CLI): the
 * 72 columns a plain-text mail keeps through a few levels of "> ".
 */
import { MAX_COLUMNS } from "../trace/ast";

export const TEXT_WIDTH = MAX_COLUMNS;

/**
 * Word-wraps `text` to `width` columns: the first line starts with
 * `first`, the others with `rest`. A word longer than a line is cut.
 */
export function wrap(text: string, width: number, first = "", rest = first): string[] {
  const out: string[] = [];
  let line = first;
  let fresh = true;
  const room = () => width - line.length;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    let w = word;
    if (!fresh && w.length + 1 <= room()) {
      line += ` ${w}`;
      continue;
    }
    if (!fresh) {
      out.push(line);
      line = rest;
    }
    while (w.length > room()) {
      const cut = Math.max(1, room());
      out.push(line + w.slice(0, cut));
      line = rest;
      w = w.slice(cut);
    }
    line += w;
    fresh = false;
  }
  out.push(line);
  return out;
}
