/**
 * Local delivery and the reader: sock_create, sock_queue_rcv_skb,
 * skb_copy_datagram_iter, sk_eat_skb.
 *
 * Models net/core/sock.c __sock_queue_rcv_skb() (6.1 l.480) with
 * include/net/sock.h skb_set_owner_r() (6.1 l.2528; 2.6.32 l.1341:
 * skb_orphan(), then destructor = sock_rfree) and sk_eat_skb() (6.1 l.2935:
 * unlink, then __kfree_skb()). In 6.1 every local delivery first runs
 * skb_orphan_frags_rx() (net/core/dev.c __netif_receive_skb_core, before
 * the final handler): zero-copy frags are copied, whatever the ubuf's flags,
 * because a local reader can hold them without bound.
 * The receive queue holds the caller's reference to the skb.
 */
import { kernelCheck, outOfRange } from "../model/events";
import { assertNewName, headlen, shinfo, skbOf, sockOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb, SockId } from "../model/types";
import { freeSkbNow } from "./kfree_skb";
import { orphan } from "./skb_orphan";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";

export function sock_create(tx: Tx, result: string): void {
  assertNewName(tx, result, "sock_create");
  tx.set("socks", result, { name: result as SockId, queue: [] });
}

export function sock_queue_rcv_skb(tx: Tx, sockName: string, name: string): void {
  const sock = sockOf(tx, sockName, "sock_queue_rcv_skb");
  let skb = skbOf(tx, name, "sock_queue_rcv_skb");
  // Not queued yet: caller contract queue-once (contracts.ts).
  if (tx.kernel === "6.1") {
    // Before 1f8b977ab32d receive paths used skb_orphan_frags(), which skips MSG_ZEROCOPY skbs.
    const err = fixed(tx, "rx-orphan-frags") ? kernel.skb_orphan_frags_rx(tx, skb) : kernel.skb_orphan_frags(tx, skb);
    if (err) kernelCheck("__netif_receive_skb_core", `skb_orphan_frags_rx() returned ${err}`, "the packet is dropped");
    skb = tx.get("skbs", name)!;
  }
  skb = orphan(tx, skb);
  tx.set("skbs", name, { ...skb, sk: sock.name, destructor: { fn: "sock_rfree", sk: sock.name } });
  tx.set("socks", sock.name, { ...sock, queue: [...sock.queue, skb.name] });
}

/** Which pages hold bytes [offset, offset + len) of an skb. */
function readBytes(tx: Tx, skb: Skb, offset: number, len: number, by: string): void {
  const data = shinfo(tx, skb);
  let at = headlen(skb);
  if (data.head_page && offset < at) tx.emit({ kind: "read", page: data.head_page, by });
  for (const f of data.frags) {
    if (at < offset + len && at + f.size > offset) tx.emit({ kind: "read", page: f.page, by });
    at += f.size;
  }
  for (const m of data.frag_list) {
    const member = tx.get("skbs", m);
    if (!member) continue;
    if (at < offset + len && at + member.len > offset) {
      readBytes(tx, member, Math.max(0, offset - at), Math.min(member.len, offset + len - at), by);
    }
    at += member.len;
  }
}

export function skb_copy_datagram_iter(tx: Tx, name: string, offset: number, len: number): void {
  const skb = skbOf(tx, name, "skb_copy_datagram_iter");
  if (offset < 0 || len < 0 || offset + len > skb.len) {
    outOfRange("skb_copy_datagram_iter", "offset + len", offset + len, skb.len, "is past the data");
  }
  readBytes(tx, skb, offset, len, `skb_copy_datagram_iter(${name})`);
}

export function sk_eat_skb(tx: Tx, sockName: string, name: string): void {
  const sock = sockOf(tx, sockName, "sk_eat_skb");
  const skb = skbOf(tx, name, "sk_eat_skb");
  // On this socket's queue: caller contract eat-own-queue (contracts.ts).
  tx.set("socks", sock.name, { ...sock, queue: sock.queue.filter((n) => n !== skb.name) });
  freeSkbNow(tx, skb);
}
