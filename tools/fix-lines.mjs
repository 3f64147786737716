// SPDX-License-Identifier: GPL-2.0-only
/**
 * Rewrites the `modelledAt` line references of core/fixes/catalogue.ts to
 * where each fix's `modelledSnippet` now stands in the engine's source
 * (the nearest occurrence to the old line; the range keeps its length).
 * An edit above a guard moves it; `npm run fix-lines` puts the catalogue
 * back in step. `--check` only lists what moved (exit 1 if anything did);
 * `--root DIR` works on another checkout (the test's).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const at = process.argv.indexOf("--root");
const ROOT = at > 0 ? process.argv[at + 1] : join(import.meta.dirname, "..");
const CATALOGUE = join(ROOT, "core/fixes/catalogue.ts");
const check = process.argv.includes("--check");

const ENTRY = /modelledAt: "([^":]+):(\d+)(?:-(\d+))?",(\s*)modelledSnippet: (['"])((?:(?!\5)[^\\]|\\.)*)\5/g;

/** The snippet as the source spells it (the catalogue writes it as a JS string literal). */
const unquote = (quote, body) => (quote === '"' ? JSON.parse(`"${body}"`) : body.replace(/\\(.)/g, "$1"));

let moved = 0;
const text = readFileSync(CATALOGUE, "utf8").replace(ENTRY, (whole, file, a, b, gap, quote, body) => {
  const snippet = unquote(quote, body);
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const from = Number(a);
  if (lines[from - 1]?.includes(snippet)) return whole;
  const hits = lines.flatMap((l, i) => (l.includes(snippet) ? [i + 1] : []));
  if (!hits.length) {
    console.error(`${file}: ${JSON.stringify(snippet)} is not there any more`);
    process.exitCode = 1;
    return whole;
  }
  const to = hits.reduce((best, h) => (Math.abs(h - from) < Math.abs(best - from) ? h : best));
  const range = b === undefined ? `${to}` : `${to}-${to + Number(b) - from}`;
  console.log(`${file}: ${a}${b ? `-${b}` : ""} -> ${range}`);
  moved++;
  return whole.replace(`${file}:${a}${b ? `-${b}` : ""}`, `${file}:${range}`);
});
if (check) {
  if (moved) process.exitCode = 1;
} else if (moved) writeFileSync(CATALOGUE, text);
