/**
 * alloc_skb and friends, and the linear-area pointer moves.
 *
 * Models net/core/skbuff.c: __alloc_skb() (6.1 l.486, with
 * __build_skb_around() l.273 and kmalloc_reserve() l.427; 2.6.32 l.172),
 * __napi_alloc_skb() (6.1 l.637), and include/linux/skbuff.h skb_reserve,
 * skb_put (skbuff.c), skb_push, skb_pull.
 * A new skb: users 1, cloned 0, nohdr 0, no destructor; its new Data has
 * dataref 1, no frags, no zero-copy state and (seed patch) release NULL.
 */
import { kernelCheck, outOfRange } from "../model/events";
import { PAGE_SIZE, align, profile, withOverhead } from "../model/kernel";
import { assertNewName, headlen, isNonlinear, shinfo, skbOf, tailOffset } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, DataId, PageId, Skb, SkbId } from "../model/types";
import { newKernelPage } from "./alloc_page";

export function newData(tx: Tx, end: number, head_page: PageId | null = null): Data {
  const n = tx.counters.data + 1;
  tx.counters = { ...tx.counters, data: n };
  const data: Data = {
    id: `h${n}` as DataId,
    end,
    head_page,
    dataref: 1,
    frags: [],
    frag_list: [],
    zcopy: null,
    release: null,
    head_stolen: false,
  };
  tx.set("datas", data.id, data);
  return data;
}

export function newSkb(tx: Tx, name: string, data: Data, fields: Partial<Skb> = {}): Skb {
  const skb: Skb = {
    name: name as SkbId,
    users: 1,
    cloned: false,
    nohdr: false,
    fclone: "unavailable",
    fclonePair: null,
    head: data.id,
    data: 0,
    len: 0,
    data_len: 0,
    truesize: profile(tx.kernel).truesize(data.end),
    hdr_len: 0,
    head_frag: false,
    destructor: null,
    sk: null,
    ...fields,
  };
  tx.set("skbs", skb.name, skb);
  return skb;
}

/** __alloc_skb(size, gfp, flags): a fresh skb + Data, nothing else. */
export function allocSkb(tx: Tx, name: string, size: number, fclone = false): Skb {
  if (size < 0 || size > 1 << 20) outOfRange("alloc_skb", "size", size, 1 << 20, "is not a size we model");
  const data = newData(tx, profile(tx.kernel).headEnd(size));
  if (!fclone) return newSkb(tx, name, data);
  const pair = `f${tx.counters.fclone + 1}`;
  tx.counters = { ...tx.counters, fclone: tx.counters.fclone + 1 };
  tx.set("fclones", pair, 1);
  return newSkb(tx, name, data, { fclone: "orig", fclonePair: pair });
}

export function alloc_skb(tx: Tx, result: string, size: number): void {
  assertNewName(tx, result, "alloc_skb");
  allocSkb(tx, result, size);
}

export function alloc_skb_fclone(tx: Tx, result: string, size: number): void {
  assertNewName(tx, result, "alloc_skb_fclone");
  allocSkb(tx, result, size, true);
}

/**
 * __napi_alloc_skb(napi, len, GFP_ATOMIC) (6.1): len + NET_SKB_PAD; a small
 * head comes from a 1 KiB page fragment, a middling one from the page frag
 * cache (both head_frag), a large one from kmalloc; then
 * skb_reserve(NET_SKB_PAD + NET_IP_ALIGN). The fragment cache shares one
 * page among many heads; here each head gets a page of its own, holding the
 * one reference that skb_free_head() drops.
 */
export function napi_alloc_skb(tx: Tx, result: string, len: number): void {
  assertNewName(tx, result, "napi_alloc_skb");
  if (tx.kernel !== "6.1") {
    kernelCheck("napi_alloc_skb", "head_frag", "page-fragment heads do not exist in 2.6.32; use alloc_skb");
  }
  const pad = profile(tx.kernel).NET_SKB_PAD;
  const want = len + pad;
  let skb: Skb;
  if (want > withOverhead(PAGE_SIZE)) {
    skb = allocSkb(tx, result, want);
  } else {
    // 1 KiB fragment: size = 1024 - shinfo; else SKB_HEAD_ALIGN(len) - shinfo
    const end = want <= withOverhead(1024) ? withOverhead(1024) : align(want);
    const page = newKernelPage(tx, "head");
    const data = newData(tx, end, page);
    skb = newSkb(tx, result, data, { head_frag: true });
  }
  tx.set("skbs", skb.name, { ...skb, data: pad });
}

export function skb_reserve(tx: Tx, name: string, n: number): void {
  const skb = skbOf(tx, name, "skb_reserve");
  const end = shinfo(tx, skb).end;
  if (n < 0) outOfRange("skb_reserve", "len", n, 0, "is negative");
  if (tailOffset(skb) + n > end) outOfRange("skb_reserve", "headroom", skb.data + n, end - headlen(skb), "runs past skb->end");
  tx.set("skbs", name, { ...skb, data: skb.data + n });
}

export function skb_put(tx: Tx, name: string, n: number): void {
  const skb = skbOf(tx, name, "skb_put");
  if (isNonlinear(skb)) kernelCheck("skb_put", "SKB_LINEAR_ASSERT(skb)", `${name} has data_len ${skb.data_len}`);
  const end = shinfo(tx, skb).end;
  if (tailOffset(skb) + n > end) {
    kernelCheck("skb_put", "skb_over_panic", `tail ${tailOffset(skb) + n} would pass end ${end}`);
  }
  tx.set("skbs", name, { ...skb, len: skb.len + n });
}

export function skb_push(tx: Tx, name: string, n: number): void {
  const skb = skbOf(tx, name, "skb_push");
  if (n > skb.data) kernelCheck("skb_push", "skb_under_panic", `headroom ${skb.data} < ${n}`);
  tx.set("skbs", name, { ...skb, data: skb.data - n, len: skb.len + n });
}

/** skb_pull(): NULL (nothing done) past len; BUG when it eats into frags. */
export function skb_pull(tx: Tx, name: string, n: number): void {
  const skb = skbOf(tx, name, "skb_pull");
  if (n > skb.len) {
    tx.emit({ kind: "result", fn: "skb_pull", value: "NULL" });
    return;
  }
  if (skb.len - n < skb.data_len) {
    kernelCheck("skb_pull", "BUG_ON(skb->len < skb->data_len)", `only ${headlen(skb)} linear bytes; use pskb_may_pull`);
  }
  tx.set("skbs", name, { ...skb, data: skb.data + n, len: skb.len - n });
}
