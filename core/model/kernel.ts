// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel profiles: the constants and allocator arithmetic that decide
 * head sizes, and so whether a pull or a coalesce fits.
 *
 * 6.1 (Debian 6.1.192, x86-64): SMP_CACHE_BYTES 64, sizeof(struct sk_buff)
 * 232, sizeof(struct skb_shared_info) 320, PAGE_SIZE 4096, MAX_SKB_FRAGS 17
 * (include/linux/skbuff.h l.357-361). kmalloc_reserve() rounds through
 * kmalloc_size_roundup() and puts skb_shared_info at the very end
 * (net/core/skbuff.c: kmalloc_reserve l.427, __alloc_skb l.486).
 *
 * 2.6.32 (2.6.32.9): __alloc_skb() takes SKB_DATA_ALIGN(size) and puts the
 * shinfo right after it: no rounding to the kmalloc bucket (l.172-220);
 * MAX_SKB_FRAGS = 65536/PAGE_SIZE + 2 = 18; truesize = size + sizeof(sk_buff).
 */
import type { KernelId } from "./types";

export const PAGE_SIZE = 4096;
const CACHE_BYTES = 64;
const SIZEOF_SKB = 232;
const SIZEOF_SHINFO_61 = 320;
/** kmalloc size classes of a default x86-64 SLUB kernel. */
const KMALLOC_SIZES = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
const KMALLOC_MAX_CACHE_SIZE = 8192;
/**
 * MAX_ORDER of a default x86-64 kernel (include/linux/mmzone.h l.28, 6.1
 * and 2.6.32): alloc_pages() fails for any order at or above it.
 */
export const MAX_ORDER = 11;
/**
 * KMALLOC_MAX_SIZE = 1 << (MAX_ORDER + PAGE_SHIFT - 1) = 4 MiB: the largest
 * kmalloc() there is (include/linux/slab.h l.290, l.310, SLUB; 2.6.32's
 * slub_def.h gives the same). A head request above it fails, -ENOMEM.
 */
export const KMALLOC_MAX_SIZE = 1 << (MAX_ORDER + 12 - 1);

export const align = (x: number, a = CACHE_BYTES): number => Math.ceil(x / a) * a;

export interface KernelProfile {
  readonly id: KernelId;
  readonly MAX_SKB_FRAGS: number;
  /**
   * skb_end_offset() of a fresh head asked to hold `size` bytes, or
   * undefined when the allocator has nothing that large (-ENOMEM).
   */
  headEnd(size: number): number | undefined;
  /** skb->truesize of a fresh skb with that end offset. */
  truesize(end: number): number;
  /** NET_SKB_PAD */
  readonly NET_SKB_PAD: number;
}

/**
 * kmalloc_size_roundup() (mm/slab_common.c l.733) for the default caches.
 * Above KMALLOC_MAX_SIZE there is no bucket: kmalloc() fails, and so does
 * this (undefined). Plain arithmetic, no shift: `PAGE_SIZE << order` is a
 * 32-bit shift in JavaScript and overflows to a loop without end.
 */
export function kmallocRoundup(size: number): number | undefined {
  if (!(size <= KMALLOC_MAX_SIZE)) return undefined;
  if (size > KMALLOC_MAX_CACHE_SIZE) {
    let bucket = PAGE_SIZE;
    while (bucket < size) bucket *= 2;
    return bucket;
  }
  for (const s of KMALLOC_SIZES) if (s >= size) return s;
  return KMALLOC_MAX_CACHE_SIZE;
}

const SHINFO_ALIGNED = align(SIZEOF_SHINFO_61);

export const LINUX_6_1: KernelProfile = {
  id: "6.1",
  MAX_SKB_FRAGS: 17,
  // SKB_WITH_OVERHEAD(kmalloc_size_roundup(SKB_HEAD_ALIGN(size)))
  headEnd: (size) => {
    const bucket = kmallocRoundup(align(size) + SHINFO_ALIGNED);
    return bucket === undefined ? undefined : bucket - SHINFO_ALIGNED;
  },
  // SKB_TRUESIZE(X) = X + SKB_DATA_ALIGN(sizeof sk_buff) + SKB_DATA_ALIGN(sizeof shinfo)
  truesize: (end) => end + align(SIZEOF_SKB) + SHINFO_ALIGNED,
  NET_SKB_PAD: Math.max(32, CACHE_BYTES),
};

export const LINUX_2_6_32: KernelProfile = {
  id: "2.6.32",
  MAX_SKB_FRAGS: 65536 / PAGE_SIZE + 2,
  // kmalloc(size + sizeof(struct skb_shared_info)) (l.182) meets the same
  // ceiling; the shinfo's few hundred bytes are not modelled here, so the
  // head alone is held to it.
  headEnd: (size) => (align(size) <= KMALLOC_MAX_SIZE ? align(size) : undefined),
  truesize: (end) => end + SIZEOF_SKB,
  NET_SKB_PAD: 32,
};

export function profile(id: KernelId): KernelProfile {
  return id === "6.1" ? LINUX_6_1 : LINUX_2_6_32;
}

/** SKB_WITH_OVERHEAD(X) for 6.1. */
export const withOverhead = (x: number): number => x - SHINFO_ALIGNED;
export const SHINFO_SIZE_6_1 = SHINFO_ALIGNED;
