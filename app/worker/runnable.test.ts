// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace } from "../../core/index";
import { firstErrorLine, runnablePrefix, stepErrors } from "./runnable";

describe("a trace with mistakes", () => {
  const source = "g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100000)  # too long\nb = skb_clone(a)\nkfree_skb(a\nkfree_skb(b)\nkfree_skb(a)\n";

  it("runs up to its first error line, never with the bad line left out", () => {
    const parsed = parseTrace(source);
    expect(firstErrorLine(parsed.diagnostics)).toBe(5);
    const prefix = runnablePrefix(parsed.trace, parsed.diagnostics);
    expect(prefix.ops.map((op) => op.line)).toEqual([1, 2, 3, 4]);
    const clean = parseTrace("a = alloc_skb(1)\n");
    expect(runnablePrefix(clean.trace, clean.diagnostics)).toBe(clean.trace);
  });

  it("reports each failing step at its operation's text, the comment left out", () => {
    const parsed = parseTrace(source);
    const run = runTrace(runnablePrefix(parsed.trace, parsed.diagnostics));
    const errors = stepErrors(run.steps, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ step: 3, line: 3, column: 1, endColumn: 19 });
    expect(errors[0].message.length).toBeGreaterThan(0);
  });

  it("caps how many errors travel", () => {
    const many = Array.from({ length: 20 }, () => "kfree_skb(nothing)").join("\n");
    const run = runTrace(parseTrace(many, { names: false }).trace);
    expect(stepErrors(run.steps, many, 5).map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
  });
});
