// SPDX-License-Identifier: GPL-2.0-only
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
import { defineOp, ref } from "./spec";

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

// --- the registry's entries ----------------------------------------------------

/** Why the skboracle module cannot record either op. */
const NO_DEVICE = "the skboracle module drives no network device: nothing to queue on, no TX completion to wait for";

export const dev_queue_xmit_spec = defineOp({
  fn: "dev_queue_xmit",
  params: ["skb"],
  names: ["skb"],
  // int dev_queue_xmit(struct sk_buff *skb) (include/linux/netdevice.h): no integer.
  ctypes: [null],
  result: null,
  summary: "hand the skb to the device (the caller's reference goes with it)",
  group: "leave the stack",
  opcode: 46,
  docs: [
    {
      call: "dev_queue_xmit(a)",
      models:
        "`__dev_queue_xmit()`: the caller's reference goes to the device (qdisc and driver TX ring), assumed capable of scatter-gather and GSO; the device holds `a` for as long as it likes (the checker's `late`)",
    },
  ],
  search: {
    notSearchable:
      "a device holds the skb for as long as it likes, outside the host stack: the checker reports that holder (late) on whatever path follows, and the search looks for what the stack itself does",
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const name = c.freeable(d[1]);
      return name ? { fn, args: [ref(name)] } : null;
    },
  },
  oracle: { notRecordable: NO_DEVICE },
  run: (tx, _r, a) => dev_queue_xmit(tx, a[0]),
});

export const dev_consume_skb_any_spec = defineOp({
  fn: "dev_consume_skb_any",
  params: ["skb"],
  names: ["skb"],
  // void dev_consume_skb_any(struct sk_buff *skb) (include/linux/netdevice.h l.3866): no integer.
  ctypes: [null],
  result: null,
  summary: "the driver's transmit completion frees the skb",
  group: "leave the stack",
  opcode: 47,
  docs: [
    {
      call: "dev_consume_skb_any(a)",
      models: "the driver's transmit completion: `a` leaves the device queue and `consume_skb()` drops the device's reference",
    },
  ],
  search: { notSearchable: "it completes only what dev_queue_xmit, which the menu never offers, handed to the device" },
  fuzz: {
    weight: 1,
    // The skbs a device holds; one time in eight any skb (the contract's error path).
    make: (c, d, fn) => {
      const queued = [...c.state.devq.keys()];
      const name = d[2] % 8 === 7 || queued.length === 0 ? c.freeable(d[1]) : c.pick(queued, d[1]);
      return name ? { fn, args: [ref(name)] } : null;
    },
  },
  oracle: { notRecordable: NO_DEVICE },
  run: (tx, _r, a) => dev_consume_skb_any(tx, a[0]),
});
