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
import { KMALLOC_MAX_SIZE, PAGE_SIZE, SHINFO_SIZE_6_1, align, profile, withOverhead } from "../model/kernel";
import { assertNewName, headlen, isNonlinear, shinfo, skbOf, tailOffset } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, DataId, PageId, Skb, SkbId } from "../model/types";
import { newKernelPage, pageGet } from "./alloc_page";

export function newData(tx: Tx, end: number, head_page: PageId | null = null, head_offset = 0): Data {
  const n = tx.counters.data + 1;
  tx.counters = { ...tx.counters, data: n };
  const data: Data = {
    id: `h${n}` as DataId,
    end,
    head_page,
    head_offset,
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

/**
 * kmalloc_reserve() for a head asked to hold `size` bytes: its end offset.
 * Above KMALLOC_MAX_SIZE kmalloc() returns NULL and the caller fails with
 * -ENOMEM (__alloc_skb returns NULL, pskb_expand_head goto nodata), state
 * unchanged.
 */
export function headEndFor(tx: Tx, fn: string, size: number): number {
  const end = size >= 0 ? profile(tx.kernel).headEnd(size) : undefined;
  if (end === undefined) {
    kernelCheck(fn, "kmalloc_reserve() returned NULL", `-ENOMEM: a ${size}-byte head is above KMALLOC_MAX_SIZE (${KMALLOC_MAX_SIZE})`);
  }
  return end;
}

/** __alloc_skb(size, gfp, flags): a fresh skb + Data, nothing else. */
export function allocSkb(tx: Tx, name: string, size: number, fclone = false, fn = "alloc_skb"): Skb {
  if (size < 0) outOfRange(fn, "size", size, 0, "is negative");
  const data = newData(tx, headEndFor(tx, fn, size));
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
  allocSkb(tx, result, size, true, "alloc_skb_fclone");
}

/**
 * __napi_alloc_skb(napi, len, GFP_ATOMIC) (6.1 l.637): len + NET_SKB_PAD;
 * up to SKB_WITH_OVERHEAD(1K) the head is a 1 KiB slice of an order-0 page
 * (page_frag_alloc_1k, l.154: slices from the top down); up to
 * SKB_WITH_OVERHEAD(PAGE_SIZE) a slice of a 32 KiB page
 * (page_frag_alloc_align, mm/page_alloc.c l.5805: carved from the end
 * down, the page reused in place once every head on it is gone, else
 * replaced); larger heads come from kmalloc. Then skb_reserve(NET_SKB_PAD).
 * Each head holds one reference on its page; the caches' own references
 * (pagecnt_bias, the free 1 KiB slots) are not counted.
 */
export function napi_alloc_skb(tx: Tx, result: string, len: number): void {
  assertNewName(tx, result, "napi_alloc_skb");
  const pad = profile(tx.kernel).NET_SKB_PAD;
  const want = len + pad;
  let skb: Skb;
  if (want > withOverhead(PAGE_SIZE)) {
    skb = allocSkb(tx, result, want, false, "napi_alloc_skb");
  } else {
    const small = want <= withOverhead(1024);
    const fragsz = small ? 1024 : align(want) + SHINFO_SIZE_6_1;
    const { page, offset } = carveNapi(tx, small, fragsz);
    pageGet(tx, page, "napi_alloc_skb");
    const data = newData(tx, withOverhead(fragsz), page, offset);
    skb = newSkb(tx, result, data, { head_frag: true });
  }
  tx.set("skbs", skb.name, { ...skb, data: pad });
}

/** Take fragsz bytes from the 1 KiB or the 32 KiB NAPI cache. */
function carveNapi(tx: Tx, small: boolean, fragsz: number): { page: PageId; offset: number } {
  const key = small ? "napi_small" : "napi";
  const size = small ? PAGE_SIZE : NAPI_FRAG_PAGE;
  const cache = tx.caches[key];
  let offset = (cache?.offset ?? 0) - fragsz;
  let page = cache?.page;
  if (!cache || offset < 0) {
    // 32 KiB cache: a page no head holds any more is reused in place.
    const idle = !small && cache && (tx.get("pages", cache.page)?.refcount ?? 0) === 0;
    if (!idle) page = newKernelPage(tx, "napi", 0);
    offset = size - fragsz;
  }
  tx.caches = { ...tx.caches, [key]: { page: page!, offset, size } };
  if (cache && page !== cache.page) releaseCachePage(tx, cache.page);
  return { page: page!, offset };
}

/** A cache moved on: its page now lives only as long as the heads on it. */
function releaseCachePage(tx: Tx, id: PageId): void {
  const page = tx.get("pages", id);
  if (page && page.refcount === 0) {
    tx.delete("pages", id);
    tx.set("graves", id, { kind: "page", step: tx.step });
  }
}

const NAPI_FRAG_PAGE = 32768;

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

/** skb_pull(): NULL (an error, nothing done) past len; BUG when it eats into frags. */
export function skb_pull(tx: Tx, name: string, n: number): void {
  const skb = skbOf(tx, name, "skb_pull");
  if (n > skb.len) kernelCheck("skb_pull", "len > skb->len", `returns NULL: ${n} > ${skb.len}`);
  if (skb.len - n < skb.data_len) {
    kernelCheck("skb_pull", "BUG_ON(skb->len < skb->data_len)", `only ${headlen(skb)} linear bytes; use pskb_may_pull`);
  }
  tx.set("skbs", name, { ...skb, data: skb.data + n, len: skb.len - n });
}
