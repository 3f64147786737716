// SPDX-License-Identifier: GPL-2.0-only
/**
 * pskb_copy - a private head, shared frags.
 *
 * Models net/core/skbuff.c __pskb_copy_fclone() (6.1 l.1769, called by
 * pskb_copy() with headroom = skb_headroom(skb)) and pskb_copy() (2.6.32
 * l.735). The copy gets a new Data holding the linear bytes; each frag
 * descriptor is copied with page +1; the frag_list is shared with users +1
 * per member. The source's users, dataref and frags are unchanged.
 * 6.1 with frags: skb_orphan_frags(source) first (a vhost ubuf is deep-copied
 * here), then skb_zerocopy_clone(): the copy's Data joins the source's ubuf
 * (refcnt +1). 2.6.32 sizes the new head like the source's (alloc_skb(end)).
 * 6.1 with frags: the copy takes SKBFL_SHARED_FRAG (l.1804; catalogue id
 * pskb-copy-shared-frag).
 */
import { kernelCheck } from "../model/events";
import { assertNewName, headlen, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { pageGet } from "./alloc_page";
import { allocSkb } from "./alloc_skb";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { defineOp, eachFreeToNew, fuzzToNew } from "./spec";

export function pskb_copy(tx: Tx, result: string, name: string): void {
  let src = skbOf(tx, name, "pskb_copy");
  assertNewName(tx, result, "pskb_copy");
  const size = tx.kernel === "6.1" ? headlen(src) + src.data : shinfo(tx, src).end;
  let n = allocSkb(tx, result, size);
  n = { ...n, data: src.data, len: src.len, data_len: src.data_len, truesize: n.truesize + src.data_len };
  tx.set("skbs", result, n);
  if (shinfo(tx, src).frags.length > 0) {
    if (tx.kernel === "6.1") {
      // Without 1f8b977ab32d the copy shared the pages but not the ubuf_info.
      const err = kernel.skb_orphan_frags(tx, src) ?? (fixed(tx, "pskb-copy-uarg-clone") ? kernel.skb_zerocopy_clone(tx, n, src) : null);
      if (err) kernelCheck("pskb_copy", `skb_orphan_frags/skb_zerocopy_clone returned ${err}`, "pskb_copy returns NULL");
      src = tx.get("skbs", name)!;
    }
    const from = shinfo(tx, src);
    for (const f of from.frags) pageGet(tx, f.page, "pskb_copy");
    const mine = shinfo(tx, tx.get("skbs", result)!);
    // skb_shinfo(n)->flags |= skb_shinfo(skb)->flags & SKBFL_SHARED_FRAG (6.1.174).
    const shared = mine.shared_frag || (from.shared_frag && fixed(tx, "pskb-copy-shared-frag"));
    tx.set("datas", mine.id, { ...mine, frags: from.frags, shared_frag: shared });
  }
  const from = shinfo(tx, src);
  if (from.frag_list.length > 0) {
    for (const m of from.frag_list) {
      const member = tx.get("skbs", m);
      if (member) tx.set("skbs", m, { ...member, users: member.users + 1 });
    }
    const mine = shinfo(tx, tx.get("skbs", result)!);
    tx.set("datas", mine.id, { ...mine, frag_list: from.frag_list });
  }
}

// --- the registry's entries ----------------------------------------------------

export const pskb_copy_spec = defineOp({
  fn: "pskb_copy",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: "skb",
  summary: "a private head; frags shared by page reference",
  group: "copy",
  opcode: 21,
  docs: [
    {
      call: "c = pskb_copy(a)",
      models: "`pskb_copy()` (`__pskb_copy_fclone(a, skb_headroom(a), ..., false)`): a private head, frags shared by page reference",
    },
  ],
  search: { role: "root", order: 0, steps: eachFreeToNew },
  fuzz: fuzzToNew(3),
  oracle: "pskb_copy",
  run: (tx, r, a) => pskb_copy(tx, r!, a[0]),
});
