// SPDX-License-Identifier: GPL-2.0-only
/**
 * struct ubuf_info (6.1, include/linux/skbuff.h), shared by the policies
 * whose completion is uarg->callback(): the Data carries the ubuf in
 * skb_shinfo()->destructor_arg with SKBFL_ZEROCOPY_FRAG, and the owner
 * hears when its refcnt reaches zero (ubufCallback in ./completion).
 */
import { precondition } from "../model/events";
import type { Tx } from "../model/tx";
import type { Data, State, Ubuf, UbufId, ZBuffer } from "../model/types";
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
