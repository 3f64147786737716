// SPDX-License-Identifier: GPL-2.0-only
/**
 * Permalinks in the app: the URL glue around the codec in core/permalink
 * (a fragment on a base URL, and the "Link:" trailer line).
 */
import type { LinkResult } from "../../core/permalink";

/** base (any URL; its own fragment is dropped) + "#" + fragment. */
export function permalinkUrl(base: string, fragment: string): string {
  const hash = base.indexOf("#");
  return `${hash >= 0 ? base.slice(0, hash) : base}#${fragment}`;
}

/**
 * The link as a `Link:` line, for a commit message trailer or a mail
 * header (RFC 5322 allows 998 characters in a line; a URL is never
 * wrapped).
 */
export function linkLine(url: string): LinkResult<string> {
  const line = `Link: ${url}`;
  if (line.length > 998)
    return { ok: false, error: { code: "too-long", message: `a Link: line of ${line.length} characters does not fit a mail header (998)` } };
  if (/\s/.test(url)) return { ok: false, error: { code: "bad-character", message: "a URL with white space in it cannot go on a Link: line" } };
  return { ok: true, value: line };
}
