/**
 * skb_splice_bits and pipe_release: pages leave the network stack.
 *
 * Models net/core/skbuff.c __skb_splice_bits(), __splice_segment(),
 * spd_fill_page(), linear_to_page() (6.1 l.2613-2790; 2.6.32 l.1373-1590)
 * and fs/splice.c splice_to_pipe() (6.1 l.181): each new entry takes a page
 * reference that a pipe_buffer then owns (nosteal_pipe_buf_ops: release =
 * put_page) until the pipe is drained or closed.
 * The skb itself is untouched (users, dataref, frags): the pipe's
 * references outlive it. This is Herbert Xu's "metastasize ... e.g. the
 * VFS" route.
 * Linear bytes: 6.1 uses a head_frag head's own page when the head is not
 *   locked (not cloned); otherwise, as 2.6.32 always does, they are copied
 *   into a page of the socket's page frag, which keeps a reference of its
 *   own (here the pipe keeps it, see Pipe.pfrags) plus one per entry.
 * 6.1 extends the previous entry for an adjacent piece of the same page
 *   (spd_can_coalesce: no new reference); at most MAX_SKB_FRAGS entries a
 *   call (2.6.32: PIPE_BUFFERS = 16), and splice_to_pipe puts what does not
 *   fit in the pipe's 16 slots.
 */
import { outOfRange } from "../model/events";
import { PAGE_SIZE, profile } from "../model/kernel";
import { assertNewName, headlen, pipeOf, shinfo, skbCloned, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId, Pipe, PipeBuffer, PipeId, Skb } from "../model/types";
import { newKernelPage, pageGet, pagePut } from "./alloc_page";

const PIPE_DEF_BUFFERS = 16;

interface Spd {
  entries: PipeBuffer[];
  max: number;
  pfrag: { page: PageId; used: number } | null;
  newPfrags: PageId[];
  off: number;
  len: number;
}

function fillPage(tx: Tx, spd: Spd, page: PageId, offset: number, len: number): boolean {
  if (spd.entries.length === spd.max) return true;
  const last = spd.entries[spd.entries.length - 1];
  if (tx.kernel === "6.1" && last && last.page === page && last.offset + last.len === offset) {
    spd.entries[spd.entries.length - 1] = { ...last, len: last.len + len };
    return false;
  }
  pageGet(tx, page, "spd_fill_page");
  spd.entries.push({ page, offset, len });
  return false;
}

/** linear_to_page(): copy into the page frag; returns the bytes taken. */
function linearToPage(tx: Tx, spd: Spd, len: number): { page: PageId; offset: number; len: number } {
  if (!spd.pfrag || PAGE_SIZE - spd.pfrag.used < Math.min(64, len) || spd.pfrag.used === PAGE_SIZE) {
    const page = newKernelPage(tx, "pfrag");
    spd.newPfrags.push(page);
    spd.pfrag = { page, used: 0 };
  }
  const take = Math.min(len, PAGE_SIZE - spd.pfrag.used);
  const offset = spd.pfrag.used;
  spd.pfrag.used += take;
  return { page: spd.pfrag.page, offset, len: take };
}

/** __splice_segment(): one linear area or frag. True when done. */
function segment(tx: Tx, spd: Spd, page: PageId | null, poff: number, plen: number, linear: boolean): boolean {
  if (spd.len === 0) return true;
  if (spd.off >= plen) {
    spd.off -= plen;
    return false;
  }
  poff += spd.off;
  plen -= spd.off;
  spd.off = 0;
  while (spd.len > 0 && plen > 0) {
    let flen = Math.min(spd.len, plen);
    if (linear) {
      const piece = linearToPage(tx, spd, flen);
      flen = piece.len;
      if (fillPage(tx, spd, piece.page, piece.offset, flen)) return true;
    } else if (fillPage(tx, spd, page!, poff, flen)) {
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
  if (hl > 0) {
    const locked = tx.kernel === "2.6.32" || !skb.head_frag || skbCloned(tx, skb);
    if (!locked) tx.emit({ kind: "substep", fn: "__skb_splice_bits", text: `${skb.name}'s head page goes into the pipe without a copy` });
    if (segment(tx, spd, locked ? null : data.head_page, skb.data, hl, locked)) return true;
  } else if (segment(tx, spd, null, 0, 0, false)) {
    return true;
  }
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
    pfrag: null,
    newPfrags: [],
    off: offset,
    len,
  };
  spliceSkb(tx, spd, skb);
  // splice_to_pipe(): entries beyond the pipe's free slots are put back.
  const room = PIPE_DEF_BUFFERS - pipe.bufs.length;
  const fit = spd.entries.slice(0, Math.max(0, room));
  const extra = spd.entries.slice(Math.max(0, room));
  tx.set("pipes", pipe.name, { ...pipe, bufs: [...pipe.bufs, ...fit], pfrags: [...pipe.pfrags, ...spd.newPfrags] });
  for (const e of extra) pagePut(tx, e.page, "sock_spd_release");
  const bytes = fit.reduce((n, e) => n + e.len, 0);
  tx.emit({ kind: "result", fn: "skb_splice_bits", value: `${bytes} bytes in ${fit.length} pipe buffers` });
}

export function skb_splice_bits(tx: Tx, result: string | undefined, name: string, offset: number, len: number, into?: string): void {
  if (into !== undefined) {
    splice(tx, name, offset, len, pipeOf(tx, into, "skb_splice_bits"));
    return;
  }
  const pipeName = result!;
  skbOf(tx, name, "skb_splice_bits");
  assertNewName(tx, pipeName, "skb_splice_bits");
  const pipe: Pipe = { name: pipeName as PipeId, bufs: [], pfrags: [] };
  tx.set("pipes", pipeName, pipe);
  splice(tx, name, offset, len, pipe);
}

/** The pipe is closed: every buffer's ->release puts its page. */
export function pipe_release(tx: Tx, name: string): void {
  const pipe = pipeOf(tx, name, "pipe_release");
  tx.delete("pipes", name);
  tx.set("graves", name, { kind: "pipe", step: tx.step });
  pipe.bufs.forEach((b, i) => pagePut(tx, b.page, `${name}.bufs[${i}]`));
  for (const p of pipe.pfrags) pagePut(tx, p, `${name}.pfrag`);
}
