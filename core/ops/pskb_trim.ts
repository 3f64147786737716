// SPDX-License-Identifier: GPL-2.0-only
/**
 * pskb_trim - cut an skb to `len` bytes.
 *
 * Models include/linux/skbuff.h pskb_trim()/__pskb_trim() (6.1 l.3125-3135)
 * and net/core/skbuff.c ___pskb_trim() (6.1 l.2259; 2.6.32 l.1074), plus
 * 6.1's skb_condense() (l.6488), which ___pskb_trim runs on an skb without
 * a socket.
 * A no-op when len >= skb->len; a linear skb is just cut. Otherwise:
 *  - a cloned skb is first given a private Data (pskb_expand_head(0, 0));
 *  - frags wholly past len: page -1; the one holding the cut is shortened;
 *    a cut inside the frags drops the whole frag_list (each member -1);
 *    a cut inside the frag_list drops the members after it and trims the
 *    one it falls in;
 *  - 6.1, no socket: if the paged bytes left fit behind the tail and the
 *    skb is not cloned, skb_condense() pulls them in (pages put; the
 *    zero-copy callback runs with success false when data_len reaches 0)
 *    and resets truesize.
 */
import { outOfRange } from "../model/events";
import { profile } from "../model/kernel";
import { headlen, shinfo, skbCloned, skbOf, tailSpace } from "../model/lookup";
import type { Tx } from "../model/tx";
import { skbFragUnref } from "../kernel/page_pool";
import type { Frag, SkbId } from "../model/types";
import { pullTail } from "./__pskb_pull_tail";

import { kfreeSkbRef } from "./kfree_skb";
import { kernelClone } from "./skb_clone";
import * as kernel from "../kernel/skbuff";
import { fuzzSkbLen } from "./__pskb_pull_tail";
import { cutPoints, defineOp, int, ref, step } from "./spec";

export function trim(tx: Tx, name: string, len: number, fn = "pskb_trim"): void {
  let skb = skbOf(tx, name, fn);
  if (len < 0) outOfRange(fn, "len", len, 0, "is negative");
  if (len >= skb.len) return;
  if (skb.data_len === 0) {
    tx.set("skbs", name, { ...skb, len });
    return;
  }
  if (skbCloned(tx, skb)) {
    tx.emit({ kind: "substep", fn: "___pskb_trim", text: `${name} is cloned: pskb_expand_head(${name}, 0, 0) first` });
    kernel.pskb_expand_head(tx, name, 0, 0, "___pskb_trim");
    skb = tx.get("skbs", name)!;
  }
  const data = shinfo(tx, skb);
  let offset = headlen(skb);
  const keep: Frag[] = [];
  const drop: Array<[Frag, number]> = [];
  let cutInFrags = offset >= len;
  data.frags.forEach((f, i) => {
    const end = offset + f.size;
    if (cutInFrags) drop.push([f, i]);
    else if (end < len) keep.push(f);
    else {
      keep.push({ ...f, size: len - offset });
      cutInFrags = true;
    }
    offset = end;
  });
  let frag_list = data.frag_list;
  const dropMembers: SkbId[] = [];
  if (cutInFrags) {
    dropMembers.push(...frag_list);
    frag_list = [];
  } else {
    // The cut lies in the frag_list: shared members on the way are replaced
    // by clones (the member itself consumed), the one holding the cut is
    // trimmed, the rest dropped.
    const kept: SkbId[] = [];
    const members = [...frag_list];
    for (let j = 0; j < members.length; j++) {
      let member = skbOf(tx, members[j], fn);
      const end = offset + member.len;
      if (member.users !== 1) {
        const clone = kernelClone(tx, member);
        dropMembers.push(member.name);
        member = clone;
      }
      kept.push(member.name);
      if (end < len) {
        offset = end;
        continue;
      }
      if (end > len) trim(tx, member.name, len - offset, fn);
      dropMembers.push(...members.slice(j + 1));
      break;
    }
    frag_list = kept;
  }
  tx.set("datas", data.id, { ...shinfo(tx, skb), frags: keep, frag_list });
  // skb_frag_unref(skb, i): __skb_frag_unref(frag, skb->pp_recycle); nothing for managed frags (6.1 skbuff.h l.3523).
  if (!data.managed_frag_refs) for (const [f, i] of drop) skbFragUnref(tx, f.page, skb.pp_recycle === true, `${data.id}.frags[${i}]`);
  for (const m of dropMembers) kfreeSkbRef(tx, m, `${data.id}.frag_list`);

  skb = tx.get("skbs", name)!;
  if (len > headlen(skb)) skb = { ...skb, data_len: skb.data_len - (skb.len - len), len };
  else skb = { ...skb, len, data_len: 0 };
  tx.set("skbs", name, skb);

  if (tx.kernel === "6.1" && skb.sk === null) condense(tx, name);
}

/** skb_condense() (6.1). */
function condense(tx: Tx, name: string): void {
  let skb = tx.get("skbs", name)!;
  if (skb.data_len > 0) {
    if (skb.data_len > tailSpace(tx, skb) || skbCloned(tx, skb)) return;
    tx.emit({ kind: "substep", fn: "skb_condense", text: `the ${skb.data_len} paged bytes fit behind the tail: pull them in` });
    pullTail(tx, name, skb.data_len, "skb_condense");
    skb = tx.get("skbs", name)!;
  }
  tx.set("skbs", name, { ...skb, truesize: profile(tx.kernel).truesize(shinfo(tx, skb).end) });
}

export function pskb_trim(tx: Tx, name: string, len: number): void {
  trim(tx, name, len);
}

// --- the registry's entries ----------------------------------------------------

export const pskb_trim_spec = defineOp({
  fn: "pskb_trim",
  params: ["skb", "int"],
  names: ["skb", "len"],
  ctypes: [null, "unsigned int"],
  result: null,
  summary: "cut to len bytes",
  group: "reshape",
  opcode: 27,
  docs: [{ call: "pskb_trim(a, len)", models: "`pskb_trim()` (6.1: with `skb_condense()` for an skb without a socket)" }],
  search: {
    role: "root",
    order: 10,
    steps: (m, fn) =>
      m.free.flatMap((s) => {
        const d = m.dataOf(s);
        return d
          ? cutPoints(s, d)
              .filter((len) => len < s.len)
              .map((len) => step(fn, [ref(s.name), int(len)]))
          : [];
      }),
  },
  fuzz: fuzzSkbLen,
  form: { len: (f) => Math.floor((f.skb?.len ?? 0) / 2) },
  oracle: "pskb_trim",
  run: (tx, _r, a) => pskb_trim(tx, a[0], a[1]),
});
