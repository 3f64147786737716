/**
 * The C type of every integer argument of a trace operation: the type of
 * the kernel parameter it stands for, so a value the C caller could not
 * pass (a negative `unsigned int`, a `u16` above 65535) is refused when
 * the trace is read, with the prototype's words.
 *
 * Prototypes read in Linux 6.1 (include/linux/skbuff.h unless noted; l. =
 * line); skb_recycle_check from 2.6.32 net/core/skbuff.c l.484.
 *
 * Kept apart from the operation table (core/ops/index.ts) on purpose: it
 * is read only through `paramCType`, so the table may take it over.
 */

export type CType = "int" | "unsigned int" | "u32" | "unsigned short";

/** Inclusive range of each C type on x86-64 (LP64: int is 32 bits). */
const RANGES: Readonly<Record<CType, readonly [number, number]>> = {
  int: [-(2 ** 31), 2 ** 31 - 1],
  "unsigned int": [0, 2 ** 32 - 1],
  u32: [0, 2 ** 32 - 1],
  "unsigned short": [0, 2 ** 16 - 1],
};

/**
 * Per operation, one entry per trace argument; null where the argument is
 * not an integer (an skb, a page, a keyword).
 */
const CTYPES: Readonly<Record<string, readonly (CType | null)[]>> = {
  // alloc_skb(unsigned int size, gfp_t) l.1300; alloc_skb_fclone l.1350
  alloc_skb: ["unsigned int"],
  alloc_skb_fclone: ["unsigned int"],
  // napi_alloc_skb(struct napi_struct *, unsigned int length) l.3323
  napi_alloc_skb: ["unsigned int"],
  // skb_reserve(struct sk_buff *skb, int len) l.2757
  skb_reserve: [null, "int"],
  // skb_put / skb_push / skb_pull(struct sk_buff *, unsigned int len) l.2587, l.2643, l.2653
  skb_put: [null, "unsigned int"],
  skb_push: [null, "unsigned int"],
  skb_pull: [null, "unsigned int"],
  // skb_fill_page_desc(skb, int i, struct page *, int off, int size) l.2504
  skb_fill_page_desc: [null, "int", null, "int", "int"],
  // skb_add_rx_frag(skb, int i, page, int off, int size, unsigned int truesize) l.2532
  skb_add_rx_frag: [null, "int", null, "int", "int", "unsigned int"],
  // pskb_expand_head(skb, int nhead, int ntail, gfp_t) l.1370
  pskb_expand_head: [null, "int", "int"],
  // skb_split(skb, skb1, const u32 len) l.4067 (the trace names only skb)
  skb_split: [null, "u32"],
  // __pskb_pull_tail(skb, int delta) l.2677
  __pskb_pull_tail: [null, "int"],
  // pskb_may_pull(skb, unsigned int len) l.2696
  pskb_may_pull: [null, "unsigned int"],
  // pskb_trim(skb, unsigned int len) l.3132
  pskb_trim: [null, "unsigned int"],
  // skb_shift(tgt, skb, int shiftlen) l.4068
  skb_shift: [null, null, "int"],
  // skb_zerocopy(to, from, int len, int hlen) l.4065
  skb_zerocopy: [null, null, "int", "int"],
  // skb_segment(skb, features): mss is skb_shinfo(skb)->gso_size, unsigned short l.586
  skb_segment: [null, "unsigned short"],
  // skb_splice_bits(skb, sk, unsigned int offset, pipe, unsigned int len, flags) l.4057
  skb_splice_bits: [null, "unsigned int", "unsigned int", null],
  // skb_copy_datagram_iter(from, int offset, iov_iter *, int size) l.4030
  skb_copy_datagram_iter: [null, "int", "int"],
  // 2.6.32: int skb_recycle_check(struct sk_buff *skb, int skb_size)
  skb_recycle_check: [null, "int"],
};

/** The C type of argument `index` (0-based) of `fn`, if it is an integer. */
export function paramCType(fn: string, index: number): CType | undefined {
  return CTYPES[fn]?.[index] ?? undefined;
}

export function cTypeRange(type: CType): readonly [number, number] {
  return RANGES[type];
}

export function fitsCType(type: CType, value: number): boolean {
  const [lo, hi] = RANGES[type];
  return Number.isInteger(value) && value >= lo && value <= hi;
}
