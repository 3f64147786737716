// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel helpers that several operations call, under their kernel names,
 * in one place (net/core/skbuff.c and include/linux/skbuff.h, 6.1 and
 * 2.6.32). Ops call them as `kernel.pskb_expand_head(...)`; each trace
 * operation of the same name (core/ops/) is a thin wrapper that turns a
 * returned errno into a step error.
 *
 * pskb_expand_head and skb_copy_ubufs call each other (6.1: an expansion
 * of a cloned zero-copy skb orphans its frags first; skb_copy_ubufs
 * unclones through pskb_expand_head), which is why they share a module.
 *
 * Models net/core/skbuff.c (6.1): pskb_expand_head() l.1834 (2.6.32 l.797),
 * skb_copy_ubufs() l.1548, skb_zerocopy_clone() l.1513;
 * include/linux/skbuff.h (6.1): skb_orphan_frags() l.3194,
 * skb_orphan_frags_rx() l.3204, skb_zcopy_clear() l.1772.
 * The semantics are described at the top of core/ops/pskb_expand_head.ts
 * and core/ops/skb_copy_ubufs.ts.
 */
import { kernelCheck } from "../model/events";
import { MAX_ORDER, PAGE_SIZE, profile } from "../model/kernel";
import { assertUnshared, pagelen, shinfo, skbCloned, skbOf, skbShared, tailOffset } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, Frag, Skb } from "../model/types";
import { ubufCallback, ubufGet } from "../policy/completion";
import { newKernelPage, pageGet, pagePut } from "../ops/alloc_page";
import { headEndFor, newData } from "../ops/alloc_skb";
import { skbReleaseData } from "../ops/kfree_skb";
import { fixed } from "../fixes/fixed";

// --- pskb_expand_head ----------------------------------------------------------

/** The expansion itself; `fn` names the caller for messages. */
export function pskb_expand_head(tx: Tx, name: string, nhead: number, ntail: number, fn = "pskb_expand_head"): void {
  let skb = skbOf(tx, name, fn);
  if (nhead < 0) kernelCheck("pskb_expand_head", "BUG_ON(nhead < 0)", `nhead ${nhead}`);
  if (ntail < 0) kernelCheck("pskb_expand_head", "ntail >= 0", `ntail ${ntail} would shrink the head`);
  assertUnshared(skb, "pskb_expand_head");
  // 6.1 l.1847: managed frags take real references before anything
  // below counts them (skb_frag_ref on a clone, skb_release_data).
  if (tx.kernel === "6.1" && shinfo(tx, skb).managed_frag_refs && fixed(tx, "managed-downgrade-expand")) {
    skb_zcopy_downgrade_managed(tx, skb, "pskb_expand_head");
    skb = tx.get("skbs", name)!;
  }
  const old = shinfo(tx, skb);
  const end = headEndFor(tx, "pskb_expand_head", old.end + nhead + ntail);
  tx.emit({
    kind: "substep",
    fn: "pskb_expand_head",
    text: `new head for ${name}: ${old.end} + ${nhead} + ${ntail} bytes asked, end ${end}; shinfo copied`,
  });

  if (tx.kernel === "6.1") {
    if (skbCloned(tx, skb)) {
      const err = skb_orphan_frags(tx, skb);
      if (err) kernelCheck("pskb_expand_head", `skb_orphan_frags() returned ${err}`, "-ENOMEM");
      skb = tx.get("skbs", name)!;
      const cur = shinfo(tx, skb);
      const moved = newData(tx, end);
      tx.set("datas", moved.id, copyShinfo(cur, moved));
      // Before 1f8b977ab32d the copied destructor_arg took no reference.
      if (cur.zcopy && fixed(tx, "expand-head-uarg-ref")) ubufGet(tx, cur.zcopy.ubuf);
      takeRefs(tx, cur, moved, fn);
      tx.emit({ kind: "substep", fn: "skb_release_data", text: `the old Data ${cur.id} is still shared: drop ${name}'s reference` });
      skbReleaseData(tx, skb, "pskb_expand_head");
      finish(tx, name, moved, nhead, end, old.end, true);
    } else {
      const moved = newData(tx, end);
      tx.set("datas", moved.id, copyShinfo(old, moved));
      // skb_free_head(): only the old head memory goes; refs moved as is.
      tx.delete("datas", old.id);
      tx.emit({ kind: "data_released", data: old.id });
      if (old.head_page) pagePut(tx, old.head_page, `${old.id}.head`);
      finish(tx, name, moved, nhead, end, old.end, true);
    }
    return;
  }

  // 2.6.32: +1 every page, then release the old Data through the skb.
  const moved = newData(tx, end);
  tx.set("datas", moved.id, copyShinfo(old, moved));
  takeRefs(tx, old, moved, fn);
  tx.emit({
    kind: "substep",
    fn: "skb_release_data",
    text: skb.cloned ? `drop ${name}'s reference on the old Data ${old.id}` : `${name} was not cloned: the old Data ${old.id} is released in full`,
  });
  skbReleaseData(tx, skb, "pskb_expand_head");
  finish(tx, name, moved, nhead, end, old.end, false);
}

/** The memcpy of the shinfo header (flags included) and frags into the new head. */
function copyShinfo(from: Data, to: Data): Data {
  const flags = { ...(from.managed_frag_refs ? { managed_frag_refs: true } : {}), ...(from.pure_zerocopy ? { pure_zerocopy: true } : {}) };
  return { ...to, frags: from.frags, frag_list: from.frag_list, zcopy: from.zcopy, release: from.release, shared_frag: from.shared_frag, ...flags };
}

/** get_page() on every frag and skb_get() on every frag_list member. */
function takeRefs(tx: Tx, old: Data, moved: Data, fn: string): void {
  for (const f of old.frags) pageGet(tx, f.page, fn);
  for (const m of old.frag_list) {
    const member = tx.get("skbs", m);
    if (member) tx.set("skbs", m, { ...member, users: member.users + 1 });
  }
  if (old.frags.length > 0) {
    tx.emit({ kind: "substep", fn: "skb_frag_ref", text: `the new Data ${moved.id} takes its own reference on each frag page` });
  }
}

function finish(tx: Tx, name: string, moved: Data, nhead: number, end: number, oend: number, truesizeGrows: boolean): void {
  const skb = tx.get("skbs", name)!;
  const cur = tx.get("datas", moved.id)!;
  // The seed patch: the new shinfo's release and priv are set to NULL.
  tx.set("datas", moved.id, { ...cur, dataref: 1, release: null });
  const grow = truesizeGrows && skb.sk === null ? end - oend : 0;
  const next: Skb = {
    ...skb,
    head: moved.id,
    head_frag: false,
    data: skb.data + nhead,
    cloned: false,
    nohdr: false,
    hdr_len: 0,
    truesize: skb.truesize + grow,
  };
  if (tailOffset(next) > end) throw new Error("engine bug: expanded head smaller than its data");
  tx.set("skbs", name, next);
}

// --- skb_copy_ubufs and the zero-copy helpers ----------------------------------

/**
 * skb_zcopy_clear(skb, success): one callback call, then every zero-copy
 * flag cleared (SKBFL_ALL_ZEROCOPY, which holds SKBFL_SHARED_FRAG and the
 * managed and pure ones: skbuff.h 6.1 l.531, l.1780).
 */
export function skb_zcopy_clear(tx: Tx, skb: Skb, success: boolean): void {
  const data = shinfo(tx, skb);
  if (!data.zcopy) return;
  tx.set("datas", data.id, clearAllZerocopy(data));
  ubufCallback(tx, data.zcopy.ubuf, success);
}

/**
 * What skb_zcopy_clear() does to the shinfo: `flags &= ~SKBFL_ALL_ZEROCOPY`
 * (6.1 skbuff.h l.531: the ubuf with SKBFL_ZEROCOPY_FRAG, which holds
 * SKBFL_SHARED_FRAG, and SKBFL_PURE_ZEROCOPY, SKBFL_MANAGED_FRAG_REFS;
 * absent = clear).
 */
export function clearAllZerocopy(data: Data): Data {
  const { managed_frag_refs: _m, pure_zerocopy: _p, ...rest } = data;
  return { ...rest, zcopy: null, shared_frag: false };
}

/**
 * skb_zcopy_downgrade_managed() (6.1 skbuff.h l.1786) and
 * __skb_zcopy_downgrade_managed() (skbuff.c l.1503): a Data whose frags
 * are managed takes a real reference on every frag page and clears
 * SKBFL_MANAGED_FRAG_REFS, so the code after it may count frags as usual.
 * The Data is shared by clones: they all see the downgrade.
 */
export function skb_zcopy_downgrade_managed(tx: Tx, skb: Skb, fn: string): void {
  const data = shinfo(tx, skb);
  if (!data.managed_frag_refs) return;
  tx.emit({
    kind: "substep",
    fn: "__skb_zcopy_downgrade_managed",
    text: `${fn}: ${data.id}'s managed frags take a page reference each; SKBFL_MANAGED_FRAG_REFS cleared`,
  });
  const { managed_frag_refs: _m, ...rest } = data;
  tx.set("datas", data.id, rest);
  for (const f of data.frags) pageGet(tx, f.page, "skb_frag_ref");
}

/** skb_copy_ubufs(): returns an errno string, or null on success. */
export function skb_copy_ubufs(tx: Tx, skb: Skb): string | null {
  if (skbShared(skb)) return "-EINVAL (skb_shared)";
  if (skbCloned(tx, skb)) {
    tx.emit({ kind: "substep", fn: "skb_unclone", text: `${skb.name} is cloned: pskb_expand_head(${skb.name}, 0, 0) first` });
    if (shinfo(tx, skb).zcopy && !shinfo(tx, skb).zcopy!.dont_orphan) {
      // pskb_expand_head would call skb_orphan_frags on this very skb again;
      // skb_clone never lets such a Data be shared, so the kernel never gets here.
      return "-EINVAL (a cloned vhost zero-copy skb: not reachable in the kernel)";
    }
    pskb_expand_head(tx, skb.name, 0, 0, "skb_unclone");
    skb = tx.get("skbs", skb.name)!;
  }
  const data = shinfo(tx, skb);
  if (data.frags.length > 0) {
    const total = pagelen(data);
    const max = profile(tx.kernel).MAX_SKB_FRAGS;
    // Plain arithmetic: `PAGE_SIZE << order` overflows 32 bits in JavaScript.
    let order = 0;
    while (PAGE_SIZE * 2 ** order * max < total && order < MAX_ORDER) order++;
    // alloc_pages() has nothing of MAX_ORDER or above: -ENOMEM.
    if (PAGE_SIZE * 2 ** order * max < total) return "-ENOMEM";
    const psize = PAGE_SIZE * 2 ** order;
    const count = Math.ceil(total / psize);
    const copies = Array.from({ length: count }, () => newKernelPage(tx, "copy"));
    for (const f of data.frags) tx.emit({ kind: "read", page: f.page, by: `skb_copy_ubufs(${skb.name})` });
    const frags: Frag[] = copies.map((page, i) => ({
      page,
      offset: 0,
      size: i < count - 1 ? psize : total - psize * (count - 1),
    }));
    tx.set("datas", data.id, { ...data, frags });
    // skb_frag_unref() puts nothing for managed frags (skbuff.h l.3523);
    // skb_zcopy_clear() below clears SKBFL_MANAGED_FRAG_REFS with the rest.
    if (!data.managed_frag_refs) data.frags.forEach((f, i) => pagePut(tx, f.page, `${data.id}.frags[${i}]`));
  }
  skb_zcopy_clear(tx, skb, false);
  return null;
}

/** skb_orphan_frags(): copies unless the ubuf says SKBFL_DONT_ORPHAN; a failure is an errno string. */
export function skb_orphan_frags(tx: Tx, skb: Skb): string | null {
  return orphan(tx, skb, false);
}

/** skb_orphan_frags_rx(): always copies (the frags reach a socket); a failure is an errno string. */
export function skb_orphan_frags_rx(tx: Tx, skb: Skb): string | null {
  return orphan(tx, skb, true);
}

function orphan(tx: Tx, skb: Skb, rx: boolean): string | null {
  const z = shinfo(tx, skb).zcopy;
  if (!z) return null;
  if (z.dont_orphan && !rx) return null;
  tx.emit({
    kind: "substep",
    fn: rx ? "skb_orphan_frags_rx" : "skb_orphan_frags",
    text: `${skb.name}'s frags belong to ${z.ubuf}: copy them to kernel pages (skb_copy_ubufs)`,
  });
  return skb_copy_ubufs(tx, skb);
}

/** skb_zerocopy_clone(nskb, orig): nskb's Data joins orig's ubuf. */
export function skb_zerocopy_clone(tx: Tx, nskb: Skb, orig: Skb): string | null {
  const z = shinfo(tx, orig).zcopy;
  if (!z) return null;
  const mine = shinfo(tx, nskb).zcopy;
  if (mine) {
    if (mine.ubuf === z.ubuf) return null;
    if (skb_copy_ubufs(tx, nskb)) return "-EIO";
  }
  ubufGet(tx, z.ubuf);
  const data = shinfo(tx, tx.get("skbs", nskb.name)!);
  // skb_zcopy_init(): flags |= uarg->flags, SKBFL_ZEROCOPY_FRAG (SHARED_FRAG with it).
  tx.set("datas", data.id, { ...data, zcopy: z, shared_frag: true });
  return null;
}
