// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

// Read: 6.1 net/core/page_pool.c __page_pool_put_page() l.579-624 (recycle
// at refcount 1, else page_pool_release_page() and put_page()).
const RX = `p = page_pool_alloc(pool)
a = alloc_skb(256)
skb_add_rx_frag(a, 0, p, 0, 1500, 4096)
zerocopy_arm(a)
`;
const run = (more: string, without: string[] = []) => clean(trace(`${RX}${more}`, { policy: "page-pool", without }));

describe("page-pool policy", () => {
  it("arms as a driver does: skb_mark_for_recycle, and the buffer is a's pool pages", () => {
    const r = run("");
    expect(r.final.skbs.get("a" as never)!.pp_recycle).toBe(true);
    expect(r.final.buffers.get("z1" as never)!.pages).toEqual(["p"]);
  });

  it("tells the pool once, when its page is recycled, with nothing mapping it: ok", () => {
    const r = run("c = skb_clone(a)\nkfree_skb(a)\nkfree_skb(c)");
    expect(r.steps.map((s) => s.completion)).toEqual([false, false, false, false, false, false, true]);
    expect(r.verdict).toBe("ok");
  });

  it("a release with only ordinary holders left is on time", () => {
    const r = run("get_page(p)\nkfree_skb(a)\nput_page(p)");
    expect(r.steps[5].events).toContainEqual(
      expect.objectContaining({ kind: "completion", via: "page_pool_release_page (released from the pool)", holders: [] }),
    );
    expect(r.verdict).toBe("ok");
  });

  it("an skb of ordinary pages arms a buffer with no page: it protects nothing", () => {
    const r = clean(
      trace("h = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, h, 0, 100)\nzerocopy_arm(a)\nkfree_skb(a)", { policy: "page-pool" }),
    );
    expect(r.steps[3].events).toContainEqual(expect.objectContaining({ kind: "warn", fn: "zerocopy_arm" }));
    expect(r.final.buffers.get("z1" as never)!.pages).toEqual([]);
    expect(r.verdict).toBe("ok");
  });

  it("a copy holding the page without pp_recycle: a's free sees refcount 2 and releases it, on time", () => {
    const r = run("b = pskb_copy(a)\nkfree_skb(a)");
    expect(r.verdict).toBe("ok");
  });

  it("a pool page freed past the pool (its last skb does not recycle) is missed", () => {
    // skb_shift moves the whole frag to t, which does not recycle (skb_shift has no pp_recycle test).
    const r = run("t = alloc_skb(0)\nskb_shift(t, a, 1500)\nkfree_skb(a)\nkfree_skb(t)");
    expect(r.final.pages.has("p" as never)).toBe(false);
    expect(r.verdict).toBe("missed");
  });

  it("waits on a receive queue holding the skb: late", () => {
    const r = run("s = sock_create()\nsock_queue_rcv_skb(s, a)");
    expect(r.verdict).toBe("late");
  });

  it("is n/a on 2.6.32", () => {
    const r = trace("# kernel: 2.6.32\na = alloc_skb(256)\nzerocopy_arm(a)", { policy: "page-pool" });
    expect(r.steps[1].error).toMatchObject({ kind: "kernel-check" });
  });
});
