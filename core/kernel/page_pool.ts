// SPDX-License-Identifier: GPL-2.0-only
/**
 * page_pool: where a page goes when an skb (or the driver) drops it with
 * recycling asked, 6.1 only.
 *
 * Models include/linux/skbuff.h __skb_frag_unref() (6.1 l.3497-3505),
 * net/core/page_pool.c page_pool_return_skb_page() (l.915-941),
 * include/net/page_pool.h page_pool_put_full_page() (l.331-335) ->
 * page_pool_put_page() (l.314) -> page_pool_put_defragged_page()
 * (page_pool.c l.627-636) -> __page_pool_put_page() (l.579-624), and
 * page_pool_release_page() (l.499-525).
 *
 * __skb_frag_unref(frag, recycle): with recycle set and a page whose
 * pp_magic says page_pool (here: page->pp set), the page goes to
 * page_pool_put_full_page() instead of put_page():
 *   page_ref_count(page) == 1: recycled. The pool's ring takes the one
 *     reference as it is (no put): refcount stays 1, holder "POOL.ring";
 *     the driver hands the page to the NIC for its next RX buffer.
 *   otherwise: released from the pool (page_pool_release_page clears
 *     page->pp and ends the pool's in-flight count of it), then put_page().
 * Without recycle, or for a page of no pool: put_page().
 *
 * Not modelled: the alloc-side cache versus the ring (page_pool_recycle_in_cache
 * needs allow_direct, which page_pool_return_skb_page never passes), a full
 * ring (page_pool_return_page), pfmemalloc pages, PP_FLAG_PAGE_FRAG
 * (pp_frag_count) and DMA syncs: none changes who holds the page.
 */
import { holdersOf, poolHolder } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Page, PageId } from "../model/types";
import { pagePut } from "../ops/alloc_page";
import { completionPolicy } from "../policy/registry";

/** __skb_frag_unref(frag, recycle): `by` is the holder already detached. */
export function skbFragUnref(tx: Tx, page: PageId, recycle: boolean, by: string): void {
  if (recycle && page_pool_return_skb_page(tx, page, by)) return;
  pagePut(tx, page, by);
}

/**
 * page_pool_return_skb_page(): false for a page of no pool (the
 * pp_magic check), else page_pool_put_full_page() and true.
 */
export function page_pool_return_skb_page(tx: Tx, id: PageId, by: string): boolean {
  const page = tx.get("pages", id);
  if (!page?.pp || page.freed) return false;
  page_pool_put_full_page(tx, page, by);
  return true;
}

/** page_pool_put_full_page(page->pp, page, false): recycle at refcount 1, else release and put. */
export function page_pool_put_full_page(tx: Tx, page: Page, by: string): void {
  const pool = page.pp!;
  if (page.refcount === 1 && !page.pp_in_pool) {
    // __page_pool_put_page(): "refcnt == 1 means page_pool owns page, and
    // can recycle it"; page_pool_recycle_in_ring() keeps the reference.
    tx.set("pages", page.name, { ...page, pp_in_pool: true });
    const ring = poolHolder(pool);
    const holders = holdersOf(tx.view(), page.name).filter((h) => h !== ring);
    tx.emit({ kind: "pp_return", page: page.name, pool, how: "recycled", holders });
    completionPolicy(tx.policy).onPoolReturn?.(tx, page.name, "recycled");
    return;
  }
  // Elevated refcount (or a page the ring already holds): page_pool_release_page()
  // then put_page(): the page leaves the pool and is an ordinary page now.
  const released: Page = { ...page };
  delete (released as { pp?: string }).pp;
  delete (released as { pp_in_pool?: boolean }).pp_in_pool;
  tx.set("pages", page.name, released);
  tx.emit({ kind: "pp_return", page: page.name, pool, how: "released", holders: [] });
  completionPolicy(tx.policy).onPoolReturn?.(tx, page.name, "released");
  pagePut(tx, page.name, by);
}
