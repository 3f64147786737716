// SPDX-License-Identifier: GPL-2.0-only
/**
 * struct ubuf_info (6.1, include/linux/skbuff.h), shared by the policies
 * whose completion is uarg->callback(): the Data carries the ubuf in
 * skb_shinfo()->destructor_arg with SKBFL_ZEROCOPY_FRAG, and the owner
 * hears when its refcnt reaches zero (ubufCallback in ./completion).
 */
import { kernelCheck, precondition } from "../model/events";
import type { Tx } from "../model/tx";
import type { BufferId, Data, Page, State, Ubuf, UbufId, ZBuffer } from "../model/types";
import { ubufCallback } from "./completion";
import type { ArmSite } from "./types";

export interface UbufArming {
  /** Ubuf.kind: whose callback completes it. */
  readonly kind: Ubuf["kind"];
  /** SKBFL_DONT_ORPHAN: skb_orphan_frags() leaves the frags alone. */
  readonly dontOrphan: boolean;
  /**
   * skb_zcopy_set() semantics: joining an skb that is already zero-copy is
   * allowed (nothing is attached), and the caller's own reference is
   * dropped at the end of sendmsg (net_zcopy_put). Otherwise (tun's
   * skb_zcopy_init) the skb must not be zero-copy yet.
   */
  readonly sendmsg: boolean;
}

/** Allocate the ubuf, attach it to the Data, and (sendmsg) drop the caller's reference. */
export function armUbuf(tx: Tx, { name, data, buffer }: ArmSite, how: UbufArming): void {
  // skb_zcopy_set() leaves an skb that is already zero-copy alone; tun's
  // skb_zcopy_init() would overwrite its ubuf: no caller does that.
  if (data.zcopy && !how.sendmsg) precondition("zerocopy_arm", `${name} is already zero-copy`);
  const un = tx.counters.ubuf + 1;
  tx.counters = { ...tx.counters, ubuf: un };
  const joins = !data.zcopy;
  const ubuf: Ubuf = {
    name: `u${un}` as UbufId,
    kind: how.kind,
    refcnt: how.sendmsg && joins ? 2 : 1,
    dont_orphan: how.dontOrphan,
    buffer,
    zerocopy: true,
    callbacks: 0,
  };
  tx.set("ubufs", ubuf.name, ubuf);
  // skb_zcopy_init(): shinfo->flags |= uarg->flags; both ubuf kinds carry
  // SKBFL_ZEROCOPY_FRAG, which holds SKBFL_SHARED_FRAG (skbuff.c 6.1 l.1317,
  // drivers/vhost/net.c l.926, skbuff.h l.530, l.1724).
  if (joins) tx.set("datas", data.id, { ...data, zcopy: { ubuf: ubuf.name, dont_orphan: how.dontOrphan }, shared_frag: tx.kernel === "6.1" });
  else tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${name} is already zero-copy: ${ubuf.name} is not attached` });
  if (how.sendmsg) {
    tx.emit({ kind: "substep", fn: "net_zcopy_put", text: "sendmsg returns: its own reference on the ubuf is dropped" });
    ubufCallback(tx, ubuf.name, true);
  }
}

/** Whether the Data carries a ubuf of zb (the callback is still to come). */
export function carriesUbufOf(state: State, data: Data, zb: ZBuffer): boolean {
  return !!data.zcopy && state.ubufs.get(data.zcopy.ubuf)?.buffer === zb.id;
}

export function ubufStillArmed(state: State, zb: ZBuffer): boolean {
  for (const d of state.datas.values()) if (carriesUbufOf(state, d, zb)) return true;
  return false;
}

/**
 * skb_zcopy_set(skb, uarg, NULL) (include/linux/skbuff.h 6.1 l.1727), as
 * tcp_sendmsg_locked() calls it for each skb of one sendmsg
 * (skb_zerocopy_iter_stream, net/core/skbuff.c l.1473): an skb that is not
 * zero-copy yet takes a reference (net_zcopy_get) and carries the uarg
 * (skb_zcopy_init: destructor_arg, flags); one that already carries this
 * uarg is left alone; one that carries another uarg is refused with
 * -EEXIST (l.1483: "An skb can only point to one uarg"; TCP then starts a
 * new segment). The owner's buffer gains the skb's guest pages: the
 * notification covers them too.
 */
export function skbZcopySet(tx: Tx, name: string, ubuf: UbufId, haveRef = false): void {
  const skb = tx.get("skbs", name)!;
  const data = tx.get("datas", skb.head)!;
  const u = tx.get("ubufs", ubuf)!;
  if (data.zcopy && data.zcopy.ubuf !== ubuf)
    kernelCheck("skb_zerocopy_iter_stream", "orig_uarg && uarg != orig_uarg", `-EEXIST: ${name} already carries ${data.zcopy.ubuf}`);
  addOwnerPages(tx, u.buffer, data);
  if (data.zcopy) {
    tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${name} already carries ${ubuf}: nothing taken` });
    return;
  }
  // *have_ref: the caller hands its own reference over instead (UDP's extra_uref).
  const refcnt = u.refcnt + (haveRef ? 0 : 1);
  tx.set("ubufs", ubuf, { ...u, refcnt });
  // skb_zcopy_init(): flags |= uarg->flags (SKBFL_ZEROCOPY_FRAG holds SKBFL_SHARED_FRAG; 6.1 skbuff.h l.1724).
  tx.set("datas", data.id, { ...data, zcopy: { ubuf, dont_orphan: u.dont_orphan }, shared_frag: true });
  tx.emit({
    kind: "substep",
    fn: "skb_zcopy_set",
    text: `${name} carries ${ubuf} (${haveRef ? "the caller's reference" : "net_zcopy_get"}: refcnt ${refcnt})`,
  });
}

/**
 * The owner's buffer now also covers the pages in data's frags that the
 * owner owns (`owns`: core/policy/registry.ts ownerOwns, as zerocopy_arm
 * reads it; guest pages by default, as every ubuf_info policy's are).
 */
export function addOwnerPages(tx: Tx, buffer: BufferId, data: Data, owns: (page: Page) => boolean = (p) => p.owner === "guest"): void {
  const zb = tx.get("buffers", buffer);
  if (!zb) return;
  const pages = [...zb.pages];
  for (const f of data.frags) {
    const page = tx.get("pages", f.page);
    if (page && owns(page) && !pages.includes(f.page)) pages.push(f.page);
  }
  if (pages.length !== zb.pages.length) tx.set("buffers", buffer, { ...zb, pages });
}
