// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: 6.1 include/net/page_pool.h page_pool_put_full_page() l.331-335,
// page_pool_put_page() l.314; net/core/page_pool.c
// page_pool_put_defragged_page() l.627-636, __page_pool_put_page()
// l.579-624, page_pool_release_page() l.499-525.

describe("page_pool_put_full_page", () => {
  it("the driver's only reference: recycled into the ring, refcount stays 1", () => {
    const run = clean(trace("p = page_pool_alloc(pool)\npage_pool_put_full_page(pool, p)"));
    expect(run.final.pages.get("p" as never)).toMatchObject({ refcount: 1, caller: 0, pp: "pool", pp_in_pool: true });
    expect(view(run.final).holders.p).toEqual(["pool.ring"]);
    expect(run.findings).toEqual([]);
  });

  it("a frag still holds it: released from the pool and put (2 -> 1), the frag keeps an ordinary page", () => {
    const run = clean(
      trace("p = page_pool_alloc(pool)\nget_page(p)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1500, 4096)\npage_pool_put_full_page(pool, p)"),
    );
    const p = run.final.pages.get("p" as never)!;
    expect(p).toMatchObject({ refcount: 1, caller: 0 });
    expect(p.pp).toBeUndefined();
    expect(view(run.final).holders.p).toEqual(["h1.frags[0]"]);
    expect(run.findings).toEqual([]);
  });

  it("refuses a page of another pool, or one the caller does not hold", () => {
    const other = trace("p = page_pool_alloc(pool)\npage_pool_put_full_page(rx2, p)");
    expect(other.steps[1].error).toMatchObject({ kind: "precondition" });
    expect(other.final.pages.get("p" as never)).toMatchObject({ caller: 1, pp: "pool" });
    const unheld = trace("p = page_pool_alloc(pool)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1500, 4096)\npage_pool_put_full_page(pool, p)");
    expect(unheld.steps[3].error).toMatchObject({ kind: "precondition" });
    const plain = trace("h = alloc_page(host)\npage_pool_put_full_page(pool, h)");
    expect(plain.steps[1].error).toMatchObject({ kind: "precondition" });
  });

  it("a page recycled into the ring is the pool's: the caller can neither take it again nor attach it (fast-check found both)", () => {
    const back = "p = page_pool_alloc(pool)\npage_pool_put_full_page(pool, p)\n";
    const get = trace(`${back}get_page(p)`);
    expect(get.steps[2].error).toMatchObject({ kind: "precondition", message: expect.stringMatching(/page_pool pool's ring/) });
    const fill = trace(`${back}a = alloc_skb(256)\nskb_fill_page_desc(a, 0, p, 0, 96)`);
    expect(fill.steps[3].error).toMatchObject({ kind: "precondition", message: expect.stringMatching(/page_pool pool's ring/) });
    for (const run of [get, fill]) {
      expect(run.final.pages.get("p" as never)).toMatchObject({ refcount: 1, caller: 0, pp_in_pool: true });
      expect(view(run.final).holders.p).toEqual(["pool.ring"]);
    }
  });
});
