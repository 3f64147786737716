/**
 * Attaching pages and skbs to a Data: skb_fill_page_desc, skb_add_rx_frag,
 * and the frag_list link (skb_frag_add_head).
 *
 * Models include/linux/skbuff.h skb_fill_page_desc() (6.1 l.2504; 2.6.32
 * l.1064) and net/core/skbuff.c skb_add_rx_frag() (6.1 l.712; 2.6.32
 * l.281). Neither takes a page reference: the caller's reference is handed
 * over to the descriptor. The trace's skb_fill_page_desc also does the
 * caller's len/data_len/truesize update, as every caller does.
 * skb_frag_add_head (2.6.32 skbuff.h l.1728; open-coded in 6.1, e.g.
 * skb_gro_receive) puts an skb at the head of the frag_list; the caller's
 * reference on it becomes the list's.
 */
import { outOfRange, precondition } from "../model/events";
import { PAGE_SIZE, profile } from "../model/kernel";
import { pageOf, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { takeCallerRef } from "./alloc_page";

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
  if (data.head_stolen) precondition(fn, `${name}'s head was stolen by skb_try_coalesce`);
  takeCallerRef(tx, page.name);
  tx.set("datas", data.id, { ...data, frags: [...data.frags, { page: page.name, offset: off, size }] });
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
