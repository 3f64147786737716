/**
 * skb_orphan - detach an skb from its owner: the destructor runs now.
 *
 * Models include/linux/skbuff.h skb_orphan() (6.1 l.3174; 2.6.32 l.1423):
 * call skb->destructor if set, then clear destructor and sk; Data, pages and
 * users are untouched. Called by loopback_xmit, veth_xmit (2.6.32) and every
 * socket receive (skb_set_owner_r).
 */
import { skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb } from "../model/types";
import { destructorRan } from "../policy/completion";

export function orphan(tx: Tx, skb: Skb): Skb {
  if (!skb.destructor) return skb;
  destructorRan(tx, skb.name);
  const after = { ...tx.get("skbs", skb.name)!, destructor: null, sk: null };
  tx.set("skbs", skb.name, after);
  return after;
}

export function skb_orphan(tx: Tx, name: string): void {
  orphan(tx, skbOf(tx, name, "skb_orphan"));
}
