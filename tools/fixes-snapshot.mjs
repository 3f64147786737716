// SPDX-License-Identifier: GPL-2.0-only
// Regenerates core/fixes/kernel61-lines.json: the text of every 6.1 line
// range the fix catalogue cites, read from the Debian linux-source-6.1 tree,
// so the catalogue test can check guards without the tree.
// Usage: node --import tsx tools/fixes-snapshot.mjs [/usr/src/linux-source-6.1]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXES } from "../core/fixes/catalogue.ts";

const tree = process.argv[2] ?? "/usr/src/linux-source-6.1";
const files = {};
const ranges = {};
for (const fix of FIXES) {
  for (const ref of fix.lines) {
    const m = /^([\w./-]+):(\d+)-(\d+)$/.exec(ref);
    if (!m) throw new Error(`${fix.id}: bad lines reference ${ref}`);
    const text = readFileSync(join(tree, m[1]), "utf8").split("\n");
    files[m[1]] = text.length - (text[text.length - 1] === "" ? 1 : 0);
    ranges[ref] = text.slice(Number(m[2]) - 1, Number(m[3])).join("\n");
  }
}
const out = { kernel: "Debian linux-source-6.1 6.1.192", files, ranges };
writeFileSync(new URL("../core/fixes/kernel61-lines.json", import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(ranges).length} ranges from ${Object.keys(files).length} files`);
