// SPDX-License-Identifier: GPL-2.0-only
/**
 * The buffer the owner armed on an skb (ZBuffer.skb), first in table
 * order: what skb_zcopy_set() and msg_zerocopy_realloc() continue when the
 * skb's shinfo no longer names its ubuf. A long trace keeps every buffer
 * it armed: a large buffers table is indexed (derived.ts).
 */
import { Derived } from "./derived";
import type { BufferId, SkbId, ZBuffer } from "./types";

type Buffers = ReadonlyMap<BufferId, ZBuffer>;

/** Per skb, the buffers armed on it in table order; each buffer's place in the table (a new key goes to its end). */
interface Index {
  readonly bySkb: Map<SkbId, BufferId[]>;
  readonly place: Map<BufferId, number>;
  added: number;
}

const ARMED = new Derived<ZBuffer, Index>(
  "buffers",
  () => ({ bySkb: new Map(), place: new Map(), added: 0 }),
  (index, zb, sign, staying) => {
    const list = index.bySkb.get(zb.skb);
    if (sign < 0) {
      const at = list ? list.indexOf(zb.id) : -1;
      if (list && at >= 0) {
        list.splice(at, 1);
        if (!list.length) index.bySkb.delete(zb.skb);
      }
      if (!staying) index.place.delete(zb.id);
      return;
    }
    if (!index.place.has(zb.id)) index.place.set(zb.id, index.added++);
    if (!list) return void index.bySkb.set(zb.skb, [zb.id]);
    const mine = index.place.get(zb.id)!;
    let at = list.length;
    while (at > 0 && index.place.get(list[at - 1])! > mine) at--;
    list.splice(at, 0, zb.id);
  },
  (a, b) => a.skb === b.skb,
);

/** The first buffer (table order) armed on `skb`. */
export function armedOn(buffers: Buffers, skb: SkbId): ZBuffer | undefined {
  const index = ARMED.of(buffers);
  if (index) {
    const first = index.bySkb.get(skb)?.[0];
    return first === undefined ? undefined : buffers.get(first);
  }
  for (const zb of buffers.values()) if (zb.skb === skb) return zb;
  return undefined;
}
