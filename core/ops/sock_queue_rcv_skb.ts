// SPDX-License-Identifier: GPL-2.0-only
/**
 * Local delivery and the reader: sock_queue_rcv_skb,
 * skb_copy_datagram_iter, sk_eat_skb (sockets: sock_create.ts).
 *
 * Models net/core/sock.c __sock_queue_rcv_skb() (6.1 l.480) with
 * include/net/sock.h skb_set_owner_r() (6.1 l.2528; 2.6.32 l.1341:
 * skb_orphan(), then destructor = sock_rfree) and sk_eat_skb() (6.1 l.2935:
 * unlink, then __kfree_skb()). In 6.1 every local delivery first runs
 * skb_orphan_frags_rx() (net/core/dev.c __netif_receive_skb_core, before
 * the final handler): zero-copy frags are copied, whatever the ubuf's flags,
 * because a local reader can hold them without bound.
 * The receive queue holds the caller's reference to the skb.
 */
import { kernelCheck, outOfRange } from "../model/events";
import { headlen, shinfo, skbOf, sockOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb, SockFamily } from "../model/types";
import type { TraceOp } from "../trace/ast";
import { freeSkbNow } from "./kfree_skb";
import { orphan } from "./skb_orphan";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { receivesAs } from "./contracts";
import { NEW_SOCKET } from "./sock_create";
import { defineOp, int, op, ref, step, type FuzzCtx, type Step } from "./spec";

export function sock_queue_rcv_skb(tx: Tx, sockName: string, name: string): void {
  const sock = sockOf(tx, sockName, "sock_queue_rcv_skb");
  let skb = skbOf(tx, name, "sock_queue_rcv_skb");
  // Not queued yet: caller contract queue-once (contracts.ts).
  if (tx.kernel === "6.1") {
    // Before 1f8b977ab32d receive paths used skb_orphan_frags(), which skips MSG_ZEROCOPY skbs.
    const err = fixed(tx, "rx-orphan-frags") ? kernel.skb_orphan_frags_rx(tx, skb) : kernel.skb_orphan_frags(tx, skb);
    if (err) kernelCheck("__netif_receive_skb_core", `skb_orphan_frags_rx() returned ${err}`, "the packet is dropped");
    skb = tx.get("skbs", name)!;
  }
  skb = orphan(tx, skb);
  tx.set("skbs", name, { ...skb, sk: sock.name, destructor: { fn: "sock_rfree", sk: sock.name } });
  tx.set("socks", sock.name, { ...sock, family: "inet", queue: [...sock.queue, skb.name] });
}

/** Which pages hold bytes [offset, offset + len) of an skb. */
function readBytes(tx: Tx, skb: Skb, offset: number, len: number, by: string): void {
  const data = shinfo(tx, skb);
  let at = headlen(skb);
  if (data.head_page && offset < at) tx.emit({ kind: "read", page: data.head_page, by });
  for (const f of data.frags) {
    if (at < offset + len && at + f.size > offset) tx.emit({ kind: "read", page: f.page, by });
    at += f.size;
  }
  for (const m of data.frag_list) {
    const member = tx.get("skbs", m);
    if (!member) continue;
    if (at < offset + len && at + member.len > offset) {
      readBytes(tx, member, Math.max(0, offset - at), Math.min(member.len, offset + len - at), by);
    }
    at += member.len;
  }
}

export function skb_copy_datagram_iter(tx: Tx, name: string, offset: number, len: number): void {
  const skb = skbOf(tx, name, "skb_copy_datagram_iter");
  if (offset < 0 || len < 0 || offset + len > skb.len) {
    outOfRange("skb_copy_datagram_iter", "offset + len", offset + len, skb.len, "is past the data");
  }
  readBytes(tx, skb, offset, len, `skb_copy_datagram_iter(${name})`);
}

export function sk_eat_skb(tx: Tx, sockName: string, name: string): void {
  const sock = sockOf(tx, sockName, "sk_eat_skb");
  const skb = skbOf(tx, name, "sk_eat_skb");
  // On this socket's queue: caller contract eat-own-queue (contracts.ts).
  tx.set("socks", sock.name, { ...sock, queue: sock.queue.filter((n) => n !== skb.name) });
  freeSkbNow(tx, skb);
}

/**
 * A fuzz maker's socket for a receiving operation: one that `family` may
 * queue to (contracts.ts socket-family); else, when the trace has sockets
 * of other families only, a new one (NEW_SOCKET), made by the ops in
 * `before`; null when it has none (the socket makers make them).
 */
export function receiverFor(c: FuzzCtx, family: SockFamily, draw: number): { sock: string; before: TraceOp[] } | null {
  if (c.state.socks.size === 0) return null;
  const sock = c.pick(
    [...c.state.socks.values()].filter((k) => receivesAs(k, family)).map((k) => k.name),
    draw,
  );
  if (sock) return { sock, before: [] };
  const made = c.fresh("k");
  return { sock: made, before: [{ fn: NEW_SOCKET[family], result: made, args: [] }] };
}

// --- the registry's entries ----------------------------------------------------

export const sock_queue_rcv_skb_spec = defineOp({
  fn: "sock_queue_rcv_skb",
  params: ["sock", "skb"],
  names: ["sk", "skb"],
  ctypes: [null, null],
  result: null,
  summary: "local delivery to a socket's receive queue",
  group: "leave the stack",
  opcode: 36,
  docs: [
    {
      call: "sock_queue_rcv_skb(s, a)",
      models:
        "local delivery: 6.1 `__netif_receive_skb_core` calls `skb_orphan_frags_rx()`; then `sock_queue_rcv_skb()` (`skb_set_owner_r`: `skb_orphan`, then `sock_rfree`). The queue holds the caller's reference.",
    },
  ],
  search: {
    role: "base",
    order: 5,
    // To each inet socket, or `s = sock_create()` and delivery as one step.
    steps: (m, fn) => {
      const { socks, fresh: sk } = m.receivers("inet");
      return m.free.flatMap((s): Step[] => [
        ...socks.map((existing) => step(fn, [ref(existing), ref(s.name)])),
        ...(sk ? [[op(NEW_SOCKET.inet, [], sk), op(fn, [ref(sk), ref(s.name)])]] : []),
      ]);
    },
  },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const s = c.skbArg(d[2]);
      if (!s) return null;
      const k = receiverFor(c, "inet", d[1]);
      if (!k) return null;
      return [...k.before, { fn, args: [ref(k.sock), s] }];
    },
  },
  oracle: "sock_queue_rcv_skb",
  run: (tx, _r, a) => sock_queue_rcv_skb(tx, a[0], a[1]),
});

export const skb_copy_datagram_iter_spec = defineOp({
  fn: "skb_copy_datagram_iter",
  params: ["skb", "int", "int"],
  names: ["skb", "offset", "len"],
  ctypes: [null, "int", "int"],
  result: null,
  summary: "the application reads by copy",
  group: "leave the stack",
  opcode: 37,
  docs: [{ call: "skb_copy_datagram_iter(a, offset, len)", models: "the application reads by copy" }],
  search: { role: "base", order: 6, steps: (m, fn) => m.queued.filter((s) => s.len > 0).map((s) => step(fn, [ref(s.name), int(0), int(s.len)])) },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const s = c.skbArg(d[1]);
      return s ? { fn, args: [s, int(0), int(c.within(c.lenOf(s), d[2]))] } : null;
    },
  },
  form: { len: (f) => f.skb?.len ?? 0 },
  oracle: "skb_copy_datagram_iter",
  run: (tx, _r, a) => skb_copy_datagram_iter(tx, a[0], a[1], a[2]),
});

export const sk_eat_skb_spec = defineOp({
  fn: "sk_eat_skb",
  params: ["sock", "skb"],
  names: ["sk", "skb"],
  ctypes: [null, null],
  result: null,
  summary: "the application is done with the skb",
  group: "leave the stack",
  opcode: 38,
  docs: [{ call: "sk_eat_skb(s, a)", models: "the application is done: unlink from the queue and `__kfree_skb()`" }],
  search: { role: "base", order: 7, steps: (m, fn) => m.queued.map((s) => step(fn, [ref(m.queuedOn.get(s.name)!), ref(s.name)])) },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => {
      const live = [...c.state.socks.values()].flatMap((k) => k.queue.filter((n) => c.state.skbs.has(n)).map((n) => [k.name, n] as const));
      const pick = c.pick(live, d[1]);
      return pick ? { fn, args: [ref(pick[0]), ref(pick[1])] } : null;
    },
  },
  oracle: "sk_eat_skb",
  run: (tx, _r, a) => sk_eat_skb(tx, a[0], a[1]),
});
