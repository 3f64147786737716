// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_gro_receive - GRO merges a received skb into the packet it holds, p,
 * and napi_skb_finish() does the caller's part.
 *
 * Models net/core/gro.c: skb_gro_receive() (6.1 l.150-300) with
 * napi_skb_finish() (net/core/gro.c, GRO_MERGED_FREE: the merged skb is
 * freed; a stolen head only drops the struct, napi_skb_free_stolen_head()).
 * The trace's skbs carry no protocol headers, so skb_gro_offset(skb) = 0.
 * Refused, nothing changes (the skb goes up the stack as it is):
 *   -ETOOMANYREFS: p->pp_recycle != skb->pp_recycle (gro.c l.171);
 *   -ETOOMANYREFS: skb_zcopy(p) || skb_zcopy(skb) (6.1.176, "net: gro:
 *     don't merge zcopy skbs", catalogue id gro-refuse-zcopy);
 *   -E2BIG: p->len + len >= gro_max_size (GRO_LEGACY_MAX_SIZE, 65536).
 * headlen == 0: skb's frag descriptors move to lp (p, or the last skb on
 *   p's frag_list), no page count change; skb is then freed (its Data has
 *   no frags left; a ubuf on it gets its callback there).
 * headlen > 0 and head_frag: the head page becomes lp's next frag (the
 *   reference moves: the head is stolen) and skb's frags follow; only the
 *   struct is freed, the shinfo in the stolen head is not released.
 * Otherwise (or past MAX_SKB_FRAGS): skb goes on p's frag_list (appended
 *   after lp), __skb_header_release(skb) (dataref 0x10001, nohdr), its
 *   destructor and sk are dropped without running (ownership moves to p);
 *   p's frag_list now holds the caller's reference.
 * Always p->len, data_len += len; truesize += delta as the kernel
 *   computes it; lp's too when lp is not p.
 * Preconditions (the driver's fresh receive skbs; the kernel checks
 *   none): p and skb differ, neither is cloned or shared, skb is on no
 *   frag_list.
 * Not modelled: pp_recycle (no page_pool in the model), NAPI_GRO_CB
 *   flush/count, the IPv6 BIG TCP exception past 64 KiB.
 */
import { fixed } from "../fixes/fixed";
import { precondition } from "../model/events";
import { profile } from "../model/kernel";
import { headlen, shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag, Skb } from "../model/types";
import { __skb_header_release } from "./skb_clone";
import { freeSkbNow } from "./kfree_skb";
import { kfree_skb_partial } from "./skb_try_coalesce";
import { defineOp, ref, step } from "./spec";

/** GRO_LEGACY_MAX_SIZE, the default gro_max_size (include/linux/netdevice.h). */
const GRO_MAX_SIZE = 65536;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)): what a stolen-head skb still weighs. */
const SKB_STRUCT_TRUESIZE = 256;

export function skb_gro_receive(tx: Tx, pName: string, skbName: string): void {
  const p = skbOf(tx, pName, "skb_gro_receive");
  const skb = skbOf(tx, skbName, "skb_gro_receive");
  checkPreconditions(tx, p, skb);
  const len = skb.len;
  // net/core/gro.c l.171: never splice page_pool and other pages together.
  if (!!p.pp_recycle !== !!skb.pp_recycle) return result(tx, "-ETOOMANYREFS (pp_recycle differs)");
  if ((shinfo(tx, p).zcopy || shinfo(tx, skb).zcopy) && fixed(tx, "gro-refuse-zcopy")) return result(tx, "-ETOOMANYREFS (zero-copy skb)");
  if (p.len + len >= GRO_MAX_SIZE) return result(tx, `-E2BIG (${p.len} + ${len} >= gro_max_size ${GRO_MAX_SIZE})`);

  const pinfo = shinfo(tx, p);
  const lp = lastOf(tx, p);
  const lpData = shinfo(tx, lp);
  const skbinfo = shinfo(tx, skb);
  const max = profile(tx.kernel).MAX_SKB_FRAGS;
  const hl = headlen(skb);

  if (hl === 0 && lpData.frags.length + skbinfo.frags.length <= max) {
    tx.emit({ kind: "substep", fn: "skb_gro_receive", text: `${skbName}'s ${skbinfo.frags.length} frags move to ${lp.name}` });
    tx.set("datas", lpData.id, { ...tx.get("datas", lpData.id)!, frags: [...lpData.frags, ...skbinfo.frags] });
    tx.set("datas", skbinfo.id, { ...skbinfo, frags: [] });
    const newTruesize = profile(tx.kernel).truesize(skbinfo.end);
    const delta = skb.truesize - newTruesize;
    tx.set("skbs", skbName, { ...skb, truesize: newTruesize, len: skb.len - skb.data_len, data_len: 0 });
    grow(tx, p, lp, len, delta, skbinfo.shared_frag);
    result(tx, "0, NAPI_GRO_FREE");
    tx.emit({ kind: "substep", fn: "napi_skb_finish", text: `GRO_MERGED_FREE: ${skbName} is freed` });
    freeSkbNow(tx, tx.get("skbs", skbName)!);
    return;
  }
  if (hl > 0 && skb.head_frag && lpData.frags.length + 1 + skbinfo.frags.length <= max) {
    // first_offset = skb->data - page_address(page) + offset
    const head: Frag = { page: skbinfo.head_page!, offset: skbinfo.head_offset + skb.data, size: hl };
    tx.emit({ kind: "substep", fn: "skb_gro_receive", text: `${skbName}'s head page ${head.page} becomes a frag of ${lp.name} (head stolen), then its frags` });
    tx.set("datas", lpData.id, { ...tx.get("datas", lpData.id)!, frags: [...lpData.frags, head, ...skbinfo.frags] });
    tx.set("datas", skbinfo.id, { ...skbinfo, frags: [], head_page: null, head_stolen: true });
    const delta = skb.truesize - SKB_STRUCT_TRUESIZE;
    tx.set("skbs", skbName, { ...skb, truesize: SKB_STRUCT_TRUESIZE });
    grow(tx, p, lp, len, delta, skbinfo.shared_frag);
    result(tx, "0, NAPI_GRO_FREE_STOLEN_HEAD");
    tx.emit({ kind: "substep", fn: "napi_skb_free_stolen_head", text: `only the struct of ${skbName} is freed` });
    kfree_skb_partial(tx, skbName, true);
    return;
  }
  // merge: onto p's frag_list, after lp.
  tx.emit({ kind: "substep", fn: "skb_gro_receive", text: `${skbName} goes on ${pName}'s frag_list; its destructor and sk move to ${pName} without running` });
  tx.set("skbs", skbName, { ...skb, destructor: null, sk: null });
  const cur = tx.get("datas", pinfo.id)!;
  tx.set("datas", pinfo.id, { ...cur, frag_list: [...cur.frag_list, skb.name] });
  __skb_header_release(tx, skbName);
  grow(tx, p, p, len, skb.truesize, skbinfo.shared_frag);
  result(tx, "0, on the frag_list");
}

function checkPreconditions(tx: Tx, p: Skb, skb: Skb): void {
  if (p.name === skb.name) precondition("skb_gro_receive", "p and skb are the same skb");
  for (const s of [p, skb]) {
    if (skbCloned(tx, s) || skbShared(s)) precondition("skb_gro_receive", `${s.name} is cloned or shared; GRO holds a driver's fresh skbs`);
  }
  for (const d of tx.all("datas").values()) {
    if (d.frag_list.includes(skb.name)) precondition("skb_gro_receive", `${skb.name} is already on the frag_list of ${d.id}`);
  }
}

/** NAPI_GRO_CB(p)->last: p, or the last skb on p's frag_list. */
function lastOf(tx: Tx, p: Skb): Skb {
  const list = shinfo(tx, p).frag_list;
  return list.length ? skbOf(tx, list[list.length - 1], "skb_gro_receive") : p;
}

/**
 * The done: label: p (and lp) grow by len and the truesize delta, and take
 * skb's SKBFL_SHARED_FRAG (gro.c 6.1 l.288, l.293).
 */
function grow(tx: Tx, p: Skb, lp: Skb, len: number, delta: number, shared: boolean): void {
  const pNow = tx.get("skbs", p.name)!;
  tx.set("skbs", p.name, { ...pNow, len: pNow.len + len, data_len: pNow.data_len + len, truesize: pNow.truesize + delta });
  markShared(tx, pNow, shared);
  if (lp.name !== p.name) {
    const l = tx.get("skbs", lp.name)!;
    tx.set("skbs", lp.name, { ...l, len: l.len + len, data_len: l.data_len + len, truesize: l.truesize + delta });
    markShared(tx, l, shared);
  }
}

/** skb_shinfo(s)->flags |= skbinfo->flags & SKBFL_SHARED_FRAG. */
function markShared(tx: Tx, s: Skb, shared: boolean): void {
  const d = shinfo(tx, s);
  if (shared && !d.shared_frag) tx.set("datas", d.id, { ...d, shared_frag: true });
}

function result(tx: Tx, value: string): void {
  tx.emit({ kind: "result", fn: "skb_gro_receive", value });
}

// --- the registry's entries ----------------------------------------------------

export const skb_gro_receive_spec = defineOp({
  fn: "skb_gro_receive",
  params: ["skb", "skb"],
  names: ["p", "skb"],
  // int skb_gro_receive(struct sk_buff *p, struct sk_buff *skb) (6.1 net/core/gro.c l.150): no integer.
  ctypes: [null, null],
  result: null,
  history: "GRO came in 2.6.29; 6.1 has it in net/core/gro.c",
  kernels: ["6.1"],
  summary: "GRO merges skb into the held packet p (frags, stolen head or frag_list)",
  group: "reshape",
  opcode: 49,
  docs: [
    {
      call: "skb_gro_receive(p, a)",
      models:
        "6.1 only: GRO merges `a` into the held packet `p` (`net/core/gro.c`): frags move (then `a` is freed), a page-fragment head is stolen (only the struct goes), or `a` goes on `p`'s frag_list; refuses zero-copy skbs (6.1.176) and past 64 KiB",
    },
  ],
  search: {
    role: "root",
    order: 20,
    // GRO holds a driver's fresh skbs: neither cloned nor shared. Only the
    // paths that free the merged skb: one left on p's frag_list would be
    // offered to kfree_skb while p still links it, as no frag_list member
    // is elsewhere in the menu.
    steps: (m, fn) =>
      m.free.flatMap((t) =>
        m.free
          .filter((s) => t.name !== s.name && t.users === 1 && s.users === 1 && m.dataOf(t)?.dataref === 1 && m.dataOf(s)?.dataref === 1)
          .filter((s) => s.len === s.data_len || s.head_frag)
          .map((s) => step(fn, [ref(t.name), ref(s.name)])),
      ),
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const p = c.skbArg(d[1]);
      const s = c.skbArg(d[2]);
      return p && s && c.state.kernel === "6.1" ? { fn, args: [p, s] } : null;
    },
  },
  oracle: { notRecordable: "not exported in 6.1; reached only through napi_gro_receive" },
  run: (tx, _r, a) => skb_gro_receive(tx, a[0], a[1]),
});
