// SPDX-License-Identifier: GPL-2.0-only
/**
 * page-pool (6.1) - the owner is a driver's page_pool: its RX pages
 * (page_pool_alloc) go out in skbs marked skb_mark_for_recycle(), and it
 * hears when each comes back (core/kernel/page_pool.ts, modelling
 * __page_pool_put_page(), net/core/page_pool.c l.579-624):
 *  - recycled into the ring (page refcount 1): the driver may hand the
 *    page to the NIC for its next RX at once, so any holder still mapping
 *    it is premature;
 *  - released from the pool (page_pool_release_page(), l.499: elevated
 *    refcount): the pool's in-flight count of the page ends and its DMA
 *    mapping goes; the page lives on as an ordinary page, so ordinary
 *    holders are fine, but an skb that still maps it with pp_recycle set
 *    believes it may still recycle it: two skbs were "responsible" for
 *    the page, the state the race in "skbuff: Fix a potential race while
 *    recycling page_pool packets" starts from (see core/ops/kfree_skb.ts).
 * The owner is told once per buffer, when its last page is back.
 *
 * What zerocopy_arm(a) arms: what a driver does when it builds an RX skb
 * on pool pages, skb_mark_for_recycle(a) (skb->pp_recycle = 1), and the
 * record of a's page_pool frag pages as the buffer the driver wants back
 * (the rest of the mechanism is the pages' page->pp, set by
 * page_pool_alloc). "Still armed": a page of the buffer is still a pool
 * page in flight (page->pp set, not in the ring): the pool expects it
 * back. A pool page freed with a plain put_page() (no pp_recycle on its
 * last skb) never comes back: once nothing holds it, that is `missed`.
 */
import { holdersOf, poolHolder, skbsOfData } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { DataId, PageId, State, ZBuffer } from "../model/types";
import { complete } from "./completion";
import type { CompletionPolicy } from "./types";

/** Whether a page of the buffer is back: in the ring, released, or gone. */
function back(state: Pick<State, "pages">, id: PageId): boolean {
  const page = state.pages.get(id);
  return !page || page.freed || !page.pp || page.pp_in_pool === true;
}

/** A Data holder ("h3.frags[0]") some skb of which still has pp_recycle set. */
function recycling(state: Pick<State, "skbs">, holder: string): boolean {
  const m = /^(h\d+)\./.exec(holder);
  return !!m && skbsOfData(state, m[1] as DataId).some((s) => state.skbs.get(s)?.pp_recycle);
}

/** Who maps the buffer's pages when the pool hears, as "page:holder". */
function poolHolders(tx: Tx, zb: ZBuffer): string[] {
  const view = tx.view();
  const out: string[] = [];
  for (const id of zb.pages) {
    const page = view.pages.get(id);
    if (!page || page.freed) continue;
    const all = holdersOf(view, id);
    const bad = page.pp_in_pool ? all.filter((h) => h !== poolHolder(page.pp)) : all.filter((h) => recycling(view, h));
    for (const h of bad) out.push(`${id}:${h}`);
  }
  return out;
}

export const pagePool: CompletionPolicy<"page-pool"> = {
  id: "page-pool",
  doc: {
    armedBy:
      "`skb_mark_for_recycle(a)` (`a->pp_recycle`, as a driver marks its RX skb); with the pages' `page->pp` (`page_pool_alloc`) that is the mechanism. The buffer is `a`'s page_pool frag pages",
    toldWhen:
      "every page of the buffer is back: recycled into the pool's ring (premature if anything still maps it) or released from the pool (premature if an skb with `pp_recycle` still maps it)",
  },
  arm(tx, site) {
    if (!site.skb.pp_recycle) tx.set("skbs", site.skb.name, { ...site.skb, pp_recycle: true });
  },
  ownsPage: (page) => page.pp !== undefined && !page.pp_in_pool,
  stillArmed: (state, zb) => zb.pages.some((p) => !back(state, p)),
  waitsOnSkb: (_state, zb, _skb, data) => data.frags.some((f) => zb.pages.includes(f.page)),
  waitsOnPageHolders: false,
  ownerPage: "page_pool_alloc(pool)",
  onPoolReturn(tx, page, how) {
    for (const zb of tx.all("buffers").values()) {
      if (zb.completions.length > 0 || !zb.pages.includes(page)) continue;
      if (!zb.pages.every((p) => back(tx.view(), p))) continue;
      const via = how === "recycled" ? "page_pool_put_full_page (recycled into the ring)" : "page_pool_release_page (released from the pool)";
      complete(tx, zb.id, via, true, poolHolders(tx, zb));
    }
  },
};
