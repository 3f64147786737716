// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 11.7: the search counts steps the model cannot handle apart from
 * the kernel's refusals, follows the callers' contracts, never lets its
 * per-operation section contradict the whole-menu search, and supports a
 * start state with a frag_list without blaming the start's own misuse.
 */
import { describe, expect, it } from "vitest";
import { printOp } from "../trace/print";
import { parseTrace } from "../trace/parse";
import { proofText } from "./proof";
import { search, searchThrough } from "./search";

const FRAG_LIST_START = parseTrace(`g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
t = alloc_skb(256)
skb_frag_add_head(t, a)
`).trace.ops;

describe("search (issue 11.7)", () => {
  it("counts steps the model does not handle apart from steps the kernel refuses", () => {
    // skb_segment over t, whose frag_list member is zero-copy: not modelled on 6.1.
    const r = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 1, prefix: FRAG_LIST_START });
    expect(r.notModelled).toBeGreaterThan(0);
    const all = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 1, prefix: FRAG_LIST_START, ops: ["skb_segment"] });
    expect(all).toMatchObject({ notModelled: 2, pruned: 0 });
    // The bounded proof says what it did not judge: "any sequence" never covers them.
    expect(proofText(all)).toMatch(
      /^no premature completion, .* in any sequence of up to 1 step from .* over skb_segment \(\d+ distinct states?; not judged: 2 steps the model does not cover, and every path through them\)$/,
    );
    const clean = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 1, ops: ["skb_clone"] });
    expect(clean.notModelled).toBe(0);
    expect(proofText(clean)).not.toMatch(/not judged/);
  });

  it("never splits at 0 or at skb->len (tcp_fragment's contract)", () => {
    const r = search({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2, ops: ["skb_split", "kfree_skb"] });
    const splits = r.counterexamples.flatMap((c) => c.ops.map(printOp)).filter((s) => s.includes("skb_split"));
    expect(splits.length).toBeGreaterThan(0);
    for (const s of splits) expect(s).not.toMatch(/skb_split\(a, (0|4096)\)/);
  });

  it("the per-operation section agrees with the whole-menu search (skb_recycle_check)", () => {
    // A head big enough to linearize into (row 12 of the semantics reference).
    const prefix = parseTrace("g = alloc_page(guest)\na = alloc_skb(8192)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n").trace.ops;
    const opts = { policy: "shinfo-release" as const, kernel: "2.6.32" as const, maxDepth: 3, prefix };
    const whole = search(opts);
    const missed = whole.counterexamples.find((c) => c.kind === "missed")!;
    expect(missed.ops.map((op) => op.fn)).toContain("skb_recycle_check");
    const [recycle] = searchThrough(opts, ["skb_recycle_check"]);
    expect(recycle.own.map((c) => c.kind)).toContain("missed");
  });

  it("a start state with a frag_list: the list-owned skb is not freed or queued by name", () => {
    const r = search({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2, prefix: FRAG_LIST_START });
    for (const c of r.counterexamples) {
      for (const op of c.ops) {
        // a belongs to t's frag_list: only t is the caller's
        expect(
          op.args.some((arg) => arg.kind === "ref" && arg.name === "a"),
          `${c.kind}: ${c.ops.map(printOp).join("; ")}`,
        ).toBe(false);
      }
    }
    expect(r.counterexamples.map((c) => c.kind)).not.toContain("use-after-free");
    // freeing the head (its list goes with it) still completes the buffer
    expect(r.counterexamples.length).toBeGreaterThan(0);
  });
});
