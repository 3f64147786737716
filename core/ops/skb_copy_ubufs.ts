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
import { MAX_ORDER, PAGE_SIZE, profile } from "../model/kernel";
import { pagelen, shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag, Skb } from "../model/types";
import { ubufCallback, ubufGet } from "../policy/completion";
import { newKernelPage, pagePut } from "./alloc_page";
import { expandHead } from "./pskb_expand_head";

/** skb_zcopy_clear(skb, success): one callback call, flags cleared. */
export function zcopyClear(tx: Tx, skb: Skb, success: boolean): void {
  const data = shinfo(tx, skb);
  if (!data.zcopy) return;
  tx.set("datas", data.id, { ...data, zcopy: null });
  ubufCallback(tx, data.zcopy.ubuf, success);
}

/** skb_copy_ubufs(): returns an errno string, or null on success. */
export function copyUbufs(tx: Tx, skb: Skb): string | null {
  if (skbShared(skb)) return "-EINVAL (skb_shared)";
  if (skbCloned(tx, skb)) {
    tx.emit({ kind: "substep", fn: "skb_unclone", text: `${skb.name} is cloned: pskb_expand_head(${skb.name}, 0, 0) first` });
    if (shinfo(tx, skb).zcopy && !shinfo(tx, skb).zcopy!.dont_orphan) {
      // pskb_expand_head would call skb_orphan_frags on this very skb again;
      // skb_clone never lets such a Data be shared, so the kernel never gets here.
      return "-EINVAL (a cloned vhost zero-copy skb: not reachable in the kernel)";
    }
    expandHead(tx, skb.name, 0, 0, "skb_unclone");
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
    data.frags.forEach((f, i) => pagePut(tx, f.page, `${data.id}.frags[${i}]`));
  }
  zcopyClear(tx, skb, false);
  return null;
}

/** skb_orphan_frags(); a failure is an errno string. */
export function orphanFrags(tx: Tx, skb: Skb, rx: boolean): string | null {
  const z = shinfo(tx, skb).zcopy;
  if (!z) return null;
  if (z.dont_orphan && !rx) return null;
  tx.emit({
    kind: "substep",
    fn: rx ? "skb_orphan_frags_rx" : "skb_orphan_frags",
    text: `${skb.name}'s frags belong to ${z.ubuf}: copy them to kernel pages (skb_copy_ubufs)`,
  });
  return copyUbufs(tx, skb);
}

/** skb_zerocopy_clone(nskb, orig): nskb's Data joins orig's ubuf. */
export function zerocopyClone(tx: Tx, nskb: Skb, orig: Skb): string | null {
  const z = shinfo(tx, orig).zcopy;
  if (!z) return null;
  const mine = shinfo(tx, nskb).zcopy;
  if (mine) {
    if (mine.ubuf === z.ubuf) return null;
    if (copyUbufs(tx, nskb)) return "-EIO";
  }
  ubufGet(tx, z.ubuf);
  const data = shinfo(tx, tx.get("skbs", nskb.name)!);
  tx.set("datas", data.id, { ...data, zcopy: z });
  return null;
}

// --- trace operations --------------------------------------------------------

export function skb_orphan_frags(tx: Tx, name: string): void {
  const err = orphanFrags(tx, skbOf(tx, name, "skb_orphan_frags"), false);
  if (err) kernelCheck("skb_orphan_frags", `skb_copy_ubufs() returned ${err}`, "the frags stay the owner's");
}

export function skb_orphan_frags_rx(tx: Tx, name: string): void {
  const err = orphanFrags(tx, skbOf(tx, name, "skb_orphan_frags_rx"), true);
  if (err) kernelCheck("skb_orphan_frags_rx", `skb_copy_ubufs() returned ${err}`, "the frags stay the owner's");
}

export function skb_copy_ubufs(tx: Tx, name: string): void {
  const err = copyUbufs(tx, skbOf(tx, name, "skb_copy_ubufs"));
  if (err) kernelCheck("skb_copy_ubufs", `returned ${err}`, "nothing copied");
}
