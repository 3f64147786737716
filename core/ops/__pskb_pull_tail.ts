// SPDX-License-Identifier: GPL-2.0-only
/**
 * __pskb_pull_tail, pskb_may_pull, skb_linearize: move paged bytes into the
 * linear area.
 *
 * Models net/core/skbuff.c __pskb_pull_tail() (6.1 l.2390; 2.6.32 l.1182)
 * and include/linux/skbuff.h pskb_may_pull() (6.1 l.2696), skb_linearize()
 * (6.1 l.3805; 2.6.32 l.1637).
 * Sub-steps, in kernel order:
 *  1. If the tail room is short or the skb is cloned: pskb_expand_head(skb,
 *     0, short ? shortfall + 128 : 0) — under 2.6.32 an uncloned skb's old
 *     Data is fully released here (the seed patch's release() fires).
 *  2. skb_copy_bits(): the bytes are read from the frag pages (BUG if
 *     delta > data_len).
 *  3. frag_list members eaten whole are consume_skb()'d; one eaten in part
 *     is pulled in place.
 *  4. Frags eaten whole: page -1 (skb_frag_unref); one eaten in part is
 *     shifted; the rest compacted.
 *  5. tail += delta, data_len -= delta; 6.1: when data_len reaches 0,
 *     skb_zcopy_clear(skb, false) — the ubuf callback with success false.
 */
import { kernelCheck } from "../model/events";
import { headlen, shinfo, skbCloned, skbOf, tailSpace } from "../model/lookup";
import type { Tx } from "../model/tx";
import { skbFragUnref } from "../kernel/page_pool";
import type { Data, Frag, Skb } from "../model/types";

import { kfreeSkbRef } from "./kfree_skb";
import { kernelClone } from "./skb_clone";
import * as kernel from "../kernel/skbuff";
import { cutPoints, defineOp, eachFreeWhere, fuzzOneSkb, int, ref, step, type FuzzSpec } from "./spec";

/** Returns false where the kernel returns NULL. */
export function pullTail(tx: Tx, name: string, delta: number, fn = "__pskb_pull_tail"): void {
  let skb = skbOf(tx, name, fn);
  if (delta < 0) kernelCheck(fn, "delta >= 0", `delta ${delta}`);
  if (delta > skb.data_len) {
    kernelCheck("__pskb_pull_tail", "BUG_ON(skb_copy_bits(...))", `only ${skb.data_len} paged bytes, ${delta} asked`);
  }
  const eat = delta - tailSpace(tx, skb);
  if (eat > 0 || skbCloned(tx, skb)) {
    tx.emit({
      kind: "substep",
      fn,
      text: eat > 0 ? `tail room short by ${eat}: expand first (+${eat + 128})` : `${name} is cloned: unclone first`,
    });
    kernel.pskb_expand_head(tx, name, 0, eat > 0 ? eat + 128 : 0, fn);
    skb = tx.get("skbs", name)!;
  }
  readRange(tx, skb, headlen(skb), delta, `${fn}(${name})`);

  let data = shinfo(tx, skb);
  const inFrags = data.frags.reduce((n, f) => n + f.size, 0);
  if (delta > inFrags && data.frag_list.length > 0) {
    pullFragList(tx, data, delta - inFrags, fn);
    data = shinfo(tx, tx.get("skbs", name)!);
  }

  // pull_pages: drop what was eaten from the frags.
  let left = delta;
  const frags: Frag[] = [];
  const dropped: Array<[Frag, number]> = [];
  data.frags.forEach((f, i) => {
    if (f.size <= left) {
      dropped.push([f, i]);
      left -= f.size;
    } else {
      frags.push(left > 0 ? { ...f, offset: f.offset + left, size: f.size - left } : f);
      left = 0;
    }
  });
  tx.set("datas", data.id, { ...data, frags });
  // skb_frag_unref(skb, i): __skb_frag_unref(frag, skb->pp_recycle); nothing for managed frags (6.1 skbuff.h l.3523).
  if (!data.managed_frag_refs) for (const [f, i] of dropped) skbFragUnref(tx, f.page, skb.pp_recycle === true, `${data.id}.frags[${i}]`);

  skb = tx.get("skbs", name)!;
  const after: Skb = { ...skb, data_len: skb.data_len - delta };
  tx.set("skbs", name, after);
  if (tx.kernel === "6.1" && after.data_len === 0) kernel.skb_zcopy_clear(tx, after, false);
}

/**
 * The frag_list part of __pskb_pull_tail (6.1 l.2428-2478): members eaten
 * whole are consume_skb()'d; one eaten in part is pulled in place, or, if
 * shared, cloned and the clone pulled and put at the head of the list.
 */
function pullFragList(tx: Tx, data: Data, eat: number, fn: string): void {
  const list = data.frag_list;
  let j = 0;
  let insp = 0;
  let clone: Skb | null = null;
  while (eat > 0 && j < list.length) {
    tx.spend();
    const member = skbOf(tx, list[j], fn);
    if (member.len <= eat) {
      eat -= member.len;
      insp = ++j;
      continue;
    }
    if (member.users !== 1) {
      tx.emit({ kind: "substep", fn, text: `${member.name} is shared: pull a clone of it instead` });
      clone = kernelClone(tx, member);
      insp = j + 1;
    } else {
      insp = j;
    }
    pskbPull(tx, (clone ?? member).name, eat, fn);
    break;
  }
  const cur = tx.get("datas", data.id)!;
  tx.set("datas", data.id, { ...cur, frag_list: [...(clone ? [clone.name] : []), ...list.slice(insp)] });
  for (const m of list.slice(0, insp)) kfreeSkbRef(tx, m, `${data.id}.frag_list`);
}

/** pskb_pull(): pskb_may_pull then advance data (frag_list members). */
function pskbPull(tx: Tx, name: string, n: number, fn: string): void {
  mayPull(tx, name, n, fn);
  const skb = tx.get("skbs", name)!;
  tx.set("skbs", name, { ...skb, data: skb.data + n, len: skb.len - n });
}

function mayPull(tx: Tx, name: string, len: number, fn: string): boolean {
  const skb = skbOf(tx, name, fn);
  if (len <= headlen(skb)) return true;
  if (len > skb.len) return false;
  pullTail(tx, name, len - headlen(skb), fn);
  return true;
}

/** skb_copy_bits() over [offset, offset + len): which pages are read. */
function readRange(tx: Tx, skb: Skb, offset: number, len: number, by: string): void {
  const data = shinfo(tx, skb);
  let at = headlen(skb);
  for (const f of data.frags) {
    if (at < offset + len && at + f.size > offset) tx.emit({ kind: "read", page: f.page, by });
    at += f.size;
  }
  for (const m of data.frag_list) {
    const member = tx.get("skbs", m);
    if (!member) continue;
    if (at < offset + len && at + member.len > offset) {
      readRange(tx, member, Math.max(0, offset - at), Math.min(member.len, offset + len - at), by);
    }
    at += member.len;
  }
}

export function __pskb_pull_tail(tx: Tx, name: string, delta: number): void {
  pullTail(tx, name, delta);
}

export function pskb_may_pull(tx: Tx, name: string, len: number): void {
  const ok = mayPull(tx, name, len, "pskb_may_pull");
  tx.emit({ kind: "result", fn: "pskb_may_pull", value: ok ? "true" : "false" });
}

export function skb_linearize(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "skb_linearize");
  if (skb.data_len === 0) return;
  pullTail(tx, name, skb.data_len, "skb_linearize");
}

// --- the registry's entries ----------------------------------------------------

/** A length within the skb: pulls and trims. */
export const fuzzSkbLen: FuzzSpec = {
  weight: 2,
  make: (c, d, fn) => {
    const s = c.skbArg(d[1]);
    return s ? { fn, args: [s, int(c.within(c.lenOf(s), d[2]))] } : null;
  },
};

export const __pskb_pull_tail_spec = defineOp({
  fn: "__pskb_pull_tail",
  params: ["skb", "int"],
  names: ["skb", "delta"],
  ctypes: [null, "int"],
  result: null,
  summary: "copy paged bytes into the linear area",
  group: "reshape",
  opcode: 24,
  docs: [{ call: "__pskb_pull_tail(a, delta)", models: "`__pskb_pull_tail()`: copy paged bytes into the linear area" }],
  search: {
    role: "root",
    order: 8,
    // Deltas that end at a cut point past the linear part.
    steps: (m, fn) =>
      m.free.flatMap((s) => {
        const d = m.dataOf(s);
        if (!d || s.data_len === 0) return [];
        const hl = headlen(s);
        return cutPoints(s, d)
          .filter((c) => c > hl && c - hl <= s.data_len)
          .map((c) => step(fn, [ref(s.name), int(c - hl)]));
      }),
  },
  fuzz: fuzzSkbLen,
  form: { delta: (f) => Math.min(64, f.skb?.data_len ?? 0) },
  oracle: "__pskb_pull_tail",
  run: (tx, _r, a) => __pskb_pull_tail(tx, a[0], a[1]),
});

export const pskb_may_pull_spec = defineOp({
  fn: "pskb_may_pull",
  params: ["skb", "int"],
  names: ["skb", "len"],
  ctypes: [null, "unsigned int"],
  result: null,
  summary: "make len bytes linear",
  group: "reshape",
  opcode: 25,
  docs: [{ call: "pskb_may_pull(a, len)", models: "`pskb_may_pull()`: make `len` bytes linear" }],
  search: { notSearchable: "it only calls __pskb_pull_tail(), which the menu tries at every cut point" },
  fuzz: fuzzSkbLen,
  form: { len: (f) => Math.min(f.skb?.len ?? 0, (f.skb?.headlen ?? 0) + 64) },
  oracle: "pskb_may_pull",
  run: (tx, _r, a) => pskb_may_pull(tx, a[0], a[1]),
});

export const skb_linearize_spec = defineOp({
  fn: "skb_linearize",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  summary: "make everything linear",
  group: "reshape",
  opcode: 26,
  docs: [{ call: "skb_linearize(a)", models: "`skb_linearize()`: make everything linear" }],
  search: { role: "root", order: 9, steps: eachFreeWhere((s) => s.data_len > 0) },
  fuzz: fuzzOneSkb(1),
  oracle: "skb_linearize",
  run: (tx, _r, a) => skb_linearize(tx, a[0]),
});
