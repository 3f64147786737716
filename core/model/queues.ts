// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which receive queues hold an skb. The kernel never asks (an skb on a
 * queue is reached from the queue); the model asks at every caller
 * contract that names a queued skb and at every free (a freed skb left on
 * a queue is a dangling entry). A scan of the sockets answers for the
 * search's few sockets; a long trace makes sockets it never closes, so a
 * large sockets table gets an index, kept from its writes (Tx.set and
 * Tx.delete tell it; undoWrites drops it, to be built again when asked).
 */
import type { SkbId, Sock, SockId } from "./types";

type Socks = ReadonlyMap<SockId, Sock>;

/** Below this many sockets a scan is cheaper than keeping an index. */
const INDEX_FROM = 32;

/** Per skb: the one socket whose queue holds it, or null when it is queued more than once (then scanned). */
interface Entry {
  sock: SockId | null;
  n: number;
}

const indexes = new WeakMap<object, Map<SkbId, Entry>>();

function indexOf(socks: Socks): Map<SkbId, Entry> | null {
  if (socks.size < INDEX_FROM || !(socks instanceof Map)) return null;
  let index = indexes.get(socks);
  if (!index) {
    index = new Map();
    for (const sock of socks.values()) enter(index, sock, 1);
    indexes.set(socks, index);
  }
  return index;
}

function enter(index: Map<SkbId, Entry>, sock: Sock, sign: 1 | -1): void {
  for (const skb of sock.queue) {
    const e = index.get(skb);
    if (sign > 0) {
      if (!e) index.set(skb, { sock: sock.name, n: 1 });
      else {
        e.n++;
        e.sock = null;
      }
    } else if (e && --e.n === 0) index.delete(skb);
  }
}

/** The sockets (table order) whose receive queue holds `skb`. */
export function queuesHolding(socks: Socks, skb: SkbId): SockId[] {
  const index = indexOf(socks);
  if (index) {
    const e = index.get(skb);
    if (!e) return [];
    if (e.sock !== null) return [e.sock];
  }
  const out: SockId[] = [];
  for (const sock of socks.values()) if (sock.queue.includes(skb)) out.push(sock.name);
  return out;
}

/** The first socket (table order) whose receive queue holds `skb`, if any. */
export function queueHolding(socks: Socks, skb: SkbId): SockId | null {
  const index = indexOf(socks);
  if (index) {
    const e = index.get(skb);
    if (!e) return null;
    if (e.sock !== null) return e.sock;
  }
  for (const sock of socks.values()) if (sock.queue.includes(skb)) return sock.name;
  return null;
}

/** A sockets table's record changes in place (`before`/`after` undefined: absent). */
export function noteSockWrite(socks: object, before: Sock | undefined, after: Sock | undefined): void {
  const index = indexes.get(socks);
  if (!index || before?.queue === after?.queue) return;
  if (before) enter(index, before, -1);
  if (after) enter(index, after, 1);
}

/** A sockets table changed behind the index's back (an undo): forget it. */
export function forgetQueues(socks: object): void {
  indexes.delete(socks);
}
