// SPDX-License-Identifier: GPL-2.0-only
/**
 * npm run docs: rewrite the generated parts of the docs from the op
 * registry (see tools/docs.ts).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { GENERATED } from "./docs";

const root = resolve(import.meta.dirname, "..");
for (const g of GENERATED) {
  const path = resolve(root, g.file);
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  const next = g.render(current);
  if (next !== current) {
    writeFileSync(path, next);
    console.log(`wrote ${g.file}`);
  }
}
