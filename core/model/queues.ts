// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which receive queues hold an skb. The kernel never asks (an skb on a
 * queue is reached from the queue); the model asks at every caller
 * contract that names a queued skb and at every free (a freed skb left on
 * a queue is a dangling entry). A long trace makes sockets it never
 * closes: a large sockets table is indexed (derived.ts).
 */
import { Derived } from "./derived";
import type { SkbId, Sock, SockId } from "./types";

type Socks = ReadonlyMap<SockId, Sock>;

/** Per skb: the one socket whose queue holds it, or null when it is queued more than once (then scanned). */
interface Entry {
  sock: SockId | null;
  n: number;
}

const QUEUED = new Derived<Sock, Map<SkbId, Entry>>(
  "socks",
  () => new Map(),
  (index, sock, sign) => {
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
  },
  (a, b) => a.queue === b.queue,
);

/** The sockets (table order) whose receive queue holds `skb`. */
export function queuesHolding(socks: Socks, skb: SkbId): SockId[] {
  const index = QUEUED.of(socks);
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
  const index = QUEUED.of(socks);
  if (index) {
    const e = index.get(skb);
    if (!e) return null;
    if (e.sock !== null) return e.sock;
  }
  for (const sock of socks.values()) if (sock.queue.includes(skb)) return sock.name;
  return null;
}
