// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_splice_bits and pipe_release: pages leave the network stack.
 *
 * Models net/core/skbuff.c __skb_splice_bits(), __splice_segment(),
 * spd_fill_page(), linear_to_page() (6.1 l.2613-2790; 2.6.32 l.1373-1590)
 * and fs/splice.c splice_to_pipe() (6.1 l.181): each new entry takes a page
 * reference that a pipe_buffer then owns (nosteal_pipe_buf_ops: release =
 * put_page) until the pipe is closed. The skb itself is untouched (users,
 * dataref, frags): the pipe's references outlive it — the earlier
 * objection Tsirkin quotes in the 2009 thread: "metastasize ... e.g.
 * the VFS".
 * Linear bytes: 6.1 hands over a head_frag head's own (sub)page when the
 *   head is not locked (not cloned); otherwise, as 2.6.32 always does, they
 *   are copied into the page frag — 6.1 current->task_frag, a 32 KiB page
 *   refilled by skb_page_frag_refill() (reused from 0 when only the frag
 *   holds it), 2.6.32 sk->sk_sndmsg_page, an order-0 page — which keeps a
 *   reference of its own; each entry takes one more.
 * 6.1 extends the previous entry for an adjacent piece of the same page
 *   (spd_can_coalesce: no new reference); at most MAX_SKB_FRAGS entries a
 *   call (2.6.32: PIPE_BUFFERS = 16); splice_to_pipe puts what does not fit
 *   in the pipe's 16 slots.
 */
import { outOfRange } from "../model/events";
import { PAGE_SIZE, profile } from "../model/kernel";
import { assertNewName, headlen, pfragHolder, pipeOf, shinfo, skbCloned, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { FragCache, PageId, Pipe, PipeBuffer, PipeId, Skb } from "../model/types";
import { newKernelPage, pageGet, pagePut } from "./alloc_page";
import { defineOp, int, ref, step } from "./spec";

/** A pipe's slots (pipe->max_usage of a default pipe). */
export const PIPE_DEF_BUFFERS = 16;
const TASK_FRAG_SIZE = 32768;

interface Entry extends PipeBuffer {
  /** A head's subpage (virt_to_page): never the same page pointer as a frag's. */
  readonly sub: boolean;
}

interface Spd {
  entries: Entry[];
  max: number;
  off: number;
  len: number;
}

function fillPage(tx: Tx, spd: Spd, page: PageId, offset: number, len: number, sub: boolean): boolean {
  if (spd.entries.length === spd.max) return true;
  const last = spd.entries[spd.entries.length - 1];
  if (tx.kernel === "6.1" && last && last.page === page && last.sub === sub && last.offset + last.len === offset) {
    spd.entries[spd.entries.length - 1] = { ...last, len: last.len + len };
    return false;
  }
  pageGet(tx, page, "spd_fill_page");
  spd.entries.push({ page, offset, len, sub });
  return false;
}

/** The page frag linear bytes are copied into; null offset means "use it as is". */
function refillPfrag(tx: Tx, len: number): FragCache {
  const holder = pfragHolder(tx);
  let cache = tx.caches.pfrag;
  if (tx.kernel === "6.1") {
    // skb_page_frag_refill(32, pfrag): reuse from 0 if only the frag holds it.
    if (cache && tx.get("pages", cache.page)?.refcount === 1) cache = { ...cache, offset: 0 };
    if (cache && cache.offset + 32 <= cache.size) return cache;
  } else if (cache) {
    // 2.6.32 linear_to_page(): a new page when less than 64 bytes are left.
    const left = cache.size - cache.offset;
    if (!(left < 64 && left < len)) return cache;
  }
  if (cache) pagePut(tx, cache.page, holder);
  const size = tx.kernel === "6.1" ? TASK_FRAG_SIZE : PAGE_SIZE;
  return { page: newKernelPage(tx, "pfrag"), offset: 0, size };
}

/** linear_to_page(): copy what fits into the page frag. */
function linearToPage(tx: Tx, len: number): { page: PageId; offset: number; len: number } {
  const cache = refillPfrag(tx, len);
  const take = Math.min(len, cache.size - cache.offset);
  tx.caches = { ...tx.caches, pfrag: { ...cache, offset: cache.offset + take } };
  return { page: cache.page, offset: cache.offset, len: take };
}

/** __splice_segment(): one linear area or frag. True when done. */
function segment(tx: Tx, spd: Spd, page: PageId | null, poff: number, plen: number, linear: boolean, sub = false): boolean {
  if (spd.len === 0) return true;
  if (spd.off >= plen) {
    spd.off -= plen;
    return false;
  }
  poff += spd.off;
  plen -= spd.off;
  spd.off = 0;
  while (spd.len > 0 && plen > 0) {
    tx.spend();
    let flen = Math.min(spd.len, plen);
    if (linear) {
      const piece = linearToPage(tx, flen);
      flen = piece.len;
      if (fillPage(tx, spd, piece.page, piece.offset, flen, false)) return true;
    } else if (fillPage(tx, spd, page!, poff, flen, sub)) {
      return true;
    }
    poff += flen;
    plen -= flen;
    spd.len -= flen;
  }
  return false;
}

function spliceSkb(tx: Tx, spd: Spd, skb: Skb): boolean {
  const data = shinfo(tx, skb);
  const hl = headlen(skb);
  const locked = tx.kernel === "2.6.32" || !skb.head_frag || skbCloned(tx, skb);
  if (hl > 0 && !locked) {
    tx.emit({ kind: "substep", fn: "__skb_splice_bits", text: `${skb.name}'s head page goes into the pipe without a copy` });
  }
  const headPage = locked ? null : data.head_page;
  if (segment(tx, spd, headPage, data.head_offset + skb.data, hl, locked, true)) return true;
  for (const f of data.frags) {
    if (segment(tx, spd, f.page, f.offset, f.size, false)) return true;
  }
  for (const m of data.frag_list) {
    const member = tx.get("skbs", m);
    if (!member) continue;
    if (spd.off >= member.len) {
      spd.off -= member.len;
      continue;
    }
    if (spliceSkb(tx, spd, member)) return true;
  }
  return false;
}

function splice(tx: Tx, name: string, offset: number, len: number, pipe: Pipe): void {
  const skb = skbOf(tx, name, "skb_splice_bits");
  if (offset < 0 || offset > skb.len) outOfRange("skb_splice_bits", "offset", offset, skb.len, "is past the data");
  if (len < 0) outOfRange("skb_splice_bits", "len", len, 0, "is negative");
  const spd: Spd = {
    entries: [],
    max: tx.kernel === "6.1" ? profile(tx.kernel).MAX_SKB_FRAGS : PIPE_DEF_BUFFERS,
    off: offset,
    len,
  };
  spliceSkb(tx, spd, skb);
  // splice_to_pipe(): entries beyond the pipe's free slots are put back.
  const room = Math.max(0, PIPE_DEF_BUFFERS - pipe.bufs.length);
  const fit = spd.entries.slice(0, room).map(({ page, offset: o, len: l }) => ({ page, offset: o, len: l }));
  tx.set("pipes", pipe.name, { ...pipe, bufs: [...pipe.bufs, ...fit] });
  for (const e of spd.entries.slice(room)) pagePut(tx, e.page, "sock_spd_release");
  const bytes = fit.reduce((n, e) => n + e.len, 0);
  tx.emit({ kind: "result", fn: "skb_splice_bits", value: `${bytes} bytes in ${fit.length} pipe buffer${fit.length === 1 ? "" : "s"}` });
}

export function skb_splice_bits(tx: Tx, result: string | undefined, name: string, offset: number, len: number, into?: string): void {
  if (into !== undefined) {
    splice(tx, name, offset, len, pipeOf(tx, into, "skb_splice_bits"));
    return;
  }
  const pipeName = result!;
  skbOf(tx, name, "skb_splice_bits");
  assertNewName(tx, pipeName, "skb_splice_bits");
  const pipe: Pipe = { name: pipeName as PipeId, bufs: [] };
  tx.set("pipes", pipeName, pipe);
  splice(tx, name, offset, len, pipe);
}

/** The pipe is closed: every buffer's ->release puts its page. */
export function pipe_release(tx: Tx, name: string): void {
  const pipe = pipeOf(tx, name, "pipe_release");
  tx.delete("pipes", name);
  tx.set("graves", name, { kind: "pipe", step: tx.step });
  pipe.bufs.forEach((b, i) => pagePut(tx, b.page, `${name}.bufs[${i}]`));
}

// --- the registry's entries ----------------------------------------------------

export const skb_splice_bits_spec = defineOp({
  fn: "skb_splice_bits",
  params: ["skb", "int", "int", "pipe"],
  names: ["skb", "offset", "len", "pipe"],
  ctypes: [null, "unsigned int", "unsigned int", null],
  optional: 1,
  result: "pipe",
  resultUnlessOptional: true,
  summary: "splice pages into a pipe",
  group: "leave the stack",
  opcode: 33,
  docs: [
    {
      call: "q = skb_splice_bits(a, offset, len)",
      models: "`skb_splice_bits()` into a new pipe `q` (`splice_to_pipe`: one pipe buffer per page entry, each owning a page reference)",
    },
    { call: "skb_splice_bits(a, offset, len, q)", models: "the same, appending to pipe `q`" },
  ],
  // tcp_read_sock: the reader splices a queued skb, whole.
  search: {
    role: "root",
    order: 3,
    steps: (m, fn) => m.queued.filter((s) => s.len > 0).map((s) => step(fn, [ref(s.name), int(0), int(s.len)], m.fresh("pipe"))),
  },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      return s ? { fn, result: c.fresh("q"), args: [s, int(0), int(c.within(c.lenOf(s), d[2]))] } : null;
    },
  },
  form: { len: (f) => f.skb?.len ?? 0 },
  oracle: "skb_splice_bits",
  run: (tx, r, a) => skb_splice_bits(tx, r, a[0], a[1], a[2], a.length > 3 ? a[3] : undefined),
});

export const pipe_release_spec = defineOp({
  fn: "pipe_release",
  params: ["pipe"],
  names: ["pipe"],
  ctypes: [null],
  result: null,
  summary: "close the pipe: its buffers put their pages",
  group: "leave the stack",
  opcode: 34,
  docs: [{ call: "pipe_release(q)", models: "the pipe is closed: each buffer's `release` puts its page" }],
  search: { role: "base", order: 8, steps: (m, fn) => m.pipes.map((q) => step(fn, [ref(q)])) },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const q = c.pick([...c.state.pipes.keys()], d[1]);
      return q ? { fn, args: [ref(q)] } : null;
    },
  },
  oracle: "pipe_release",
  run: (tx, _r, a) => pipe_release(tx, a[0]),
});
