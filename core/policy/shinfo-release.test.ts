// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;

describe("shinfo-release", () => {
  it("arms the Data's release; a clone sharing the Data keeps the completion back", () => {
    const run = clean(trace(`${ARMED}\nb = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)`, { policy: "shinfo-release", kernel: "2.6.32" }));
    expect([...run.snapshotAt(4).datas.values()].map((d) => d.release)).toEqual(["z1"]);
    expect(run.steps.map((s) => s.completion)).toEqual([false, false, false, false, false, false, true]);
    expect(run.verdict).toBe("ok");
  });

  it("is premature after pskb_copy: the copy's new Data carries no release, yet holds the page", () => {
    const run = clean(trace(`${ARMED}\nc = pskb_copy(a)\nkfree_skb(a)\nkfree_skb(c)`, { policy: "shinfo-release", kernel: "2.6.32" }));
    expect(run.verdict).toBe("premature");
    expect(run.findings[0]).toMatchObject({ kind: "premature", step: 6 });
  });

  it("refuses a second arm of one Data", () => {
    const run = trace(`${ARMED}\nzerocopy_arm(a)`, { policy: "shinfo-release" });
    expect(run.steps[4].error).toMatchObject({ kind: "precondition", message: "zerocopy_arm: skb_shinfo(a)->release is already set" });
  });
});
