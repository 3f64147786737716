// SPDX-License-Identifier: GPL-2.0-only
/**
 * Attaching pages and skbs to a Data: skb_fill_page_desc, skb_add_rx_frag,
 * and the frag_list link (skb_frag_add_head).
 *
 * Models include/linux/skbuff.h skb_fill_page_desc() (6.1 l.2504; 2.6.32
 * l.1064) and net/core/skbuff.c skb_add_rx_frag() (6.1 l.712; 2.6.32
 * l.281). Neither takes a page reference: the caller's reference is handed
 * over to the descriptor. The trace's skb_fill_page_desc also does the
 * caller's len/data_len/truesize update, as every caller does, and, on an
 * skb whose frags are managed (io_send_zc), the caller's
 * skb_zcopy_downgrade_managed() first (skb_append_pagefrags l.4001).
 * skb_frag_add_head (2.6.32 skbuff.h l.1728; open-coded in 6.1, e.g.
 * skb_gro_receive) puts an skb at the head of the frag_list; the caller's
 * reference on it becomes the list's.
 */
import { outOfRange, precondition } from "../model/events";
import { PAGE_SIZE, profile } from "../model/kernel";
import { pageOf, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { refuseRingPage, takeCallerRef } from "./alloc_page";
import * as kernel from "../kernel/skbuff";
import type { PageId, SkbId } from "../model/types";
import { defineOp, int, op, ref, type FuzzCtx, type FuzzSpec } from "./spec";

function attach(tx: Tx, fn: string, name: string, i: number, pageName: string, off: number, size: number, truesize: number): void {
  const skb = skbOf(tx, name, fn);
  const page = pageOf(tx, pageName, fn);
  const data = shinfo(tx, skb);
  const max = profile(tx.kernel).MAX_SKB_FRAGS;
  // i == nr_frags, skb uncloned: caller contracts fill-at-nr-frags, fill-uncloned (contracts.ts).
  if (i >= max) outOfRange(fn, "i", i, max - 1, "is past MAX_SKB_FRAGS");
  if (off < 0 || size <= 0 || off + size > PAGE_SIZE) {
    outOfRange(fn, "off + size", off + size, PAGE_SIZE, "must lie within one 4 KiB page (compound pages are not modelled)");
  }
  if (page.freed) precondition(fn, `${pageName} went back to the page allocator`);
  refuseRingPage(tx, page.name, fn);
  if (data.head_stolen) precondition(fn, `${name}'s head was stolen by skb_try_coalesce`);
  // A caller adding a referenced page to an skb whose frags may be managed
  // downgrades them first (6.1 skb_append_pagefrags l.4001,
  // tcp_sendmsg_locked tcp.c l.1380, __ip_append_data ip_output.c l.1231):
  // a managed Data would never put the new frag's reference.
  if (data.managed_frag_refs) kernel.skb_zcopy_downgrade_managed(tx, skb, fn);
  takeCallerRef(tx, page.name);
  const cur = shinfo(tx, skb);
  tx.set("datas", data.id, { ...cur, frags: [...cur.frags, { page: page.name, offset: off, size }] });
  tx.set("skbs", name, { ...skb, len: skb.len + size, data_len: skb.data_len + size, truesize: skb.truesize + truesize });
}

export function skb_fill_page_desc(tx: Tx, name: string, i: number, page: string, off: number, size: number): void {
  attach(tx, "skb_fill_page_desc", name, i, page, off, size, size);
}

export function skb_add_rx_frag(tx: Tx, name: string, i: number, page: string, off: number, size: number, truesize: number): void {
  attach(tx, "skb_add_rx_frag", name, i, page, off, size, tx.kernel === "6.1" ? truesize : size);
}

export function skb_frag_add_head(tx: Tx, name: string, memberName: string): void {
  const skb = skbOf(tx, name, "skb_frag_add_head");
  const member = skbOf(tx, memberName, "skb_frag_add_head");
  // Caller contract frag-list-own (contracts.ts): another skb, on no frag_list, own Data.
  const data = shinfo(tx, skb);
  tx.set("datas", data.id, { ...data, frag_list: [member.name, ...data.frag_list] });
  tx.set("skbs", name, {
    ...skb,
    len: skb.len + member.len,
    data_len: skb.data_len + member.len,
    truesize: skb.truesize + member.truesize,
  });
}

// --- the registry's entries ----------------------------------------------------

/** The owner's pages come in the search's prefix; the menu's steps are the kernel's, which attach none of the caller's own. */
const ATTACH = "attaching pages is the trace's setup (the search's prefix); a step attaching a page of the caller's own needs get_page, the owner's move";

/** Attach a live page at nr_frags, taking the caller's reference first when it holds none. */
const attachFuzz = (weight: number, withTruesize: boolean): FuzzSpec => ({
  weight,
  callerRef: 2,
  make: (c: FuzzCtx, d, fn) => {
    const s = c.skbArg(d[1]);
    const p = c.page(d[2]);
    if (!s || !p || s.kind !== "ref") return null;
    const name = s.index === undefined ? s.name : `${s.name}[${s.index}]`;
    const skb = c.state.skbs.get(name as SkbId);
    const data = skb ? c.state.datas.get(skb.head) : undefined;
    const size = [96, 1000, 2048][d[4] % 3];
    const args = [s, int(data?.frags.length ?? 0), ref(p), int([0, 100, 2048][d[3] % 3]), int(size)];
    const attach = op(fn, withTruesize ? [...args, int(size + [0, 256][d[4] % 2])] : args);
    // The descriptor takes over a reference the caller holds: take one first.
    return c.state.pages.get(p as PageId)!.caller > 0 ? attach : [op("get_page", [ref(p)]), attach];
  },
});

export const skb_fill_page_desc_spec = defineOp({
  fn: "skb_fill_page_desc",
  params: ["skb", "int", "page", "int", "int"],
  names: ["skb", "i", "page", "off", "size"],
  ctypes: [null, "int", null, "int", "int"],
  result: null,
  summary: "attach a page as frags[i] (the caller's reference is handed over)",
  group: "allocate",
  opcode: 11,
  docs: [
    {
      call: "skb_fill_page_desc(a, i, p, off, size)",
      models:
        "`skb_fill_page_desc()` **plus the caller's update** `len += size; data_len += size; truesize += size`, as every caller does. Takes no page reference: the caller's reference is handed over. `i` must be `nr_frags`.",
    },
  ],
  search: { notSearchable: ATTACH },
  fuzz: attachFuzz(4, false),
  form: { i: (f) => f.skb?.nr_frags ?? 0, size: 4096 },
  oracle: "skb_fill_page_desc",
  run: (tx, _r, a) => skb_fill_page_desc(tx, a[0], a[1], a[2], a[3], a[4]),
});

export const skb_add_rx_frag_spec = defineOp({
  fn: "skb_add_rx_frag",
  params: ["skb", "int", "page", "int", "int", "int"],
  names: ["skb", "i", "page", "off", "size", "truesize"],
  ctypes: [null, "int", null, "int", "int", "unsigned int"],
  result: null,
  summary: "attach a received page as frags[i]",
  group: "allocate",
  opcode: 12,
  docs: [
    {
      call: "skb_add_rx_frag(a, i, p, off, size, truesize)",
      models: "`skb_add_rx_frag()`: a driver attaches a received page (the caller's reference is handed over)",
    },
  ],
  search: { notSearchable: ATTACH },
  fuzz: attachFuzz(2, true),
  form: { i: (f) => f.skb?.nr_frags ?? 0, size: 4096, truesize: 4096 },
  oracle: "skb_add_rx_frag",
  run: (tx, _r, a) => skb_add_rx_frag(tx, a[0], a[1], a[2], a[3], a[4], a[5]),
});

export const skb_frag_add_head_spec = defineOp({
  fn: "skb_frag_add_head",
  params: ["skb", "skb"],
  names: ["skb", "frag"],
  ctypes: [null, null],
  result: null,
  summary: "put an skb at the head of the frag_list",
  group: "allocate",
  opcode: 13,
  docs: [
    {
      call: "skb_frag_add_head(a, b)",
      models: "put skb `b` at the head of `a`'s `frag_list` (the caller's reference on `b` goes to the list) plus the caller's `len`, `data_len` update",
    },
  ],
  search: { notSearchable: "frag_list skbs are built by the trace's setup (GRO's); the checker's reach through frag_list is another issue's work" },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      const member = c.freeable(d[2]);
      return s && member ? { fn, args: [s, ref(member)] } : null;
    },
  },
  oracle: "skb_frag_add_head",
  run: (tx, _r, a) => skb_frag_add_head(tx, a[0], a[1]),
});
