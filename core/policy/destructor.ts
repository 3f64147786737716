// SPDX-License-Identifier: GPL-2.0-only
/**
 * destructor - skb->destructor of the armed skb, the 2.6.32 AF_PACKET TX
 * ring way (net/packet/af_packet.c tpacket_destruct_skb): the owner hears
 * when skb_release_head_state() or skb_orphan() runs the destructor of
 * that one struct sk_buff, whatever its clones still share.
 */
import { precondition } from "../model/events";
import type { CompletionPolicy } from "./types";

export const destructor: CompletionPolicy<"destructor"> = {
  id: "destructor",
  doc: {
    armedBy: "`a->destructor`",
    toldWhen: "`a`'s destructor runs (`skb_orphan`, final free)",
  },
  arm(tx, { name, skb, buffer }) {
    if (skb.destructor) precondition("zerocopy_arm", `${name} already has a destructor (${skb.destructor.fn})`);
    tx.set("skbs", name, { ...skb, destructor: { fn: "zerocopy_complete", buffer } });
  },
  stillArmed(state, zb) {
    const d = state.skbs.get(zb.skb)?.destructor;
    return d?.fn === "zerocopy_complete" && d.buffer === zb.id;
  },
  waitsOnSkb: (_state, zb, skb) => skb.name === zb.skb && skb.destructor?.fn === "zerocopy_complete",
  waitsOnPageHolders: false,
};
