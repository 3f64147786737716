// SPDX-License-Identifier: GPL-2.0-only
/** The docs' policy table and header line are the registry's, current. */
import { describe, expect, it } from "vitest";
import { POLICIES } from "../model/types";
import { POLICY_TABLE_BEGIN, policyHeaderLine, policyTableMarkdown, withPolicyDocs } from "./docs";

const docs = import.meta.glob<string>(["../../README.md", "../../docs/trace-language.md"], { query: "?raw", import: "default", eager: true });

describe("the generated policy docs", () => {
  it("have a row per policy and the header line lists every id", () => {
    const rows = policyTableMarkdown()
      .split("\n")
      .filter((l) => l.startsWith("| `"));
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1])).toEqual([...POLICIES]);
    expect(policyHeaderLine()).toBe(`# policy: ${POLICIES.join(" | ")}`);
  });

  it("rewrite a stale table and a stale header line", () => {
    const stale = `a\n# policy: page-refs | destructor\n\n${POLICY_TABLE_BEGIN}\n| old |\n<!-- /policies -->\nb\n`;
    const fresh = withPolicyDocs(stale);
    expect(fresh).toBe(`a\n${policyHeaderLine()}\n\n${policyTableMarkdown()}\nb\n`);
  });

  it.each(Object.entries(docs))("%s is current (npx tsx tools/policy-docs.ts)", (_path, text) => {
    expect(text).toContain(policyTableMarkdown());
    expect(withPolicyDocs(text)).toBe(text);
  });

  it("covers both documents", () => {
    expect(Object.keys(docs)).toHaveLength(2);
  });
});
