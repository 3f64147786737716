// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTrace, runTrace, type TraceOp } from "../../core/index";
import { laterOutcome } from "./laterSteps";

const SOURCE = `g = alloc_page(guest)
a = alloc_skb(256)
skb_put(a, 100)
skb_fill_page_desc(a, 0, g, 0, 4096)
b = skb_clone(a)
c = skb_copy(a)
kfree_skb(a)
kfree_skb(b)
skb_put(c, 10)
kfree_skb(c)
`;

function outcome(source: string, at: number, line: string, max?: number) {
  const trace = parseTrace(source).trace;
  const run = runTrace(trace);
  const op: TraceOp = parseTrace(`${line}\n`, { names: false }).trace.ops[0];
  return laterOutcome(trace, run, at, op, max);
}

describe("the steps after a line the form inserts (laterOutcome)", () => {
  it("kfree_skb(c) after step 6 makes the old step 9 a use-after-free and the old step 10 a double free (kfree_skb: c's users reach 0 at the insert)", () => {
    const { later, own } = outcome(SOURCE, 6, "kfree_skb(c)");
    expect(own).toEqual([]);
    expect(later.total).toBe(4);
    expect(later.checked).toBe(4);
    expect(later.failing.map((f) => [f.step, f.line, f.op, f.kind])).toEqual([
      [10, 9, "skb_put(c, 10)", "use-after-free"],
      [11, 10, "kfree_skb(c)", "double-free"],
    ]);
    expect(later.failing[0].message).toMatch(/\bc\b/);
    expect(later.counts).toMatchObject({ failing: 2, recovered: 0 });
  });

  it("a line that changes nothing the later steps read leaves them running as they did", () => {
    const { later } = outcome(SOURCE, 6, "h = alloc_page(host)");
    expect(later.counts).toEqual({ failing: 0, recovered: 0, findings: 0, cleared: 0 });
    expect(later.total).toBe(4);
  });

  it("a step that failed and would then run is said too: freeing the clone first lets skb_split go (skb_cloned() reads dataref, 1 again)", () => {
    const source = "a = alloc_skb(256)\nskb_put(a, 200)\nb = skb_clone(a)\nc = skb_split(a, 100)\n";
    const { later } = outcome(source, 3, "kfree_skb(b)");
    expect(later.recovered.map((r) => [r.step, r.line, r.op, r.kind])).toEqual([[5, 4, "c = skb_split(a, 100)", "precondition"]]);
    expect(later.recovered[0].message).toMatch(/a is cloned/);
    expect(later.failing).toEqual([]);
  });

  it("stops re-running after its cap and then leaves out the end-of-trace findings", () => {
    const { later } = outcome(SOURCE, 6, "kfree_skb(c)", 1);
    expect(later).toMatchObject({ checked: 1, total: 4 });
    expect(later.failing).toEqual([]);
    const three = outcome(SOURCE, 6, "kfree_skb(c)", 3).later;
    expect(three.failing.map((f) => f.step)).toEqual([10]);
  });

  it("replays at most its budget of steps from the start: deeper in a long trace it re-runs nothing, and says so with checked 0", () => {
    const trace = parseTrace(SOURCE).trace;
    const run = runTrace(trace);
    const op: TraceOp = parseTrace("kfree_skb(c)\n", { names: false }).trace.ops[0];
    // A budget of 8 steps: 6 before the line, so 2 after it.
    expect(laterOutcome(trace, run, 6, op, 100, 8).later).toMatchObject({ checked: 2, total: 4 });
    expect(laterOutcome(trace, run, 6, op, 100, 8).later.failing.map((f) => f.step)).toEqual([]);
    expect(laterOutcome(trace, run, 6, op, 100, 9).later.failing.map((f) => f.step)).toEqual([10]);
    expect(laterOutcome(trace, run, 6, op, 100, 6).later).toMatchObject({
      checked: 0,
      total: 4,
      counts: { failing: 0, recovered: 0, findings: 0, cleared: 0 },
    });
  });

  it("says which findings go away and which the insert causes (tsirkin-pskb-copy: freeing c before a leaves no premature completion, and the old kfree_skb(c) a double free)", () => {
    const story = readFileSync(new URL("../../stories/seed/tsirkin-pskb-copy.trace", import.meta.url), "utf8");
    const { later } = outcome(story, 5, "kfree_skb(c)");
    expect(later.cleared.map((f) => [f.step, f.op, f.kind])).toEqual([
      [7, "kfree_skb(a)", "premature"],
      [8, "owner_reuse(g)", "premature"],
    ]);
    expect(later.failing.map((f) => [f.step, f.op, f.kind])).toEqual([[9, "kfree_skb(c)", "double-free"]]);
    // The double free is the step's error: not said twice as a finding.
    expect(later.findings).toEqual([]);
  });

  it("names a finding the insert causes at a later step: the owner reuses g while the copy still holds it (the copy kept, pskb_copy's frag ref)", () => {
    const story = readFileSync(new URL("../../stories/seed/tsirkin-pskb-copy.trace", import.meta.url), "utf8");
    const fixed = story.replace(/^c = pskb_copy\(a\)$/m, "c = skb_copy(a)");
    const { later } = outcome(fixed, 4, "d = pskb_copy(a)");
    expect(later.findings.map((f) => f.kind)).toContain("premature");
    expect(later.findings.every((f) => f.step > 5)).toBe(true);
  });
});
