// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_shift - move paged bytes from the front of one skb to the end of
 * another (TCP SACK shifting, tcp_collapse_retrans).
 *
 * Models net/core/skbuff.c skb_shift() (6.1 l.3686, with
 * skb_prepare_for_shift() l.3670; 2.6.32 l.2118).
 * BUG if shiftlen > skb->len. Nothing is done (returns 0) if skb has linear
 * bytes (6.1; 2.6.32 BUGs), if either skb is zero-copy (6.1), or if the
 * frag slots run out. Both skbs are uncloned first (6.1
 * skb_unclone_keeptruesize: pskb_expand_head(0, 0), then end and truesize
 * restored; that unclone stays even if the shift gives up).
 * If skb's first frag continues tgt's last one (skb_can_coalesce): a shift
 * within that frag only moves sizes; shifting all of it grows tgt's frag
 * and drops skb's reference on the page (-1). Whole frags move with no count
 * change; a final partial frag is shared: page +1.
 * Whenever bytes move, tgt takes skb's SKBFL_SHARED_FRAG (6.1 l.3795;
 * catalogue id shift-shared-frag).
 */
import { kernelCheck, outOfRange } from "../model/events";
import { profile } from "../model/kernel";
import { headlen, shinfo, skbCloned, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { skbFragUnref } from "../kernel/page_pool";
import type { Frag, PageId, Skb } from "../model/types";
import { pageGet } from "./alloc_page";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { cutPoints, defineOp, int, ref, step } from "./spec";

function result(tx: Tx, n: number, why?: string): void {
  tx.emit({ kind: "result", fn: "skb_shift", value: why ? `${n} (${why})` : `${n}` });
}

/** skb_prepare_for_shift(). */
function prepare(tx: Tx, name: string): void {
  const skb = tx.get("skbs", name)!;
  if (!skbCloned(tx, skb)) return;
  const saved = { end: shinfo(tx, skb).end, truesize: skb.truesize };
  tx.emit({ kind: "substep", fn: "skb_prepare_for_shift", text: `${name} is cloned: give it a private Data first` });
  kernel.pskb_expand_head(tx, name, 0, 0, "skb_prepare_for_shift");
  if (tx.kernel === "6.1") {
    const after = tx.get("skbs", name)!;
    tx.set("skbs", name, { ...after, truesize: saved.truesize });
    const data = shinfo(tx, after);
    tx.set("datas", data.id, { ...data, end: saved.end });
  }
}

const canCoalesce = (tx: Tx, tgt: Skb, page: string, off: number): boolean => {
  const data = shinfo(tx, tgt);
  const last = data.frags[data.frags.length - 1];
  return !data.zcopy && !!last && last.page === page && last.offset + last.size === off;
};

export function skb_shift(tx: Tx, tgtName: string, skbName: string, shiftlen: number): void {
  let tgt = skbOf(tx, tgtName, "skb_shift");
  let skb = skbOf(tx, skbName, "skb_shift");
  if (tgt.name === skb.name) kernelCheck("skb_shift", "tgt != skb", "shifting an skb into itself");
  // int shiftlen: the kernel never checks its sign; its one caller,
  // tcp_shift_skb_data(), passes a positive length.
  if (shiftlen < 0) outOfRange("skb_shift", "shiftlen", shiftlen, 0, "is negative; tcp_shift_skb_data() shifts a positive length");
  if (shiftlen > skb.len) kernelCheck("skb_shift", "BUG_ON(shiftlen > skb->len)", `${shiftlen} > ${skb.len}`);
  if (headlen(skb)) {
    if (tx.kernel === "2.6.32") kernelCheck("skb_shift", "BUG_ON(skb_headlen(skb))", `${skbName} has linear bytes`);
    return result(tx, 0, `${skbName} has linear bytes`);
  }
  if ((shinfo(tx, tgt).zcopy || shinfo(tx, skb).zcopy) && fixed(tx, "shift-refuse-zcopy")) return result(tx, 0, "zero-copy skb");
  const max = profile(tx.kernel).MAX_SKB_FRAGS;
  const first = shinfo(tx, skb).frags[0];
  let todo = shiftlen;
  let from = 0;
  let merge = -1;
  if (first && shinfo(tx, tgt).frags.length > 0 && canCoalesce(tx, tgt, first.page, first.offset)) {
    merge = shinfo(tx, tgt).frags.length - 1;
    todo -= first.size;
    if (todo < 0) {
      prepare(tx, skbName);
      prepare(tx, tgtName);
      const sd = shinfo(tx, tx.get("skbs", skbName)!);
      const td = shinfo(tx, tx.get("skbs", tgtName)!);
      const tf = [...td.frags];
      tf[merge] = { ...tf[merge], size: tf[merge].size + shiftlen };
      const sf = [...sd.frags];
      sf[0] = { ...sf[0], offset: sf[0].offset + shiftlen, size: sf[0].size - shiftlen };
      tx.set("datas", td.id, { ...td, frags: tf });
      tx.set("datas", sd.id, { ...sd, frags: sf });
      return finish(tx, tgtName, skbName, shiftlen);
    }
    from++;
  }
  const to0 = shinfo(tx, tgt).frags.length;
  if (shiftlen === skb.len && shinfo(tx, skb).frags.length - from > max - to0) {
    return result(tx, 0, "not enough frag slots");
  }
  prepare(tx, skbName);
  prepare(tx, tgtName);
  skb = tx.get("skbs", skbName)!;
  tgt = tx.get("skbs", tgtName)!;
  const sd = shinfo(tx, skb);
  const td = shinfo(tx, tgt);
  const tf: Frag[] = [...td.frags];
  const sf: Frag[] = [...sd.frags];
  let partial: Frag | null = null;
  while (todo > 0 && from < sf.length) {
    tx.spend();
    if (tf.length === max) return result(tx, 0, "tgt ran out of frag slots");
    const f = sf[from];
    if (todo >= f.size) {
      tf.push(f);
      todo -= f.size;
      from++;
    } else {
      partial = f;
      tf.push({ page: f.page, offset: f.offset, size: todo });
      sf[from] = { ...f, offset: f.offset + todo, size: f.size - todo };
      todo = 0;
      break;
    }
  }
  if (partial) pageGet(tx, partial.page, "skb_shift");
  let mergedPage: PageId | null = null;
  if (merge >= 0) {
    tf[merge] = { ...tf[merge], size: tf[merge].size + sf[0].size };
    mergedPage = sf[0].page;
  }
  tx.set("datas", td.id, { ...td, frags: tf });
  tx.set("datas", sd.id, { ...sd, frags: sf.slice(from) });
  // __skb_frag_unref(fragfrom, skb->pp_recycle) (6.1 l.3777).
  if (mergedPage) skbFragUnref(tx, mergedPage, tx.get("skbs", skbName)?.pp_recycle === true, `${sd.id}.frags[0]`);
  finish(tx, tgtName, skbName, shiftlen);
}

function finish(tx: Tx, tgtName: string, skbName: string, n: number): void {
  const skb = tx.get("skbs", skbName)!;
  const tgt = tx.get("skbs", tgtName)!;
  // onlymerged: skb_shinfo(tgt)->flags |= skb_shinfo(skb)->flags & SKBFL_SHARED_FRAG (6.1.174).
  const sd = shinfo(tx, skb);
  const td = shinfo(tx, tgt);
  if (tx.kernel === "6.1" && sd.shared_frag && !td.shared_frag && fixed(tx, "shift-shared-frag")) tx.set("datas", td.id, { ...td, shared_frag: true });
  tx.set("skbs", skbName, { ...skb, len: skb.len - n, data_len: skb.data_len - n });
  tx.set("skbs", tgtName, { ...tgt, len: tgt.len + n, data_len: tgt.data_len + n });
  result(tx, n);
}

// --- the registry's entries ----------------------------------------------------

export const skb_shift_spec = defineOp({
  fn: "skb_shift",
  params: ["skb", "skb", "int"],
  names: ["tgt", "skb", "shiftlen"],
  ctypes: [null, null, "int"],
  result: null,
  summary: "move paged bytes from skb to tgt",
  group: "reshape",
  opcode: 30,
  docs: [{ call: "skb_shift(tgt, skb, len)", models: "`skb_shift()`: move paged bytes from `skb` to `tgt`" }],
  search: {
    role: "root",
    order: 5,
    // From an skb with paged bytes only (tcp_shift_skb_data's case); with linear bytes it does nothing.
    steps: (m, fn) =>
      m.free.flatMap((tgt) =>
        m.free.flatMap((s) => {
          const d = m.dataOf(s);
          if (tgt === s || !d || headlen(s) !== 0 || s.data_len === 0) return [];
          return cutPoints(s, d)
            .filter((len) => len > 0)
            .map((len) => step(fn, [ref(tgt.name), ref(s.name), int(len)]));
        }),
      ),
  },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const t = c.skbArg(d[1]);
      const f = c.skbArg(d[2]);
      return t && f ? { fn, args: [t, f, int(c.within(c.lenOf(f), d[3]))] } : null;
    },
  },
  form: { shiftlen: (f) => f.from?.data_len ?? 0 },
  oracle: "skb_shift",
  run: (tx, _r, a) => skb_shift(tx, a[0], a[1], a[2]),
});
