// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_recycle_check - reuse a transmitted skb as a receive buffer (2.6.32;
 * gone by 3.x).
 *
 * Models net/core/skbuff.c skb_recycle_check() (2.6.32 l.484). Refuses (0)
 * a nonlinear, fclone, too small, shared or cloned skb. Otherwise the
 * destructor runs (skb_release_head_state), the shinfo is re-initialised
 * (dataref 1, nr_frags 0) WITHOUT skb_release_data, and the struct is reset
 * (data = head + NET_SKB_PAD, len 0). The seed patch sets release and priv
 * to NULL here without calling release: the armed completion is lost.
 */
import { outOfRange } from "../model/events";
import { align, profile } from "../model/kernel";
import { shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import { skbReleaseHeadState } from "./kfree_skb";
import { defineOp, int, ref, step } from "./spec";

export function skb_recycle_check(tx: Tx, name: string, size: number): void {
  const skb = skbOf(tx, name, "skb_recycle_check");
  const data = shinfo(tx, skb);
  const pad = profile(tx.kernel).NET_SKB_PAD;
  // int skb_size: its callers (gianfar, ucc_geth) pass their receive
  // buffer size; a negative one would pass the size test below and leave
  // data past end.
  if (size < 0) outOfRange("skb_recycle_check", "skb_size", size, 0, "is negative; callers pass their receive buffer size");
  const refuse = (why: string) => tx.emit({ kind: "result", fn: "skb_recycle_check", value: `0 (${why})` });
  if (skb.data_len > 0) return refuse("nonlinear");
  if (skb.fclone !== "unavailable") return refuse("fclone");
  if (data.end < align(size + pad)) return refuse("head too small");
  if (skbShared(skb) || skbCloned(tx, skb)) return refuse("shared or cloned");
  const after = skbReleaseHeadState(tx, skb).skb;
  if (data.release) {
    tx.emit({ kind: "substep", fn: "skb_recycle_check", text: `seed patch: release of ${data.id} set to NULL without being called` });
  }
  tx.set("datas", data.id, { ...data, dataref: 1, frags: [], frag_list: [], release: null });
  tx.set("skbs", name, { ...after, cloned: false, nohdr: false, hdr_len: 0, data: pad, len: 0, data_len: 0 });
  tx.emit({ kind: "result", fn: "skb_recycle_check", value: "1" });
}

// --- the registry's entries ----------------------------------------------------

/** skb_recycle_check(): a driver's receive buffer size (gianfar-like). */
const RECYCLE_SIZE = 1536;

export const skb_recycle_check_spec = defineOp({
  fn: "skb_recycle_check",
  params: ["skb", "int"],
  names: ["skb", "skb_size"],
  ctypes: [null, "int"],
  result: null,
  history: "removed in 3.7",
  kernels: ["2.6.32"],
  summary: "reuse a sent skb for receive",
  group: "zero-copy",
  opcode: 44,
  docs: [{ call: "skb_recycle_check(a, size)", models: "2.6.32 only: `skb_recycle_check()`: reuse a sent skb for receive" }],
  search: { role: "root", order: 14, steps: (m, fn) => m.free.map((s) => step(fn, [ref(s.name), int(RECYCLE_SIZE)])) },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => (c.state.kernel === "2.6.32" && c.skbArg(d[1]) ? { fn, args: [c.skbArg(d[1])!, int([100, 1500][d[2] % 2])] } : null),
  },
  form: { skb_size: 256 },
  oracle: "skb_recycle_check",
  run: (tx, _r, a) => skb_recycle_check(tx, a[0], a[1]),
});
