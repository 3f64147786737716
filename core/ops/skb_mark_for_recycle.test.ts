// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: 6.1 include/linux/skbuff.h skb_mark_for_recycle() l.5189-5192;
// net/core/skbuff.c skb_try_coalesce() l.5468-5491 (the pp_recycle test),
// skb_shift() l.3777 (__skb_frag_unref(fragfrom, skb->pp_recycle));
// net/core/gro.c skb_gro_receive() l.171-172.

/** t: all paged, 1000 bytes of kernel page h, no pp_recycle. a: pool page p as frags[0], marked. */
const TWO = `h = alloc_page(host)
t = alloc_skb(0)
skb_fill_page_desc(t, 0, h, 0, 1000)
p = page_pool_alloc(pool)
a = alloc_skb(0)
skb_add_rx_frag(a, 0, p, 0, 1500, 4096)
skb_mark_for_recycle(a)
`;

describe("skb_mark_for_recycle", () => {
  it("sets skb->pp_recycle and nothing else", () => {
    const run = clean(trace("a = alloc_skb(256)\nskb_mark_for_recycle(a)"));
    expect(run.snapshotAt(1).skbs.get("a" as never)!.pp_recycle).toBeUndefined();
    expect(run.final.skbs.get("a" as never)).toEqual({ ...run.snapshotAt(1).skbs.get("a" as never), pp_recycle: true });
  });

  it("is 6.1 only", () => {
    expect(trace("# kernel: 2.6.32\na = alloc_skb(256)\nskb_mark_for_recycle(a)").steps[1].error).toMatchObject({ kind: "unsupported" });
  });
});

describe("skb_try_coalesce and pp_recycle", () => {
  it("refuses to mix pp_recycle (to without, from with): nothing moves", () => {
    const run = clean(trace(`${TWO}skb_try_coalesce(t, a)`));
    expect(run.steps[7].events).toContainEqual({ kind: "result", fn: "skb_try_coalesce", value: "false (pp_recycle differs, or a cloned page_pool skb)" });
    expect(view(run.final).skbs.a.frags).toEqual(["p+0:1500"]);
    expect(view(run.final).skbs.t.frags).toEqual(["h+0:1000"]);
  });

  it("refuses page_pool frags from a clone even when both recycle", () => {
    const run = clean(trace(`${TWO}skb_mark_for_recycle(t)\nc = skb_clone(a)\nskb_try_coalesce(t, a)`));
    expect(run.steps[9].events.at(-1)).toMatchObject({ value: "false (pp_recycle differs, or a cloned page_pool skb)" });
    expect(view(run.final).pages.p).toBe(1);
  });

  it("merges two recycling skbs: p's descriptor moves, no count change", () => {
    const run = clean(trace(`${TWO}skb_mark_for_recycle(t)\nskb_try_coalesce(t, a)`));
    expect(view(run.final).skbs.t.frags).toEqual(["h+0:1000", "p+0:1500"]);
    expect(view(run.final).pages.p).toBe(1);
  });

  it("without the fix: p moves into t, whose free put_page()s it past the pool", () => {
    const run = clean(
      trace(`${TWO}zerocopy_arm(a)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, false)\nkfree_skb(t)`, {
        policy: "page-pool",
        without: ["coalesce-pp-recycle"],
      }),
    );
    expect(view(run.snapshotAt(9)).skbs.t.frags).toEqual(["h+0:1000", "p+0:1500"]);
    expect(run.final.pages.has("p" as never)).toBe(false);
    expect(run.steps[10].events.some((e) => e.kind === "pp_return")).toBe(false);
    expect(run.findings.map((f) => f.kind)).toEqual(["missed"]);
    expect(run.verdict).toBe("missed");
  });

  it("without the fix, from a clone: t and the clone's Data both map p with pp_recycle; t's free releases p while they do", () => {
    const run = clean(
      trace(`${TWO}zerocopy_arm(a)\nskb_mark_for_recycle(t)\nc = skb_clone(a)\nskb_try_coalesce(t, a)\nkfree_skb(t)`, {
        policy: "page-pool",
        without: ["coalesce-pp-recycle"],
      }),
    );
    // skb_cloned(from): each frag page +1 for t's Data.
    expect(view(run.snapshotAt(11)).pages.p).toBe(2);
    expect(run.steps[11].findings.map((f) => f.kind)).toEqual(["premature"]);
  });
});

describe("skb_gro_receive and pp_recycle", () => {
  it("refuses to merge a page_pool skb into one that does not recycle (-ETOOMANYREFS)", () => {
    const run = clean(trace(`${TWO}skb_gro_receive(t, a)`));
    expect(run.steps[7].events.at(-1)).toMatchObject({ kind: "result", fn: "skb_gro_receive" });
    expect(JSON.stringify(run.steps[7].events.at(-1))).toContain("pp_recycle differs");
    expect(view(run.final).skbs.a.frags).toEqual(["p+0:1500"]);
  });
});

describe("skb_shift and pp_recycle", () => {
  it("a merged frag is dropped with skb->pp_recycle: p's count is 2, so it is released from the pool", () => {
    const src = `p = page_pool_alloc(pool)
t = alloc_skb(0)
skb_fill_page_desc(t, 0, p, 0, 1000)
get_page(p)
a = alloc_skb(0)
skb_fill_page_desc(a, 0, p, 1000, 1000)
skb_mark_for_recycle(a)
skb_shift(t, a, 1000)`;
    const run = clean(trace(src));
    const p = run.final.pages.get("p" as never)!;
    expect(p.refcount).toBe(1);
    expect(p.pp).toBeUndefined();
    expect(view(run.final).skbs.t.frags).toEqual(["p+0:2000"]);
    // Without pp_recycle on a it is a plain put_page: p stays the pool's.
    const plain = clean(trace(src.replace("skb_mark_for_recycle(a)\n", "")));
    expect(plain.final.pages.get("p" as never)).toMatchObject({ refcount: 1, pp: "pool" });
  });
});
