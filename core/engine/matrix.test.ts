// SPDX-License-Identifier: GPL-2.0-only
/**
 * The verdict matrix says, per policy, whether anything was armed for its
 * owner: an `ok` with nothing armed judged no completion.
 */
import { describe, expect, it } from "vitest";
import { parseTrace } from "../trace/parse";
import { nothingArmedNote, verdictMatrix } from "./matrix";

const armedOf = (text: string) => Object.fromEntries(verdictMatrix(parseTrace(text).trace, "6.1").entries.map((e) => [e.policy, [e.verdict, e.armed]]));

describe("verdictMatrix: armed", () => {
  it("a guest page armed: every policy but page-pool judged a completion", () => {
    const m = armedOf("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nkfree_skb(a)\n");
    expect(m["shinfo-release"]).toEqual(["ok", true]);
    expect(m["msg-zerocopy"]).toEqual(["ok", true]);
    expect(m["page-pool"]).toEqual(["ok", false]);
  });

  it("a page_pool page armed: page-pool judged it, the guest policies did not", () => {
    const m = armedOf(
      "p = page_pool_alloc(pool)\na = alloc_skb(0)\nskb_add_rx_frag(a, 0, p, 0, 1500, 4096)\nskb_mark_for_recycle(a)\nzerocopy_arm(a)\nkfree_skb(a)\n",
    );
    expect(m["page-pool"]).toEqual(["ok", true]);
    expect(m["page-refs"]).toEqual(["ok", false]);
  });

  it("no zerocopy_arm at all: nothing armed under any policy", () => {
    const m = armedOf("a = alloc_skb(256)\nkfree_skb(a)\n");
    expect(Object.values(m).every(([, armed]) => armed === false)).toBe(true);
  });

  it("the note names the owner's page and what was still judged", () => {
    expect(nothingArmedNote("page-pool")).toMatch(/page_pool_alloc\(pool\).*no completion was judged; only use-after-free/);
    expect(nothingArmedNote("shinfo-release")).toMatch(/alloc_page\(guest\)/);
  });
});
