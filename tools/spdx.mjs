#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// Puts `// SPDX-License-Identifier: GPL-2.0-only` at the top of every source
// file that lacks it (after a `#!` line, which must stay first).
//
//   node tools/spdx.mjs [--check] [DIR]
//
// DIR defaults to the repository. --check changes nothing: it lists the files
// without the line and exits 1 if there is any.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const LINE = "// SPDX-License-Identifier: GPL-2.0-only";
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Not ours, built, or generated: never stamped. */
const SKIP = new Set(["node_modules", "dist", "dist-cli", ".git", "test-results", "build"]);

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

/** The identifier may sit anywhere in the first lines (after a #! or a comment opener). */
const hasLine = (text) => text.split("\n", 5).some((l) => l.includes("SPDX-License-Identifier:"));

function stamped(text) {
  if (text.startsWith("#!")) {
    const end = text.indexOf("\n") + 1 || text.length;
    return `${text.slice(0, end)}${LINE}\n${text.slice(end)}`;
  }
  return `${LINE}\n${text}`;
}

const args = process.argv.slice(2);
const check = args.includes("--check");
const unknown = args.filter((a) => a.startsWith("-") && a !== "--check");
if (unknown.length || args.filter((a) => !a.startsWith("-")).length > 1) {
  console.error("usage: node tools/spdx.mjs [--check] [DIR]");
  process.exit(2);
}
const root = args.find((a) => !a.startsWith("-")) ?? fileURLToPath(new URL("..", import.meta.url));

const missing = [];
for (const path of sources(root)) {
  const text = readFileSync(path, "utf8");
  if (hasLine(text)) continue;
  missing.push(relative(root, path));
  if (!check) writeFileSync(path, stamped(text));
}
if (check) {
  for (const path of missing) console.log(`${path}: no SPDX-License-Identifier line`);
  process.exit(missing.length ? 1 : 0);
}
console.log(`${missing.length} file${missing.length === 1 ? "" : "s"} stamped`);
