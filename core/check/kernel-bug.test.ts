// SPDX-License-Identifier: GPL-2.0-only
/**
 * A step the kernel would BUG on is a finding, not a refused step (issue
 * 16.2). Read: net/core/skbuff.c skb_put() l.2169 and skb_push() l.2190
 * (skb_over_panic / skb_under_panic, l.123-131, end in BUG()),
 * pskb_expand_head() l.1834 (BUG_ON(nhead < 0)), skb_pull_inline() (NULL).
 */
import { describe, expect, it } from "vitest";
import { trace } from "../testdata/harness";
import { verdictMatrix } from "../engine/matrix";
import { parseTrace } from "../trace/parse";

const A = "a = alloc_skb(256)\n";

describe("kernel-bug findings", () => {
  it.each([
    ["skb_put(a, 4294967295)", "skb_over_panic"],
    ["skb_push(a, 16)", "skb_under_panic"],
    ["pskb_expand_head(a, -1, 0)", "BUG_ON(nhead < 0)"],
    ["skb_get(a)\npskb_expand_head(a, 0, 0)", "BUG_ON(skb_shared(skb))"],
  ])("%s: a kernel-bug finding naming %s, verdict not ok", (line, check) => {
    const run = trace(A + line);
    const bug = run.findings.filter((f) => f.kind === "kernel-bug");
    expect(bug).toHaveLength(1);
    expect(bug[0].message).toContain(check);
    expect(bug[0].step).toBe(run.steps.length);
    expect(run.verdict).toBe("kernel-bug");
  });

  it("under every policy of the matrix (check exits 1 on it)", () => {
    const m = verdictMatrix(parseTrace(`${A}skb_put(a, 4294967295)`).trace, "6.1");
    expect(m.entries.length).toBeGreaterThan(3);
    for (const e of m.entries) expect([e.policy, e.verdict]).toEqual([e.policy, "kernel-bug"]);
  });

  it.each([
    ["skb_pull(a, 10)", "skb_pull returns NULL past len"],
    ["pskb_expand_head(a, 1073741824, 0)", "-ENOMEM"],
  ])("%s is a refusal, not a crash (%s): verdict ok", (line) => {
    const run = trace(A + line);
    expect(run.steps[1].error).toBeDefined();
    expect(run.findings).toEqual([]);
    expect(run.verdict).toBe("ok");
  });
});
