// SPDX-License-Identifier: GPL-2.0-only
/**
 * io_send_zc - IORING_OP_SEND_ZC from a registered buffer
 * (IORING_RECVSEND_FIXED_BUF) on a TCP socket, whose tail skb is `a`.
 *
 * Models io_uring/net.c io_send_zc() (6.1 l.1120-1216) with
 * io_sg_from_iter() (l.1069-1118), io_uring/notif.c io_alloc_notif()
 * (l.48-72) and io_notif_flush() (l.74-83), and net/ipv4/tcp.c
 * tcp_sendmsg_locked() (l.1241-1243 net_zcopy_get, l.1403-1416 the
 * zero-copy branch, l.1469 net_zcopy_put) through
 * net/core/skbuff.c skb_zerocopy_iter_stream() (l.1473-1500).
 *
 * Notif: a new io_uring notification ubuf_info (kind "io-notif", refcnt
 *   1, SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN); the send takes one (2).
 * Flags: a's Data gets SKBFL_PURE_ZEROCOPY when a->len was 0 (tcp.c
 *   l.1407), and SKBFL_MANAGED_FRAG_REFS when it had no frags (net.c
 *   l.1079-1080).
 * Frag: p[off, off+len) becomes frags[nr_frags]. A managed Data's frag
 *   takes no page reference (__skb_fill_page_desc_noacc); a Data with
 *   frags that is not managed takes the generic path
 *   (__zerocopy_sg_from_iter), whose frag takes one (page +1).
 *   len, data_len += len; truesize += PAGE_ALIGN(off + len).
 * Pin: the registered buffer pins p (io_sqe_buffers_register); the pin is
 *   the caller's reference, handed to the notif, which keeps it until it
 *   completes (its rsrc node). The caller must hold one.
 * skb_zcopy_set: the Data joins the notif (3) unless already zero-copy.
 * Then net_zcopy_put (2) and io_notif_flush (1): the Data holds the last.
 * The notification CQE comes at refcnt 0 (io_notif_complete), under the
 * io-uring-notif policy; under another the owner hears by that policy
 * (page-refs: when the pin goes), and the notif is silent.
 * Preconditions (io_uring/tcp guarantee them): a unshared and uncloned
 * (the unsent tail of the write queue) and not zero-copy yet (another
 * uarg: -EEXIST, a new skb), p a live guest page (user memory) with a
 * caller reference, 0 < len, off + len within the page, a free frag slot.
 */
import { outOfRange, precondition } from "../model/events";
import { PAGE_SIZE, profile } from "../model/kernel";
import { pageOf, shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { BufferId, PageId } from "../model/types";
import { ioSendNotif } from "../policy/io-uring-notif";
import { completionPolicy } from "../policy/registry";
import { pageGet, takeCallerRef } from "./alloc_page";
import { defineOp, int, op, ref } from "./spec";

export function io_send_zc(tx: Tx, name: string, pageName: string, off: number, len: number): void {
  const fn = "io_send_zc";
  const skb = skbOf(tx, name, fn);
  const page = pageOf(tx, pageName, fn);
  if (skbShared(skb) || skbCloned(tx, skb)) precondition(fn, `${name} is shared or cloned; tcp_sendmsg_locked appends to the unsent tail skb only`);
  if (page.owner !== "guest") precondition(fn, `${pageName} is a host page; a registered buffer is the user's memory (alloc_page(guest))`);
  if (page.freed) precondition(fn, `${pageName} went back to the page allocator`);
  if (page.caller < 1) precondition(fn, `the registered buffer's pin is the caller's reference on ${pageName}, and it holds none (get_page first)`);
  if (off < 0 || len <= 0 || off + len > PAGE_SIZE) outOfRange(fn, "off + len", off + len, PAGE_SIZE, "must lie within one 4 KiB page");
  const data = shinfo(tx, skb);
  if (data.frags.length >= profile(tx.kernel).MAX_SKB_FRAGS)
    outOfRange(fn, "nr_frags", data.frags.length, profile(tx.kernel).MAX_SKB_FRAGS - 1, "has no free frag slot (-EMSGSIZE)");
  if (data.head_stolen) precondition(fn, `${name}'s head was stolen by skb_try_coalesce`);
  // skb_zerocopy_iter_stream() l.1483: an skb points to one uarg; with
  // another, -EEXIST and tcp_sendmsg_locked() starts a new skb.
  if (data.zcopy) precondition(fn, `${name} already carries ${data.zcopy.ubuf}: skb_zerocopy_iter_stream returns -EEXIST, TCP starts a new skb`);

  const n = tx.counters.buffer + 1;
  tx.counters = { ...tx.counters, buffer: n };
  const buffer = `z${n}` as BufferId;
  tx.set("buffers", buffer, { id: buffer, skb: skb.name, pages: [page.name], armedAt: tx.step, completions: [] });
  takeCallerRef(tx, page.name);
  tx.emit({ kind: "substep", fn: "io_sqe_buffers_register", text: `the registered buffer pins ${pageName}: the caller's reference goes to the notification` });

  const silent = !completionPolicy(tx.policy).hearsIoNotif;
  ioSendNotif(tx, { name, skb, data, buffer }, { pins: [page.name], silent, fill: () => fill(tx, name, page.name, off, len) });
}

/** tcp_sendmsg_locked's pure flag, then io_sg_from_iter's one bvec. */
function fill(tx: Tx, name: string, page: PageId, off: number, len: number): void {
  const skb = tx.get("skbs", name)!;
  let data = shinfo(tx, skb);
  if (skb.len === 0) data = { ...data, pure_zerocopy: true };
  let managed = !!data.managed_frag_refs;
  if (data.frags.length === 0) {
    managed = true;
    data = { ...data, managed_frag_refs: true };
  }
  tx.emit({
    kind: "substep",
    fn: "io_sg_from_iter",
    text: managed
      ? `${page} becomes frags[${data.frags.length}] of ${data.id} without a page reference (SKBFL_MANAGED_FRAG_REFS)`
      : `${data.id} has frags and is not managed: __zerocopy_sg_from_iter takes a reference on ${page}`,
  });
  if (!managed) pageGet(tx, page, "__zerocopy_sg_from_iter");
  tx.set("datas", data.id, { ...data, frags: [...data.frags, { page, offset: off, size: len }] });
  const truesize = Math.ceil((off + len) / PAGE_SIZE) * PAGE_SIZE;
  tx.set("skbs", name, { ...skb, len: skb.len + len, data_len: skb.data_len + len, truesize: skb.truesize + truesize });
}

// --- the registry's entries ----------------------------------------------------

export const io_send_zc_spec = defineOp({
  fn: "io_send_zc",
  params: ["skb", "page", "int", "int"],
  names: ["skb", "page", "off", "len"],
  // bio_vec bv_offset (unsigned int), sqe->len (u32).
  ctypes: [null, null, "unsigned int", "u32"],
  result: null,
  history: "added in 6.0 (io_uring zero-copy send, managed frags)",
  kernels: ["6.1"],
  summary: "io_uring zero-copy send from a registered buffer: managed frags, a notification",
  group: "zero-copy",
  opcode: 55,
  docs: [
    {
      call: "io_send_zc(a, p, off, len)",
      models:
        "6.1 only: `IORING_OP_SEND_ZC` with a registered buffer onto tail skb `a`: a notification `ubuf_info` (`io_alloc_notif`), `p[off, off+len)` as a frag that holds **no** page reference (`SKBFL_MANAGED_FRAG_REFS` when `a` had no frags; `SKBFL_PURE_ZEROCOPY` when `a` was empty), `skb_zcopy_set`, then `io_notif_flush`. The caller's reference on `p` becomes the buffer's pin, kept by the notification until it completes",
    },
  ],
  search: { notSearchable: "attaching the user's pages is the trace's setup (the search's prefix); a send is the owner's move" },
  fuzz: {
    weight: 3,
    callerRef: 1,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      const p = c.page(d[2]);
      if (!s || !p) return null;
      const send = op(fn, [s, ref(p), int([0, 100, 2048][d[3] % 3]), int([96, 1000, 2048][d[4] % 3])]);
      // The pin is the caller's reference: take one first when it holds none.
      return c.state.pages.get(p as PageId)!.caller > 0 ? send : [op("get_page", [ref(p)]), send];
    },
  },
  form: { off: 0, len: 4096 },
  // The module cannot call io_uring: its io_send_zc builds the same skb, notif and pin with the kernel's helpers.
  oracle: "io_send_zc",
  run: (tx, _r, a) => io_send_zc(tx, a[0], a[1], a[2], a[3]),
});
