// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_clone and __skb_header_release: sharing one Data between skbs.
 *
 * Models net/core/skbuff.c skb_clone() (6.1 l.1644; 2.6.32 l.630) and
 * __skb_clone() (6.1 l.1177; 2.6.32 l.570).
 * The clone shares head, data, len, data_len, truesize; users 1, cloned 1
 * on both skbs, nohdr 0, destructor NULL, sk NULL; hdr_len = the source's
 * headroom if it is nohdr. dataref +1 (low half). No page reference.
 * 6.1 first calls skb_orphan_frags(): a vhost-style zero-copy skb is
 * deep-copied before anything can share it (failure: NULL).
 * fclone: the companion struct is used while the pair's fclone_ref is 1.
 *
 * __skb_header_release (include/linux/skbuff.h): 6.1 l.1986 sets nohdr and
 * dataref = 0x10001 (it assumes no clone yet); 2.6.32 skb_header_release
 * l.671 BUGs on nohdr and adds 0x10000.
 */
import { kernelCheck } from "../model/events";
import { DATAREF_SHIFT, assertNewName, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb, SkbId } from "../model/types";
import * as kernel from "../kernel/skbuff";
import { defineOp, eachFreeToNew, eachFreeWhere, fuzzOneSkb, fuzzToNew } from "./spec";

export function cloneSkb(tx: Tx, src: Skb, name: string): Skb {
  if (tx.kernel === "6.1") {
    const err = kernel.skb_orphan_frags(tx, src);
    if (err) kernelCheck("skb_clone", `skb_orphan_frags() returned ${err}`, "skb_clone returns NULL");
    src = tx.get("skbs", src.name)!;
  }
  let fclone: Skb["fclone"] = "unavailable";
  let fclonePair: string | null = null;
  if (src.fclone === "orig" && src.fclonePair && tx.get("fclones", src.fclonePair) === 1) {
    fclone = "clone";
    fclonePair = src.fclonePair;
    tx.set("fclones", fclonePair, 2);
  }
  const data = shinfo(tx, src);
  tx.set("datas", data.id, { ...data, dataref: (data.dataref + 1) >>> 0 });
  const clone: Skb = {
    ...src,
    name: name as SkbId,
    users: 1,
    cloned: true,
    nohdr: false,
    hdr_len: src.nohdr ? src.data : src.hdr_len,
    destructor: null,
    sk: null,
    fclone,
    fclonePair,
  };
  tx.set("skbs", name, clone);
  tx.set("skbs", src.name, { ...src, cloned: true });
  return clone;
}

/**
 * A clone the kernel makes for itself (of a shared frag_list member, in
 * __pskb_pull_tail and ___pskb_trim); named ~s1, ~s2, ... as no trace can
 * name it.
 */
export function kernelClone(tx: Tx, src: Skb): Skb {
  const n = tx.counters.kskb + 1;
  tx.counters = { ...tx.counters, kskb: n };
  return cloneSkb(tx, src, `~s${n}`);
}

export function skb_clone(tx: Tx, result: string, name: string): void {
  const src = skbOf(tx, name, "skb_clone");
  assertNewName(tx, result, "skb_clone");
  cloneSkb(tx, src, result);
}

export function __skb_header_release(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "__skb_header_release");
  const data = shinfo(tx, skb);
  if (tx.kernel === "6.1") {
    // It sets dataref rather than adding to it: callers (tcp_queue_skb,
    // tcp_fragment) run it before any clone exists (caller contract
    // header-release-before-clone, contracts.ts).
    tx.set("datas", data.id, { ...data, dataref: 1 + (1 << DATAREF_SHIFT) });
  } else {
    if (skb.nohdr) kernelCheck("skb_header_release", "BUG_ON(skb->nohdr)", `${name} is already nohdr`);
    tx.set("datas", data.id, { ...data, dataref: (data.dataref + (1 << DATAREF_SHIFT)) >>> 0 });
  }
  tx.set("skbs", name, { ...skb, nohdr: true });
}

// --- the registry's entries ----------------------------------------------------

export const skb_clone_spec = defineOp({
  fn: "skb_clone",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: "skb",
  summary: "a new skb sharing the Data (dataref + 1)",
  group: "copy",
  opcode: 18,
  docs: [{ call: "b = skb_clone(a)", models: "`skb_clone(a, GFP_ATOMIC)`: a new skb sharing the Data (`dataref + 1`)" }],
  search: { role: "base", order: 4, steps: eachFreeToNew },
  fuzz: fuzzToNew(3),
  oracle: "skb_clone",
  run: (tx, r, a) => skb_clone(tx, r!, a[0]),
});

export const __skb_header_release_spec = defineOp({
  fn: "__skb_header_release",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  summary: "payload-only reference (nohdr, dataref high half)",
  group: "reference",
  opcode: 19,
  docs: [{ call: "__skb_header_release(a)", models: "6.1 `__skb_header_release()`; 2.6.32 `skb_header_release()` (also accepted as the name)" }],
  // TCP calls it before the first transmit clone: only on an skb nobody has cloned yet.
  search: { role: "root", order: 13, steps: eachFreeWhere((s) => !s.cloned && !s.nohdr) },
  fuzz: fuzzOneSkb(1),
  oracle: "__skb_header_release",
  run: (tx, _r, a) => __skb_header_release(tx, a[0]),
});
