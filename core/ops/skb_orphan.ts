// SPDX-License-Identifier: GPL-2.0-only
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
import { defineOp, eachFreeWhere, fuzzOneSkb } from "./spec";

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

// --- the registry's entries ----------------------------------------------------

export const skb_orphan_spec = defineOp({
  fn: "skb_orphan",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  summary: "run the destructor now",
  group: "leave the stack",
  opcode: 39,
  docs: [{ call: "skb_orphan(a)", models: "`skb_orphan()`: run the destructor now" }],
  // Without a destructor it does nothing.
  search: { role: "root", order: 12, steps: eachFreeWhere((s) => !!s.destructor) },
  fuzz: fuzzOneSkb(1),
  oracle: "skb_orphan",
  run: (tx, _r, a) => skb_orphan(tx, a[0]),
});
