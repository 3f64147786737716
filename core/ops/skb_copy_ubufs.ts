// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_copy_ubufs, skb_orphan_frags, skb_orphan_frags_rx and the zero-copy
 * helpers (6.1 only: ubuf_info appeared in 3.1).
 *
 * Models net/core/skbuff.c (6.1): skb_copy_ubufs() l.1548,
 * skb_zerocopy_clone() l.1513; include/linux/skbuff.h skb_orphan_frags()
 * l.3194, skb_orphan_frags_rx() l.3204, skb_zcopy_set() l.1727,
 * skb_zcopy_clear() l.1772.
 *
 * skb_copy_ubufs: -EINVAL if skb_shared or skb_unclone fails (a cloned skb
 * first gets a private Data through pskb_expand_head: ubuf +1, pages +1,
 * old dataref -1); then the paged bytes are copied into new kernel pages
 * (higher order if MAX_SKB_FRAGS pages are not enough), every old frag page
 * is put, the new pages installed (each held once), and the callback runs
 * with success = false (skb_zcopy_clear), which drops the Data's ubuf ref.
 * skb_orphan_frags does it only for ubufs without SKBFL_DONT_ORPHAN;
 * skb_orphan_frags_rx always does it.
 */
import { kernelCheck } from "../model/events";
import { skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import * as kernel from "../kernel/skbuff";
import { defineOp, eachFreeWhere, fuzzOneSkb } from "./spec";

// --- trace operations --------------------------------------------------------

export function skb_orphan_frags(tx: Tx, name: string): void {
  const err = kernel.skb_orphan_frags(tx, skbOf(tx, name, "skb_orphan_frags"));
  if (err) kernelCheck("skb_orphan_frags", `skb_copy_ubufs() returned ${err}`, "the frags stay the owner's");
}

export function skb_orphan_frags_rx(tx: Tx, name: string): void {
  const err = kernel.skb_orphan_frags_rx(tx, skbOf(tx, name, "skb_orphan_frags_rx"));
  if (err) kernelCheck("skb_orphan_frags_rx", `skb_copy_ubufs() returned ${err}`, "the frags stay the owner's");
}

export function skb_copy_ubufs(tx: Tx, name: string): void {
  const err = kernel.skb_copy_ubufs(tx, skbOf(tx, name, "skb_copy_ubufs"));
  if (err) kernelCheck("skb_copy_ubufs", `returned ${err}`, "nothing copied");
}

// --- the registry's entries ----------------------------------------------------

/** The zero-copy ops: one skb, on 6.1, tried on skbs with zero-copy state. */
const zcopyOp = (fn: string, impl: (tx: Tx, name: string) => void, opcode: number, order: number, history: string, summary: string, models: string) =>
  defineOp({
    fn,
    params: ["skb"],
    names: ["skb"],
    ctypes: [null],
    result: null,
    history,
    kernels: ["6.1"],
    summary,
    group: "zero-copy",
    opcode,
    docs: [{ call: `${fn}(a)`, models: `6.1 only: ${models}` }],
    // Without zero-copy state they do nothing.
    search: { role: "root", order, steps: eachFreeWhere((s, m) => !!m.dataOf(s)?.zcopy) },
    fuzz: fuzzOneSkb(1, "6.1"),
    oracle: fn,
    run: (tx, _r, a) => impl(tx, a[0]),
  });

export const skb_orphan_frags_spec = zcopyOp(
  "skb_orphan_frags",
  skb_orphan_frags,
  41,
  15,
  "ubuf_info zero-copy came in 3.1, skb_orphan_frags in 3.7",
  "copy zero-copy frags unless DONT_ORPHAN",
  "`skb_orphan_frags()`: copy zero-copy frags unless `SKBFL_DONT_ORPHAN`",
);
export const skb_orphan_frags_rx_spec = zcopyOp(
  "skb_orphan_frags_rx",
  skb_orphan_frags_rx,
  42,
  16,
  "added in 4.14 with MSG_ZEROCOPY",
  "copy zero-copy frags (toward a receiver)",
  "`skb_orphan_frags_rx()`: copy zero-copy frags (toward a receiver)",
);
export const skb_copy_ubufs_spec = zcopyOp(
  "skb_copy_ubufs",
  skb_copy_ubufs,
  43,
  17,
  "ubuf_info zero-copy came in 3.1",
  "copy the owner's frags to kernel pages",
  "`skb_copy_ubufs()`: copy the owner's frags to kernel pages",
);
