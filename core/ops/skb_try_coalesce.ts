// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_try_coalesce and kfree_skb_partial (6.1; not in 2.6.32): TCP merges
 * a received skb into the previous one.
 *
 * Models net/core/skbuff.c skb_try_coalesce() (6.1 l.5468) and
 * kfree_skb_partial() (l.5450).
 * Refused (false): `to` cloned; either has a frag_list; either zero-copy;
 * too many frags; `from` has linear bytes in a locked head (kmalloc'd or
 * cloned: skb_head_is_locked).
 * If `from` fits in `to`'s tail room: a byte copy, fragstolen = false.
 * Else `from`'s descriptors are appended to `to`: moved when `from` is not
 * cloned (its nr_frags becomes 0), otherwise each page +1. Linear bytes in a
 * head_frag head are stolen: the head page becomes `to`'s next frag with no
 * new reference (the head's own is handed over), fragstolen = true.
 * When from had frags, `to` takes its SKBFL_SHARED_FRAG (l.5540-5541;
 * catalogue id coalesce-shared-frag).
 * kfree_skb_partial(from, true) then frees only the struct (destructor
 * runs, no skb_release_data: the head now belongs to `to`); with false it is
 * __kfree_skb().
 */
import { precondition } from "../model/events";
import { profile } from "../model/kernel";
import { headlen, shinfo, skbCloned, skbOf, tailroom } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag } from "../model/types";
import { pageGet } from "./alloc_page";
import { freeSkbNow, skbReleaseHeadState } from "./kfree_skb";
import { readAllPages } from "./skb_copy";
import { defineOp, kw, ref, step } from "./spec";
import { fixed } from "../fixes/fixed";

function refuse(tx: Tx, why: string): void {
  tx.emit({ kind: "result", fn: "skb_try_coalesce", value: `false (${why})` });
}

export function skb_try_coalesce(tx: Tx, toName: string, fromName: string): void {
  const to = skbOf(tx, toName, "skb_try_coalesce");
  const from = skbOf(tx, fromName, "skb_try_coalesce");
  // Two skbs: caller contract coalesce-two-skbs (contracts.ts).
  if (skbCloned(tx, to)) return refuse(tx, `${toName} is cloned`);
  // 6.1 l.5489-5491: never mix page_pool and other pages, nor take page_pool
  // frags from a clone ("page_pool: Allow drivers to hint on SKB recycling").
  const ppMix = !!to.pp_recycle !== !!from.pp_recycle || (!!from.pp_recycle && skbCloned(tx, from));
  if (ppMix && fixed(tx, "coalesce-pp-recycle")) return refuse(tx, "pp_recycle differs, or a cloned page_pool skb");
  const len = from.len;
  if (len <= tailroom(tx, to)) {
    readAllPages(tx, from, `skb_try_coalesce(${toName}, ${fromName})`);
    tx.set("skbs", toName, { ...to, len: to.len + len });
    tx.emit({ kind: "result", fn: "skb_try_coalesce", value: "true, fragstolen = false (bytes copied)" });
    return;
  }
  const toData = shinfo(tx, to);
  const fromData = shinfo(tx, from);
  if (toData.frag_list.length || fromData.frag_list.length) return refuse(tx, "frag_list");
  if ((toData.zcopy || fromData.zcopy) && fixed(tx, "coalesce-refuse-zcopy")) return refuse(tx, "zero-copy skb");
  const max = profile(tx.kernel).MAX_SKB_FRAGS;
  const frags: Frag[] = [...toData.frags];
  let stolen = false;
  if (headlen(from) !== 0) {
    if (toData.frags.length + fromData.frags.length >= max) return refuse(tx, "too many frags");
    if (!from.head_frag || skbCloned(tx, from)) return refuse(tx, `${fromName}'s head is locked`);
    // offset = from->data - page_address(virt_to_head_page(from->head))
    frags.push({ page: fromData.head_page!, offset: fromData.head_offset + from.data, size: headlen(from) });
    stolen = true;
  } else if (toData.frags.length + fromData.frags.length > max) {
    return refuse(tx, "too many frags");
  }
  frags.push(...fromData.frags);
  const fromCloned = skbCloned(tx, from);
  // if (from_shinfo->nr_frags) to_shinfo->flags |= from_shinfo->flags & SKBFL_SHARED_FRAG (6.1.174).
  const shared = toData.shared_frag || (fromData.frags.length > 0 && fromData.shared_frag && fixed(tx, "coalesce-shared-frag"));
  tx.set("datas", toData.id, { ...toData, frags, shared_frag: shared });
  tx.set("datas", fromData.id, {
    ...fromData,
    frags: fromCloned ? fromData.frags : [],
    head_page: stolen ? null : fromData.head_page,
    head_stolen: stolen,
  });
  if (fromCloned) for (const f of fromData.frags) pageGet(tx, f.page, "skb_try_coalesce");
  const kp = profile(tx.kernel);
  // delta: from->truesize less the struct (head stolen) or less the head.
  const delta = stolen ? from.truesize - 256 : from.truesize - kp.truesize(fromData.end);
  tx.set("skbs", toName, { ...to, len: to.len + len, data_len: to.data_len + len, truesize: to.truesize + delta });
  tx.emit({ kind: "result", fn: "skb_try_coalesce", value: `true, fragstolen = ${stolen}` });
}

export function kfree_skb_partial(tx: Tx, name: string, headStolen: boolean): void {
  const skb = skbOf(tx, name, "kfree_skb_partial");
  const data = shinfo(tx, skb);
  if (headStolen !== data.head_stolen) {
    precondition("kfree_skb_partial", `head_stolen is ${headStolen} but skb_try_coalesce reported fragstolen = ${data.head_stolen}`);
  }
  if (!headStolen) return freeSkbNow(tx, skb);
  const after = skbReleaseHeadState(tx, skb).skb;
  // The shinfo lives in the stolen head, which `to` now owns as a frag.
  tx.delete("datas", data.id);
  if (after.fclonePair) tx.delete("fclones", after.fclonePair);
  tx.delete("skbs", name);
  tx.set("graves", name, { kind: "skb", step: tx.step });
  tx.emit({ kind: "skb_freed", skb: after.name });
}

// --- the registry's entries ----------------------------------------------------

export const skb_try_coalesce_spec = defineOp({
  fn: "skb_try_coalesce",
  params: ["skb", "skb"],
  names: ["to", "from"],
  ctypes: [null, null],
  result: null,
  history: "added in 3.5",
  kernels: ["6.1"],
  summary: "merge from's data into to",
  group: "reshape",
  opcode: 28,
  docs: [{ call: "skb_try_coalesce(to, from)", models: "6.1 only: `skb_try_coalesce()`; the step reports `fragstolen`" }],
  search: {
    role: "root",
    order: 6,
    steps: (m, fn) => m.free.flatMap((to) => m.free.filter((from) => from !== to).map((from) => step(fn, [ref(to.name), ref(from.name)]))),
  },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const t = c.skbArg(d[1]);
      const f = c.skbArg(d[2]);
      return t && f && c.state.kernel === "6.1" ? { fn, args: [t, f] } : null;
    },
  },
  oracle: "skb_try_coalesce",
  run: (tx, _r, a) => skb_try_coalesce(tx, a[0], a[1]),
});

export const kfree_skb_partial_spec = defineOp({
  fn: "kfree_skb_partial",
  params: ["skb", "bool"],
  names: ["skb", "head_stolen"],
  ctypes: [null, "bool"],
  result: null,
  history: "added in 3.5",
  kernels: ["6.1"],
  summary: "free after coalescing",
  group: "reshape",
  opcode: 29,
  docs: [{ call: "kfree_skb_partial(from, head_stolen)", models: "6.1 only: `kfree_skb_partial()`: free `from` after `skb_try_coalesce()`" }],
  // Only after a coalesce that stole the head, as tcp_try_coalesce's callers do.
  search: { role: "base", order: 9, steps: (m, fn) => m.free.filter((s) => m.dataOf(s)?.head_stolen).map((s) => step(fn, [ref(s.name), kw("true")])) },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const name = c.freeable(d[1]);
      return name && c.state.kernel === "6.1" ? { fn, args: [ref(name), kw(d[2] % 2 ? "true" : "false")] } : null;
    },
  },
  oracle: "kfree_skb_partial",
  run: (tx, _r, a) => kfree_skb_partial(tx, a[0], a[1]),
});
