// SPDX-License-Identifier: GPL-2.0-only
/**
 * The docs' policy table and `# policy:` header line, generated from the
 * registry (README.md and docs/trace-language.md carry them between
 * markers; docs.test.ts fails when they are stale, and
 * `npx tsx tools/policy-docs.ts` rewrites them).
 */
import { POLICY_TABLE } from "../model/policies";
import { POLICY_MODULES } from "./registry";

export const POLICY_TABLE_BEGIN = "<!-- policies: generated from core/policy/ by `npx tsx tools/policy-docs.ts` -->";
export const POLICY_TABLE_END = "<!-- /policies -->";

export function policyTableMarkdown(): string {
  const rows = POLICY_TABLE.map((p) => {
    const { armedBy, toldWhen } = POLICY_MODULES[p.id].doc;
    return `| \`${p.id}\` | ${p.kernels.join(", ")} | ${armedBy} | ${toldWhen} |`;
  });
  return [
    POLICY_TABLE_BEGIN,
    "| policy | kernels | armed by `zerocopy_arm(a)` | the owner is told complete when |",
    "|---|---|---|---|",
    ...rows,
    POLICY_TABLE_END,
  ].join("\n");
}

/** The grammar's header line: every policy id. */
export function policyHeaderLine(): string {
  return `# policy: ${POLICY_TABLE.map((p) => p.id).join(" | ")}`;
}

/** The markdown with its generated parts current (unchanged if they are). */
export function withPolicyDocs(markdown: string): string {
  const begin = markdown.indexOf(POLICY_TABLE_BEGIN);
  const end = markdown.indexOf(POLICY_TABLE_END);
  let out = markdown;
  if (begin >= 0 && end > begin) out = out.slice(0, begin) + policyTableMarkdown() + out.slice(end + POLICY_TABLE_END.length);
  return out.replace(/^# policy: .*\|.*$/m, policyHeaderLine());
}
