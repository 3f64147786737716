// SPDX-License-Identifier: GPL-2.0-only
/**
 * page_pool_alloc - a driver takes an RX page from its page_pool.
 *
 * Models net/core/page_pool.c page_pool_alloc_pages() (6.1 l.460-472),
 * called through include/net/page_pool.h page_pool_dev_alloc_pages()
 * (l.214-219): a page whose page->pp is the pool (pp_magic |= PP_SIGNATURE,
 * page_pool_set_pp_info() l.~380) with one reference, which the driver
 * holds (the trace's caller) until it hands it to an skb frag
 * (skb_add_rx_frag / skb_fill_page_desc take no reference of their own).
 *
 * A pool is named by its first use (no page_pool_create() line; the model
 * keeps no pool record: a pool is its pages' page->pp and its ring).
 * The model always gives the new name a fresh page: which recycled page
 * __page_pool_get_cached() would hand out next is not modelled, since a
 * name is one page for the whole trace. A recycled page therefore stays in
 * the ring, where it already counts as the driver's for its next RX.
 * 6.1 only (page_pool appeared in 4.18).
 */
import { assertNewName } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId } from "../model/types";
import { defineOp, ref } from "./spec";

export function page_pool_alloc(tx: Tx, result: string, pool: string): void {
  assertNewName(tx, result, "page_pool_alloc");
  tx.set("pages", result, {
    name: result as PageId,
    owner: "host",
    origin: "pool",
    refcount: 1,
    caller: 1,
    freed: false,
    pp: pool,
  });
}

export const page_pool_alloc_spec = defineOp({
  fn: "page_pool_alloc",
  params: ["pool"],
  names: ["pool"],
  ctypes: [null],
  result: "page",
  kernels: ["6.1"],
  history: "page_pool appeared in 4.18",
  summary: "a driver takes an RX page from its page_pool (page->pp set, one reference, the caller's)",
  group: "allocate",
  opcode: 50,
  docs: [
    {
      call: "p = page_pool_alloc(pool)",
      models:
        "6.1 only: `page_pool_dev_alloc_pages()`: a page whose `page->pp` is `pool` (any name; a pool exists from its first use), one reference held by the caller (the driver) until a frag takes it",
    },
  ],
  search: { notSearchable: "the search starts from a prefix that allocates the driver's pages; new pages would only be the caller's own" },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => (c.state.kernel === "6.1" ? { fn, result: c.fresh("pp"), args: [ref(d[1] % 4 === 0 ? "pool2" : "pool")] } : null),
  },
  oracle: "page_pool_alloc",
  run: (tx, r, a) => page_pool_alloc(tx, r!, a[0]),
});
