// SPDX-License-Identifier: GPL-2.0-only
/**
 * do_tcp_sendpages - splice a pipe into a TCP socket: the pipe's pages are
 * planted in the socket's write-queue skb.
 *
 * Models fs/splice.c pipe_to_sendpage() (6.1 l.344) -> tcp_sendpage() ->
 * net/ipv4/tcp.c do_tcp_sendpages() with tcp_build_frag() (6.1 l.984-1142;
 * 2.6.32 do_tcp_sendpages() l.763): for each pipe buffer, a piece that
 * continues the skb's last frag extends it (skb_can_coalesce: no new
 * reference), otherwise get_page() and a new descriptor; len, data_len and
 * truesize grow. The consumed pipe buffer is released (put_page). The trace
 * names the write-queue tail skb; when its frags run out the remaining
 * buffers stay in the pipe (the kernel would start a new skb).
 * 6.1 sets SKBFL_SHARED_FRAG on the skb with each piece (tcp.c l.1033-1034: splice passes
 * no MSG_NO_SHARED_FRAGS): the pages stay the pipe's writer's to change.
 * A zero-copy skb (MSG_ZEROCOPY's tail) takes the pieces as any other:
 * tcp_downgrade_zcopy_pure() (l.951) only clears SKBFL_PURE_ZEROCOPY.
 */
import { profile } from "../model/kernel";
import { pipeOf, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag } from "../model/types";
import { pageGet, pagePut } from "./alloc_page";
import { defineOp, ref, step } from "./spec";

export function do_tcp_sendpages(tx: Tx, name: string, pipeName: string): void {
  const skb = skbOf(tx, name, "do_tcp_sendpages");
  const pipe = pipeOf(tx, pipeName, "do_tcp_sendpages");
  // Uncloned: caller contract sendpages-uncloned (contracts.ts).
  const data = shinfo(tx, skb);
  const max = profile(tx.kernel).MAX_SKB_FRAGS;
  const frags: Frag[] = [...data.frags];
  let used = 0;
  let bytes = 0;
  for (const buf of pipe.bufs) {
    const last = frags[frags.length - 1];
    const coalesce = last && last.page === buf.page && last.offset + last.size === buf.offset;
    if (!coalesce && frags.length >= max) break;
    if (coalesce) frags[frags.length - 1] = { ...last, size: last.size + buf.len };
    else {
      pageGet(tx, buf.page, "do_tcp_sendpages");
      frags.push({ page: buf.page, offset: buf.offset, size: buf.len });
    }
    used++;
    bytes += buf.len;
  }
  // A zero-copy tail (a MSG_ZEROCOPY sendmsg's) takes the pieces too
  // (tcp_skb_can_collapse_to checks EOR only): tcp_downgrade_zcopy_pure()
  // (l.951-963, called at l.1019 before each piece) charges the socket and
  // clears SKBFL_PURE_ZEROCOPY; the ubuf stays and now covers a page the
  // pipe's writer owns too (skb_copy_ubufs() copies every frag).
  const pure = data.pure_zerocopy === true && used === 0;
  if (data.pure_zerocopy && used > 0)
    tx.emit({ kind: "substep", fn: "tcp_downgrade_zcopy_pure", text: `${name} is no longer pure zero-copy: SKBFL_PURE_ZEROCOPY cleared` });
  // if (!(flags & MSG_NO_SHARED_FRAGS)) skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
  tx.set("datas", data.id, { ...data, frags, shared_frag: data.shared_frag || (used > 0 && tx.kernel === "6.1"), pure_zerocopy: pure || undefined });
  tx.set("skbs", name, { ...skb, len: skb.len + bytes, data_len: skb.data_len + bytes, truesize: skb.truesize + bytes });
  tx.set("pipes", pipe.name, { ...pipe, bufs: pipe.bufs.slice(used) });
  pipe.bufs.slice(0, used).forEach((b, i) => pagePut(tx, b.page, `${pipe.name}.bufs[${i}]`));
  tx.emit({ kind: "result", fn: "do_tcp_sendpages", value: `${bytes} bytes from ${used} pipe buffer${used === 1 ? "" : "s"}` });
}

// --- the registry's entries ----------------------------------------------------

export const do_tcp_sendpages_spec = defineOp({
  fn: "do_tcp_sendpages",
  params: ["skb", "pipe"],
  names: ["skb", "pipe"],
  ctypes: [null, null],
  result: null,
  summary: "splice a pipe into a TCP socket's skb (the pages move on)",
  group: "leave the stack",
  opcode: 45,
  docs: [
    {
      call: "do_tcp_sendpages(b, q)",
      models:
        "the pipe is spliced into a TCP socket whose write-queue skb is `b` (`pipe_to_sendpage` -> `do_tcp_sendpages`): each buffer's page goes into `b`'s frags (`get_page`, or extending the last frag), then the buffer is released",
    },
  ],
  // A pipe with buffers into an skb the caller holds (an empty pipe moves nothing).
  search: {
    role: "root",
    order: 18,
    steps: (m, fn) => m.pipes.filter((q) => m.state.pipes.get(q)!.bufs.length > 0).flatMap((q) => m.free.map((s) => step(fn, [ref(s.name), ref(q)]))),
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      const q = c.pick([...c.state.pipes.keys()], d[2]);
      return s && q ? { fn, args: [s, ref(q)] } : null;
    },
  },
  oracle: "do_tcp_sendpages",
  run: (tx, _r, a) => do_tcp_sendpages(tx, a[0], a[1]),
});
