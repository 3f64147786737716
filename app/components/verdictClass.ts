// SPDX-License-Identifier: GPL-2.0-only
/** The class a verdict is drawn with: ok, n/a, inconclusive (not judged: never drawn as ok) or bad. */
export function verdictClass(verdict: string): string {
  return verdict === "ok" ? "ok" : verdict === "n/a" ? "na" : verdict === "inconclusive" ? "inconclusive" : "bad";
}
