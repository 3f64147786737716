// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_tx_error - report an sk_buff xmit error, then free the skb, as a
 * driver's error path does (`skb_tx_error(skb); dev_kfree_skb_any(skb);`:
 * the kernel-doc says "skb must be freed afterwards").
 *
 * Models net/core/skbuff.c: skb_tx_error() (6.1 l.1014-1020) with
 * include/linux/skbuff.h skb_zcopy_clear() (6.1 l.1772-1782); the free is
 * kfree_skb() (core/ops/kfree_skb.ts). 6.1 only: added in 3.8 for
 * zero-copy (there is no ubuf_info in 2.6.32).
 * Not cloned (6.1.190: "net: skbuff: don't touch shared zerocopy state in
 *   skb_tx_error()", catalogue id tx-error-cloned): the ubuf callback runs
 *   once with success = true (ubuf refcnt -1; at 0 the owner is told) and
 *   SKBFL_ALL_ZEROCOPY is cleared in skb_shinfo(skb), so the free that
 *   follows calls no callback. The skb's Data dataref -1 (the usual free).
 * Cloned: nothing is touched (the zero-copy state lives in the shinfo the
 *   clones share); the free drops one dataref, and the last Data release
 *   runs the callback as usual.
 * Before the fix (`# without: tx-error-cloned`): a clone is treated as an
 *   uncloned skb, so the callback runs and the flags are cleared in the
 *   shared shinfo while the other clones still map the pages.
 * The callback runs before the free's page puts; it is judged after them,
 *   as skb_release_data's is (the puts never read the data).
 * Precondition: the skb is not shared (users == 1). The kernel checks
 *   nothing, but a driver's error path frees the skb it was handed, and a
 *   zero-copy skb reaches a driver with users 1 (TCP and the taps send
 *   clones); with another user the skb would outlive the callback.
 * On an uncloned skb, skb_zcopy_downgrade_managed() runs first: managed
 *   frags take a page reference each, which the free puts.
 * Not modelled: the nouarg bit of skb_zcopy_is_nouarg().
 */
import { fixed } from "../fixes/fixed";
import { precondition } from "../model/events";
import { shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import { ubufCallback } from "../policy/completion";
import { kfreeSkbRef } from "./kfree_skb";
import * as kernel from "../kernel/skbuff";
import { defineOp, eachFreeWhere, fuzzOneSkb } from "./spec";

export function skb_tx_error(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "skb_tx_error");
  if (skbShared(skb)) precondition("skb_tx_error", `${name} is shared (users ${skb.users}); a driver's error path frees the skb it owns`);
  const data = shinfo(tx, skb);
  const uarg = data.zcopy?.ubuf ?? null;
  // The 6.1.190 guard: a clone leaves the shared zero-copy state alone.
  const touch = !skbCloned(tx, skb) || !fixed(tx, "tx-error-cloned");
  if (uarg && touch) {
    // skb_zcopy_downgrade_managed(skb) first: the free below puts real refs.
    kernel.skb_zcopy_downgrade_managed(tx, skb, "skb_tx_error");
    const now = shinfo(tx, skb);
    tx.emit({
      kind: "substep",
      fn: "skb_zcopy_clear",
      text: `skb_tx_error(${name}): ${uarg}'s callback (success) and SKBFL_ALL_ZEROCOPY cleared in ${data.id}`,
    });
    tx.set("datas", data.id, kernel.clearAllZerocopy(now));
  } else if (uarg) {
    tx.emit({ kind: "substep", fn: "skb_tx_error", text: `${name} is cloned: the zero-copy state in ${data.id} is shared, left alone` });
  }
  tx.emit({ kind: "substep", fn: "dev_kfree_skb_any", text: `the driver frees ${name} after the error` });
  kfreeSkbRef(tx, skb.name, "skb_tx_error");
  if (uarg && touch) ubufCallback(tx, uarg, true);
}

// --- the registry's entries ----------------------------------------------------

export const skb_tx_error_spec = defineOp({
  fn: "skb_tx_error",
  params: ["skb"],
  names: ["skb"],
  // void skb_tx_error(struct sk_buff *skb) (6.1 net/core/skbuff.c l.1014): no integer.
  ctypes: [null],
  result: null,
  history: "added in 3.8 for zero-copy",
  kernels: ["6.1"],
  summary: "a driver's xmit error: report to the ubuf owner, then free",
  group: "zero-copy",
  opcode: 48,
  docs: [
    {
      call: "skb_tx_error(a)",
      models:
        "6.1 only: a driver's error path, `skb_tx_error()` (the ubuf callback and the zero-copy flags, not on a clone since 6.1.190) then the free the kernel-doc asks for",
    },
  ],
  // A driver's error path: only a zero-copy skb makes it differ from kfree_skb.
  search: { role: "root", order: 19, steps: eachFreeWhere((s, m) => !!m.dataOf(s)?.zcopy) },
  fuzz: fuzzOneSkb(1, "6.1"),
  oracle: "skb_tx_error",
  run: (tx, _r, a) => skb_tx_error(tx, a[0]),
});
