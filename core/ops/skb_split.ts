// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_split - split a fragmented skb in two at `len`, as tcp_fragment() and
 * tso_fragment() do.
 *
 * Models net/core/skbuff.c skb_split() with skb_split_inside_header() and
 * skb_split_no_header() (6.1 l.3575-3661; 2.6.32 l.2012-2088). The trace
 * operation also does the caller's part: skb1 = alloc_skb(max(0,
 * skb_headlen(skb) - len)) (tcp_fragment's nsize).
 * Split inside the linear part: the linear tail is copied into skb1 and
 *   every frag descriptor moves to skb1 (no page count change).
 * Split in the paged part: descriptors wholly before len stay, wholly after
 *   move; a descriptor straddling len is kept by both with page +1
 *   (skb_frag_ref), skb keeping the front, skb1->frags[0] the rest.
 * Neither skb's head changes, and the original Data's dataref is untouched.
 * 6.1 first runs skb_zcopy_downgrade_managed(skb) (managed frags take a
 *   page reference each), passes SKBFL_SHARED_FRAG and SKBFL_PURE_ZEROCOPY
 *   on to skb1 (zc_flags, l.3646-3650), then skb_zerocopy_clone(skb1, skb,
 *   0): skb1 joins skb's ubuf (refcnt +1) — always, and without orphaning,
 *   even for vhost ubufs.
 * The kernel checks nothing; callers unclone first and never split past
 * the end, so both are precondition errors here.
 */
import { outOfRange } from "../model/events";
import { assertNewName, headlen, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag } from "../model/types";
import { pageGet } from "./alloc_page";
import { allocSkb } from "./alloc_skb";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { cutPoints, defineOp, int, ref, step } from "./spec";

export function skb_split(tx: Tx, result: string, name: string, len: number): void {
  const skb = skbOf(tx, name, "skb_split");
  assertNewName(tx, result, "skb_split");
  if (len < 0 || len > skb.len) outOfRange("skb_split", "len", len, skb.len, "is outside the skb");
  // Uncloned, no frag_list, 0 < len < skb->len: caller contracts
  // split-unclone-first, split-no-frag-list, split-inside-skb (contracts.ts).
  const pos = headlen(skb);
  // 6.1 l.3648: managed frags take real references first, as skb1 (which
  // never gets SKBFL_MANAGED_FRAG_REFS) will put the ones it is given.
  if (tx.kernel === "6.1" && shinfo(tx, skb).managed_frag_refs && fixed(tx, "managed-downgrade-split"))
    kernel.skb_zcopy_downgrade_managed(tx, skb, "skb_split");
  const data = shinfo(tx, tx.get("skbs", name)!);
  let skb1 = allocSkb(tx, result, Math.max(0, pos - len));
  // skb_shinfo(skb1)->flags |= skb_shinfo(skb)->flags & zc_flags;
  if (tx.kernel === "6.1" && data.shared_frag) {
    const d1 = shinfo(tx, skb1);
    tx.set("datas", d1.id, { ...d1, shared_frag: true });
  }
  // l.3650: skb1->flags |= skb->flags & (SKBFL_SHARED_FRAG | SKBFL_PURE_ZEROCOPY).
  if (data.pure_zerocopy) tx.set("datas", skb1.head, { ...shinfo(tx, skb1), pure_zerocopy: true });
  // Without 1f8b977ab32d skb1 never joined skb's ubuf_info (catalogue: before).
  if (tx.kernel === "6.1" && fixed(tx, "split-zerocopy-clone")) {
    const err = kernel.skb_zerocopy_clone(tx, skb1, skb);
    if (err) tx.emit({ kind: "warn", fn: "skb_split", text: `skb_zerocopy_clone returned ${err}` });
    skb1 = tx.get("skbs", result)!;
  }
  const data1 = shinfo(tx, skb1);

  if (len < pos) {
    // skb_split_inside_header(): copy [len, pos) and move every frag.
    tx.emit({ kind: "substep", fn: "skb_split_inside_header", text: `copy ${pos - len} linear bytes into ${result}; all frags move` });
    tx.set("datas", data1.id, { ...data1, frags: data.frags });
    tx.set("datas", data.id, { ...data, frags: [] });
    tx.set("skbs", result, { ...skb1, len: pos - len + skb.data_len, data_len: skb.data_len });
    tx.set("skbs", name, { ...skb, len, data_len: 0 });
    return;
  }

  // skb_split_no_header()
  const keep: Frag[] = [];
  const move: Frag[] = [];
  let at = pos;
  data.frags.forEach((f, i) => {
    if (at + f.size > len) {
      if (at < len) {
        tx.emit({ kind: "substep", fn: "skb_split_no_header", text: `frags[${i}] straddles ${len}: both skbs keep a part, page ${f.page} +1` });
        pageGet(tx, f.page, "skb_split");
        keep.push({ ...f, size: len - at });
        move.push({ ...f, offset: f.offset + (len - at), size: f.size - (len - at) });
      } else {
        move.push(f);
      }
    } else {
      keep.push(f);
    }
    at += f.size;
  });
  tx.set("datas", data.id, { ...data, frags: keep });
  tx.set("datas", data1.id, { ...shinfo(tx, tx.get("skbs", result)!), frags: move });
  tx.set("skbs", result, { ...tx.get("skbs", result)!, len: skb.len - len, data_len: skb.len - len });
  tx.set("skbs", name, { ...skb, len, data_len: len - pos });
}

// --- the registry's entries ----------------------------------------------------

export const skb_split_spec = defineOp({
  fn: "skb_split",
  params: ["skb", "int"],
  names: ["skb", "len"],
  ctypes: [null, "u32"],
  result: "skb",
  summary: "split at len into a new skb (tcp_fragment)",
  group: "reshape",
  opcode: 23,
  docs: [
    {
      call: "b = skb_split(a, len)",
      models: "what `tcp_fragment()` does around it: `b = alloc_skb(max(0, skb_headlen(a) - len))`, then `skb_split(a, b, len)`",
    },
  ],
  search: {
    role: "root",
    order: 1,
    steps: (m, fn) =>
      m.free.flatMap((s) => {
        const d = m.dataOf(s);
        return d ? cutPoints(s, d).map((len) => step(fn, [ref(s.name), int(len)], m.fresh("skb"))) : [];
      }),
  },
  fuzz: {
    weight: 3,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      return s ? { fn, result: c.fresh("s"), args: [s, int(c.within(c.lenOf(s), d[2]))] } : null;
    },
  },
  form: { len: (f) => Math.floor((f.skb?.len ?? 0) / 2) },
  oracle: "skb_split",
  run: (tx, r, a) => skb_split(tx, r!, a[0], a[1]),
});
