// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_copy - a private copy of an skb and all its data, made linear.
 *
 * Models net/core/skbuff.c skb_copy() (6.1 l.1724; 2.6.32 l.694).
 * The new skb: __alloc_skb(skb_end_offset + data_len), skb_reserve(headroom),
 * skb_put(len); every byte, frags and frag_list included, is read into its
 * linear area. No page reference is taken; the source is unchanged.
 */
import { assertNewName, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb } from "../model/types";
import { allocSkb } from "./alloc_skb";
import { defineOp, eachFreeToNew, fuzzToNew } from "./spec";

/** Every page an skb's bytes live in, frag_list members included. */
export function readAllPages(tx: Tx, skb: Skb, by: string, seen = new Set<string>()): void {
  if (seen.has(skb.name)) return;
  seen.add(skb.name);
  const data = shinfo(tx, skb);
  if (data.head_page) tx.emit({ kind: "read", page: data.head_page, by });
  for (const f of data.frags) tx.emit({ kind: "read", page: f.page, by });
  for (const m of data.frag_list) {
    const member = tx.get("skbs", m);
    if (member) readAllPages(tx, member, by, seen);
  }
}

export function skb_copy(tx: Tx, result: string, name: string): void {
  const src = skbOf(tx, name, "skb_copy");
  assertNewName(tx, result, "skb_copy");
  const n = allocSkb(tx, result, shinfo(tx, src).end + src.data_len);
  readAllPages(tx, src, `skb_copy(${name})`);
  tx.set("skbs", result, { ...n, data: src.data, len: src.len });
}

// --- the registry's entries ----------------------------------------------------

export const skb_copy_spec = defineOp({
  fn: "skb_copy",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: "skb",
  summary: "a private linear copy of everything",
  group: "copy",
  opcode: 20,
  docs: [{ call: "c = skb_copy(a)", models: "`skb_copy()`: a private linear copy of everything" }],
  search: { role: "root", order: 11, steps: eachFreeToNew },
  fuzz: fuzzToNew(3),
  oracle: "skb_copy",
  run: (tx, r, a) => skb_copy(tx, r!, a[0]),
});
