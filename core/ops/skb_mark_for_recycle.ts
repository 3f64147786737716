// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_mark_for_recycle - a driver marks its RX skb so that the frag pages
 * go back to their page_pool instead of to put_page().
 *
 * Models include/linux/skbuff.h skb_mark_for_recycle() (6.1 l.5189-5192):
 * skb->pp_recycle = 1, nothing else. What the bit then does:
 *  - skb_clone copies it (__skb_clone, net/core/skbuff.c l.1193 C(pp_recycle));
 *  - skb_release_data (l.766-803) passes it to __skb_frag_unref for each
 *    frag (core/kernel/page_pool.ts) and clears it at exit, also on the
 *    early exit of a clone that is not the last (core/ops/kfree_skb.ts);
 *  - skb_try_coalesce refuses to mix it (l.5489-5491);
 *  - skb_shift, pskb_trim and __pskb_pull_tail unref dropped frags with it.
 * 6.1 only (the bit came with "page_pool: Allow drivers to hint on SKB
 * recycling", 5.14).
 */
import { skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { defineOp, fuzzOneSkb } from "./spec";

export function skb_mark_for_recycle(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "skb_mark_for_recycle");
  tx.set("skbs", skb.name, { ...skb, pp_recycle: true });
}

export const skb_mark_for_recycle_spec = defineOp({
  fn: "skb_mark_for_recycle",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  kernels: ["6.1"],
  history: "added in 5.14",
  summary: "the driver sets skb->pp_recycle: frag pages go back to their page_pool",
  group: "reference",
  opcode: 51,
  docs: [
    {
      call: "skb_mark_for_recycle(a)",
      models: "6.1 only: `skb->pp_recycle = 1`; `skb_clone` copies it, `skb_release_data` recycles frag pages of a page_pool with it",
    },
  ],
  search: { notSearchable: "marking is the driver's setup when it builds the RX skb, made in the search's prefix" },
  fuzz: fuzzOneSkb(2, "6.1"),
  oracle: "skb_mark_for_recycle",
  run: (tx, _r, a) => skb_mark_for_recycle(tx, a[0]),
});
