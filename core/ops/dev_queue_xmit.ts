/**
 * dev_queue_xmit, dev_consume_skb_any - an skb handed to a network device,
 * and the driver's transmit completion that frees it.
 *
 * Models net/core/dev.c (6.1): __dev_queue_xmit() (l.4295): "Regardless of
 * the return value, the skb is consumed": the caller's reference passes to
 * the device, whose qdisc and driver TX ring hold the skb until the driver
 * completes it with dev_consume_skb_any() (include/linux/netdevice.h
 * l.3866 -> __dev_kfree_skb_any() l.3221 -> consume_skb()). A device with
 * scatter-gather and GSO is assumed: validate_xmit_skb() leaves the skb
 * whole (no linearize, no software segmentation), so the pages stay where
 * they are. How long the device keeps the skb is up to the device (a
 * paused link, a full ring): a holder outside the host stack's control,
 * which the checker reports as `late`. 2.6.32 dev_queue_xmit() (dev.c) has
 * the same contract.
 * Caller contracts (contracts.ts): the skb is on no queue yet
 * (xmit-unqueued); the completion is for an skb the device holds
 * (xmit-completes-queued).
 */
import { skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { kfreeSkbRef } from "./kfree_skb";

export function dev_queue_xmit(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "dev_queue_xmit");
  // The caller's reference becomes the device's: users is unchanged.
  tx.set("devq", skb.name, { skb: skb.name, since: tx.step });
}

export function dev_consume_skb_any(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "dev_consume_skb_any");
  // Unlinked from the ring first, then the device's reference is dropped.
  tx.delete("devq", skb.name);
  kfreeSkbRef(tx, skb.name, "dev_consume_skb_any");
}
