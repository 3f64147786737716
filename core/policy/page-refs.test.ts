// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";
import { pageRefs } from "./page-refs";

const completions = (run: ReturnType<typeof trace>) =>
  run.steps.map((s) => s.events.filter((e) => e.kind === "completion").map((e) => (e.kind === "completion" ? e.via : "")));

describe("page-refs", () => {
  it("completes when the last host reference to the page goes, whichever skb held it", () => {
    const run = clean(
      trace(`g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nb = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)`, {
        policy: "page-refs",
      }),
    );
    expect(completions(run)).toEqual([[], [], [], [], [], [], ["page refcounts"]]);
    expect(run.verdict).toBe("ok");
  });

  it("waits for every page of the buffer", () => {
    const run = clean(
      trace(
        `g = alloc_page(guest)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_fill_page_desc(a, 1, h, 0, 4096)\nzerocopy_arm(a)\nget_page(h)\nkfree_skb(a)\nput_page(h)`,
        { policy: "page-refs" },
      ),
    );
    expect(run.steps.map((s) => s.completion)).toEqual([false, false, false, false, false, false, false, false, true]);
  });

  it("arms nothing in the kernel, and its completion waits on every page holder", () => {
    expect(pageRefs.waitsOnPageHolders).toBe(true);
    const run = clean(trace(`g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`, { policy: "page-refs" }));
    expect(pageRefs.stillArmed(run.final, run.final.buffers.get("z1" as never)!)).toBe(false);
  });
});
