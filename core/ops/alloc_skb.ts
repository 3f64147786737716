// SPDX-License-Identifier: GPL-2.0-only
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
import { defineOp, int, step, type FuzzSpec } from "./spec";

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
    shared_frag: false,
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

// --- the registry's entries ----------------------------------------------------

const SIZES = [0, 1, 64, 100, 500, 1000, 1448, 2000, 4096];
/** skb_reserve/put/push/pull: an skb and a length. */
const linearMove = (
  fn: string,
  impl: (tx: Tx, name: string, n: number) => void,
  opcode: number,
  summary: string,
  ctype: "int" | "unsigned int",
  lens: readonly number[],
  formLen: number,
) =>
  defineOp({
    fn,
    params: ["skb", "int"],
    names: ["skb", "len"],
    ctypes: [null, ctype],
    result: null,
    summary,
    group: "allocate",
    opcode,
    docs: [{ call: `${fn}(a, n)`, models: `\`${fn}()\`` }],
    search: { notSearchable: "moving the linear area's pointers shares or frees nothing" },
    fuzz: { weight: 1, make: (c, d) => (c.skbArg(d[1]) ? { fn, args: [c.skbArg(d[1])!, int(lens[d[2] % lens.length])] } : null) },
    form: { len: formLen },
    oracle: fn,
    run: (tx, _r, a) => impl(tx, a[0], a[1]),
  });

const allocFuzz = (fn: string, sizes: number): FuzzSpec => ({
  weight: fn === "alloc_skb" ? 3 : 1,
  make: (c, d) => (fn !== "napi_alloc_skb" || c.state.kernel === "6.1" ? { fn, result: c.fresh("s"), args: [int(SIZES[d[1] % sizes])] } : null),
});

/** The search's new skbs: a small kmalloc head, as a socket's. */
const NEW_SKB_SIZE = 256;

export const alloc_skb_spec = defineOp({
  fn: "alloc_skb",
  params: ["int"],
  names: ["size"],
  ctypes: ["unsigned int"],
  result: "skb",
  summary: "__alloc_skb(size)",
  group: "allocate",
  opcode: 4,
  docs: [{ call: "a = alloc_skb(size)", models: "`__alloc_skb(size, 0)`: 6.1 rounds the head to the kmalloc bucket" }],
  search: { role: "base", order: 0, steps: (m, fn) => [step(fn, [int(NEW_SKB_SIZE)], m.fresh("skb"))] },
  fuzz: allocFuzz("alloc_skb", SIZES.length),
  form: { size: 256 },
  oracle: "alloc_skb",
  run: (tx, r, a) => alloc_skb(tx, r!, a[0]),
});

export const alloc_skb_fclone_spec = defineOp({
  fn: "alloc_skb_fclone",
  params: ["int"],
  names: ["size"],
  ctypes: ["unsigned int"],
  result: "skb",
  summary: "__alloc_skb(size, SKB_ALLOC_FCLONE)",
  group: "allocate",
  opcode: 5,
  docs: [{ call: "a = alloc_skb_fclone(size)", models: "`__alloc_skb(size, SKB_ALLOC_FCLONE)`: the skb's fast clone is allocated with it" }],
  search: { notSearchable: "an fclone differs from alloc_skb only in where its first clone lives, not in what it shares" },
  fuzz: allocFuzz("alloc_skb_fclone", SIZES.length),
  form: { size: 256 },
  oracle: "alloc_skb_fclone",
  run: (tx, r, a) => alloc_skb_fclone(tx, r!, a[0]),
});

export const napi_alloc_skb_spec = defineOp({
  fn: "napi_alloc_skb",
  params: ["int"],
  names: ["len"],
  ctypes: ["unsigned int"],
  result: "skb",
  history: "page-fragment heads came after 2.6.32 (__napi_alloc_skb, 3.19)",
  kernels: ["6.1"],
  summary: "an skb with a page-fragment head (head_frag)",
  group: "allocate",
  opcode: 6,
  docs: [
    {
      call: "a = napi_alloc_skb(len)",
      models:
        "6.1 only: `__napi_alloc_skb()`: `len + 64` up to 704 bytes is a 1 KiB slice of an order-0 page, up to 3776 a slice of a 32 KiB page (both shared with the next NAPI skbs, `head_frag`), larger a kmalloc head",
    },
  ],
  search: { notSearchable: "a receive-path allocation: the search's skbs are the sender's (alloc_skb)" },
  fuzz: allocFuzz("napi_alloc_skb", 6),
  form: { len: 256 },
  oracle: "napi_alloc_skb",
  run: (tx, r, a) => napi_alloc_skb(tx, r!, a[0]),
});

export const skb_reserve_spec = linearMove("skb_reserve", skb_reserve, 7, "make headroom", "int", [16, 32, 64], 64);
export const skb_put_spec = linearMove("skb_put", skb_put, 8, "add linear data at the tail", "unsigned int", [10, 50, 100], 100);
export const skb_push_spec = linearMove("skb_push", skb_push, 9, "add data at the front (headroom)", "unsigned int", [14, 40], 14);
export const skb_pull_spec = linearMove("skb_pull", skb_pull, 10, "remove linear data from the front", "unsigned int", [14, 40], 14);
