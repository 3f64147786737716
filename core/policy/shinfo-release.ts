// SPDX-License-Identifier: GPL-2.0-only
/**
 * shinfo-release - the seed patch: skb_shinfo(skb)->release and ->priv,
 * called from skb_release_data() (the 2009 patch against 2.6.32; the same
 * function is 6.1 net/core/skbuff.c l.766) when the last dataref goes,
 * so every clone sharing the Data keeps the completion back and every
 * private copy (pskb_copy, pskb_expand_head) escapes it.
 */
import { precondition } from "../model/events";
import type { CompletionPolicy } from "./types";

export const shinfoRelease: CompletionPolicy<"shinfo-release"> = {
  id: "shinfo-release",
  doc: {
    armedBy: "the 2009 seed patch's `skb_shinfo(a)->release`",
    toldWhen:
      "the armed Data's `dataref` reaches zero (`skb_release_data`); new Datas start with NULL, and `pskb_expand_head` and `skb_recycle_check` set it to NULL",
  },
  arm(tx, { name, data, buffer }) {
    if (data.release) precondition("zerocopy_arm", `skb_shinfo(${name})->release is already set`);
    tx.set("datas", data.id, { ...data, release: buffer });
  },
  stillArmed(state, zb) {
    for (const d of state.datas.values()) if (d.release === zb.id) return true;
    return false;
  },
  waitsOnSkb: (_state, zb, _skb, data) => data.release === zb.id,
  waitsOnPageHolders: false,
};
