// SPDX-License-Identifier: GPL-2.0-only
/**
 * Rewrites the generated policy parts of README.md and
 * docs/trace-language.md from the registry (core/policy/docs.ts).
 * Usage: npx tsx tools/policy-docs.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { withPolicyDocs } from "../core/policy/docs";

for (const file of ["README.md", "docs/trace-language.md"]) {
  const text = readFileSync(file, "utf8");
  const next = withPolicyDocs(text);
  if (next !== text) writeFileSync(file, next);
  console.log(`${file}: ${next === text ? "current" : "updated"}`);
}
