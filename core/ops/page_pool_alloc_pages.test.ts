// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: 6.1 net/core/page_pool.c page_pool_alloc_pages() l.460-472,
// __page_pool_put_page() l.579-624, page_pool_release_page() l.499-525,
// page_pool_return_skb_page() l.915-941; include/net/page_pool.h
// page_pool_dev_alloc_pages() l.214, page_pool_put_full_page() l.331;
// include/linux/skbuff.h __skb_frag_unref() l.3497-3505;
// net/core/skbuff.c skb_release_data() l.766-803, __skb_clone() l.1193.

/** The driver's RX skb a: pool page p (1500 bytes) as frags[0], marked for recycling. */
const RX = `p = page_pool_alloc(pool)
a = alloc_skb(256)
skb_add_rx_frag(a, 0, p, 0, 1500, 4096)
skb_mark_for_recycle(a)
`;
const page = (run: ReturnType<typeof trace>, step: number) => run.snapshotAt(step).pages.get("p" as never);

describe("page_pool_alloc", () => {
  it("gives a page of the pool with one reference, the caller's (page_pool_dev_alloc_pages)", () => {
    const run = clean(trace("p = page_pool_alloc(pool)"));
    expect(run.final.pages.get("p" as never)).toEqual({ name: "p", owner: "host", origin: "pool", refcount: 1, caller: 1, freed: false, pp: "pool" });
    expect(view(run.final).holders.p).toEqual(["caller"]);
    expect(run.findings).toEqual([]);
  });

  it("hands the reference to a frag: skb_add_rx_frag takes none of its own", () => {
    const run = clean(trace(RX));
    expect(view(run.final).pages.p).toBe(1);
    expect(view(run.final).holders.p).toEqual(["h1.frags[0]"]);
  });

  it("is 6.1 only", () => {
    const run = trace("# kernel: 2.6.32\np = page_pool_alloc(pool)");
    expect(run.steps[0].error).toMatchObject({ kind: "unsupported" });
  });
});

describe("__skb_frag_unref with pp_recycle (skb_release_data)", () => {
  it("the last reference is recycled: the ring keeps it at refcount 1, nothing maps it", () => {
    const run = clean(trace(`${RX}kfree_skb(a)`));
    expect(page(run, 5)).toMatchObject({ refcount: 1, pp: "pool", pp_in_pool: true, freed: false });
    expect(view(run.final).holders.p).toEqual(["pool.ring"]);
    expect(run.steps[4].events).toContainEqual({ kind: "pp_return", page: "p", pool: "pool", how: "recycled", holders: [] });
    expect(run.findings).toEqual([]);
  });

  it("an elevated count releases the page from the pool, then put_page", () => {
    const run = clean(trace(`${RX}get_page(p)\nkfree_skb(a)`));
    const p = page(run, 6)!;
    expect(p.refcount).toBe(1);
    expect(p.pp).toBeUndefined();
    expect(p.pp_in_pool).toBeUndefined();
    expect(view(run.final).holders.p).toEqual(["caller"]);
    expect(run.steps[5].events).toContainEqual({ kind: "pp_return", page: "p", pool: "pool", how: "released", holders: [] });
    // From then on it is an ordinary page: the caller's put frees it.
    const freed = clean(trace(`${RX}get_page(p)\nkfree_skb(a)\nput_page(p)`));
    expect(freed.final.pages.has("p" as never)).toBe(false);
    expect(freed.findings).toEqual([]);
  });

  it("without skb_mark_for_recycle the page is put_page'd and goes to the page allocator", () => {
    const run = clean(trace("p = page_pool_alloc(pool)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1500, 4096)\nkfree_skb(a)"));
    expect(run.final.pages.has("p" as never)).toBe(false);
    expect(run.final.graves.get("p")).toMatchObject({ kind: "page" });
  });

  it("pp_recycle on an skb of ordinary pages changes nothing (the pp_magic check)", () => {
    const run = clean(trace("h = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, h, 0, 100)\nskb_mark_for_recycle(a)\nkfree_skb(a)"));
    expect(run.final.pages.has("h" as never)).toBe(false);
    expect(run.steps[4].events.some((e) => e.kind === "pp_return")).toBe(false);
  });
});

describe("pp_recycle on clones (__skb_clone, skb_release_data's exit:)", () => {
  it("skb_clone copies pp_recycle; the first clone freed gives it up, the last recycles", () => {
    const run = clean(trace(`${RX}c = skb_clone(a)\nkfree_skb(a)\nkfree_skb(c)`));
    expect(run.snapshotAt(5).skbs.get("c" as never)!.pp_recycle).toBe(true);
    // kfree_skb(a): dataref 2 -> 1, early exit: nothing recycled yet.
    expect(page(run, 6)).toMatchObject({ refcount: 1, pp: "pool" });
    expect(page(run, 6)!.pp_in_pool).toBeUndefined();
    expect(page(run, 7)).toMatchObject({ refcount: 1, pp_in_pool: true });
    expect(run.findings).toEqual([]);
  });

  it("pskb_expand_head on a clone clears its pp_recycle (not the last reference), p +1", () => {
    const run = clean(trace(`${RX}c = skb_clone(a)\npskb_expand_head(c, 0, 0)`));
    const s = run.final;
    expect(s.skbs.get("c" as never)!.pp_recycle).toBe(false);
    expect(s.skbs.get("a" as never)!.pp_recycle).toBe(true);
    expect(view(s).pages.p).toBe(2);
    expect(view(s).holders.p).toEqual(["h1.frags[0]", "h2.frags[0]"]);
  });

  it("with the fix: the expanded clone's free is a put_page, a's recycles p (refcount 2 -> 1 -> ring)", () => {
    const run = clean(trace(`${RX}c = skb_clone(a)\npskb_expand_head(c, 0, 0)\nkfree_skb(c)\nkfree_skb(a)`, { policy: "page-pool" }));
    expect(page(run, 7)).toMatchObject({ refcount: 1, pp: "pool" });
    expect(page(run, 8)).toMatchObject({ refcount: 1, pp_in_pool: true });
    expect(run.verdict).toBe("ok");
  });

  it("without the fix: the clone keeps pp_recycle and releases p from the pool while a maps it", () => {
    const run = clean(
      trace(`${RX}zerocopy_arm(a)\nc = skb_clone(a)\npskb_expand_head(c, 0, 0)\nkfree_skb(c)\nkfree_skb(a)`, {
        policy: "page-pool",
        without: ["pp-recycle-last-clone"],
      }),
    );
    expect(run.snapshotAt(7).skbs.get("c" as never)!.pp_recycle).toBe(true);
    const p = page(run, 8)!;
    expect(p.refcount).toBe(1);
    expect(p.pp).toBeUndefined();
    expect(run.steps[7].findings.map((f) => [f.kind, f.holder])).toEqual([["premature", "h1.frags[0]"]]);
    // a's free finds no pool page any more: put_page, p goes to the allocator.
    expect(run.final.pages.has("p" as never)).toBe(false);
    expect(run.verdict).toBe("premature");
  });
});

describe("other frag drops pass skb->pp_recycle", () => {
  it("pskb_trim drops a whole frag of an uncloned skb: recycled into the ring", () => {
    const run = clean(trace(`${RX}pskb_trim(a, 0)`));
    expect(page(run, 5)).toMatchObject({ refcount: 1, pp_in_pool: true });
    expect(view(run.final).skbs.a.frags).toEqual([]);
  });

  it("__pskb_pull_tail consuming a frag: recycled", () => {
    const run = clean(trace(`${RX}__pskb_pull_tail(a, 1500)`));
    expect(page(run, 5)).toMatchObject({ refcount: 1, pp_in_pool: true });
  });
});
