// SPDX-License-Identifier: GPL-2.0-only
/**
 * io-uring-notif (6.1) - io_uring's zero-copy send notification: the user
 * hears (a notification CQE, IORING_CQE_F_NOTIF) when the notif's
 * ubuf_info refcount drops to zero (io_uring/notif.c
 * io_uring_tx_zerocopy_callback l.28-46, __io_notif_complete_tw l.12).
 *
 * Refcounts, as io_send_zc (io_uring/net.c l.1120-1216) drives them:
 * io_alloc_notif() sets 1 (notif.c l.66, SKBFL_ZEROCOPY_FRAG |
 * SKBFL_DONT_ORPHAN); tcp_sendmsg_locked() takes one for the send
 * (net_zcopy_get, tcp.c l.1243); skb_zcopy_set() one for the skb
 * (skbuff.h l.1724) unless the skb is zero-copy already;
 * net_zcopy_put() at the end of sendmsg drops the send's (tcp.c l.1469);
 * io_notif_flush() drops the master reference (notif.c l.74-83). What is
 * left is the skbs': each skb_zcopy_clear() drops one.
 *
 * zerocopy_arm(a) arms it over a's frags as they are: the unregistered
 * path (io_sg_from_iter_iovec), whose frags hold page references. The
 * registered-buffer path, whose frags hold none, is the io_send_zc op.
 */
import { precondition } from "../model/events";
import type { Tx } from "../model/tx";
import type { PageId, Ubuf, UbufId } from "../model/types";
import { ioNotifFlush, ubufCallback } from "./completion";
import type { ArmSite, CompletionPolicy } from "./types";
import { carriesUbufOf, ubufStillArmed } from "./ubuf_info";

export interface NotifArming {
  /** Pages the registered buffer pins for this notif (io_send_zc), each one reference. */
  readonly pins: readonly PageId[];
  /** The owner does not listen to this notif (another policy). */
  readonly silent: boolean;
  /** Fill the skb between skb_zcopy_set's check and its reference (io_sg_from_iter). */
  readonly fill?: () => void;
}

/**
 * io_alloc_notif() and one send through tcp_sendmsg_locked() onto
 * site.skb, then io_notif_flush(). Returns the notif's id.
 */
export function ioSendNotif(tx: Tx, { name, data, buffer }: ArmSite, how: NotifArming): UbufId {
  if (data.zcopy && tx.get("ubufs", data.zcopy.ubuf)?.kind !== "io-notif") {
    precondition("io_send_zc", `${name} already carries ${data.zcopy.ubuf} of another kind`);
  }
  const un = tx.counters.ubuf + 1;
  tx.counters = { ...tx.counters, ubuf: un };
  const id = `u${un}` as UbufId;
  const ubuf: Ubuf = {
    name: id,
    kind: "io-notif",
    refcnt: 2,
    dont_orphan: true,
    buffer,
    zerocopy: true,
    callbacks: 0,
    ...(how.pins.length ? { pins: how.pins } : {}),
    ...(how.silent ? { silent: true } : {}),
  };
  tx.set("ubufs", id, ubuf);
  tx.emit({ kind: "substep", fn: "io_alloc_notif", text: `notification ${id}: refcnt 1; tcp_sendmsg_locked takes one for the send (net_zcopy_get): 2` });
  how.fill?.();
  const cur = tx.get("datas", data.id)!;
  if (!cur.zcopy) {
    // skb_zcopy_init(): flags |= uarg->flags; io_alloc_notif's SKBFL_ZEROCOPY_FRAG
    // holds SKBFL_SHARED_FRAG (6.1 io_uring/notif.c l.67, skbuff.h l.1724).
    tx.set("datas", data.id, { ...cur, zcopy: { ubuf: id, dont_orphan: true }, shared_frag: true });
    tx.set("ubufs", id, { ...tx.get("ubufs", id)!, refcnt: 3 });
    tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${name}'s Data ${data.id} joins ${id}: refcnt 3` });
  } else {
    tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${name} is already zero-copy (${cur.zcopy.ubuf}): ${id} is not attached` });
  }
  tx.emit({ kind: "substep", fn: "net_zcopy_put", text: "sendmsg returns: the send's reference is dropped" });
  ubufCallback(tx, id, true);
  tx.emit({ kind: "substep", fn: "io_notif_flush", text: "the request completes: the notification's master reference is dropped" });
  ioNotifFlush(tx, id);
  return id;
}

export const ioUringNotif: CompletionPolicy<"io-uring-notif"> = {
  id: "io-uring-notif",
  doc: {
    armedBy:
      "an io_uring notification `ubuf_info` (`io_alloc_notif`, `SKBFL_DONT_ORPHAN`): the send and `skb_zcopy_set` take a reference each, the end of `sendmsg` and `io_notif_flush` drop two; `io_send_zc` arms it too, with frags that hold no page reference",
    toldWhen: "its `refcnt` reaches zero (`io_notif_complete`)",
  },
  arm: (tx, site) => {
    ioSendNotif(tx, site, { pins: [], silent: false });
  },
  stillArmed: ubufStillArmed,
  waitsOnSkb: (state, zb, _skb, data) => carriesUbufOf(state, data, zb),
  waitsOnPageHolders: false,
  hearsIoNotif: true,
};
