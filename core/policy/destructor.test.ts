// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;

describe("destructor", () => {
  it("arms a->destructor; the owner hears when a's destructor runs", () => {
    const run = clean(trace(`${ARMED}\nkfree_skb(a)`, { policy: "destructor", kernel: "2.6.32" }));
    expect(run.snapshotAt(4).skbs.get("a" as never)?.destructor).toEqual({ fn: "zerocopy_complete", buffer: "z1" });
    expect(run.steps[4].events.find((e) => e.kind === "completion")).toMatchObject({ via: "a->destructor" });
    expect(run.verdict).toBe("ok");
  });

  it("is premature when a clone still holds the page at the free (the destructor is per struct)", () => {
    const run = clean(trace(`${ARMED}\nb = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)`, { policy: "destructor", kernel: "2.6.32" }));
    expect(run.verdict).toBe("premature");
    expect(run.findings[0]).toMatchObject({ kind: "premature", step: 6 });
  });

  it("refuses a second arm of one skb", () => {
    const run = trace(`${ARMED}\nzerocopy_arm(a)`, { policy: "destructor" });
    expect(run.steps[4].error).toMatchObject({ kind: "precondition", message: "zerocopy_arm: a already has a destructor (zerocopy_complete)" });
  });
});
