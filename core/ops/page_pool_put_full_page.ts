// SPDX-License-Identifier: GPL-2.0-only
/**
 * page_pool_put_full_page - the driver gives back a page_pool page it holds
 * (an RX buffer it did not pass up, an XDP_DROP).
 *
 * Models include/net/page_pool.h page_pool_put_full_page() (6.1
 * l.331-335) -> page_pool_put_defragged_page() (net/core/page_pool.c
 * l.627-636) -> __page_pool_put_page() (l.579-624): at refcount 1 the
 * page is recycled into the pool's ring, which keeps the reference;
 * otherwise page_pool_release_page() and put_page(). The driver's (the
 * trace caller's) reference is the one given back. See
 * core/kernel/page_pool.ts for what is and is not modelled.
 */
import { precondition } from "../model/events";
import { pageOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import * as pp from "../kernel/page_pool";
import { defineOp, ref } from "./spec";

export function page_pool_put_full_page(tx: Tx, pool: string, id: string): void {
  const page = pageOf(tx, id, "page_pool_put_full_page");
  // The kernel trusts its caller here: page->pp must be this pool and the
  // caller must hold a reference (page_pool.h: "call page_pool_put_page() once").
  if (page.pp !== pool) precondition("page_pool_put_full_page", `${id} is not a page of ${pool}${page.pp ? ` but of ${page.pp}` : ""}`);
  if (page.caller === 0) precondition("page_pool_put_full_page", `the caller holds no reference to ${id}`);
  if (page.freed) precondition("page_pool_put_full_page", `${id} went back to the page allocator`);
  const mine = { ...page, caller: page.caller - 1 };
  tx.set("pages", page.name, mine);
  pp.page_pool_put_full_page(tx, mine, "page_pool_put_full_page");
}

export const page_pool_put_full_page_spec = defineOp({
  fn: "page_pool_put_full_page",
  params: ["pool", "page"],
  names: ["pool", "page"],
  ctypes: [null, null],
  result: null,
  kernels: ["6.1"],
  history: "page_pool appeared in 4.18",
  summary: "the driver gives a page_pool page back: recycled at refcount 1, else released",
  group: "reference",
  opcode: 52,
  docs: [
    {
      call: "page_pool_put_full_page(pool, p)",
      models:
        "6.1 only: the caller's reference goes back to `pool`: recycled into its ring when it is the last, else `page_pool_release_page()` and `put_page()`",
    },
  ],
  search: { notSearchable: "the driver giving back a page of its own is the owner's move, not a kernel path" },
  fuzz: {
    weight: 1,
    callerRef: 1,
    // A pool page the caller holds; with none, the driver takes one first.
    make: (c, d, fn) => {
      if (c.state.kernel !== "6.1") return null;
      const p = c.page(d[1]);
      const page = p ? c.state.pages.get(p as never) : undefined;
      if (page?.pp && page.caller > 0) return { fn, args: [ref(page.pp), ref(p!)] };
      const fresh = c.fresh("pp");
      return [
        { fn: "page_pool_alloc", result: fresh, args: [ref("pool")] },
        { fn, args: [ref("pool"), ref(fresh)] },
      ];
    },
  },
  oracle: "page_pool_put_full_page",
  run: (tx, _r, a) => page_pool_put_full_page(tx, a[0], a[1]),
});
