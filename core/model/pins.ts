// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which pages io_uring notifications pin (ubuf.pins): a page's holders
 * include its pins, so every put_page() that frees a page asks. A scan of
 * the ubufs answers for a few; a long trace keeps every ubuf it armed, so
 * a large ubufs table gets a count of pins per page, kept from its writes
 * (Tx.set and Tx.delete tell it; undoWrites drops it, to be built again
 * when asked). The holders themselves are still read from the table, in
 * its order, for the rare page that is pinned.
 */
import type { PageId, Ubuf, UbufId } from "./types";

type Ubufs = ReadonlyMap<UbufId, Ubuf>;

/** Below this many ubufs a scan is cheaper than keeping a count. */
const INDEX_FROM = 32;

const counts = new WeakMap<object, Map<PageId, number>>();

function enter(count: Map<PageId, number>, ubuf: Ubuf, sign: 1 | -1): void {
  for (const page of ubuf.pins ?? []) {
    const n = (count.get(page) ?? 0) + sign;
    if (n === 0) count.delete(page);
    else count.set(page, n);
  }
}

/** Whether a pin of some ubuf may hold `page` (false: none does). */
export function mayBePinned(ubufs: Ubufs, page: PageId): boolean {
  if (ubufs.size < INDEX_FROM || !(ubufs instanceof Map)) return true;
  let count = counts.get(ubufs);
  if (!count) {
    count = new Map();
    for (const u of ubufs.values()) enter(count, u, 1);
    counts.set(ubufs, count);
  }
  return count.has(page);
}

/** A ubufs table's record changes in place (`before`/`after` undefined: absent). */
export function noteUbufWrite(ubufs: object, before: Ubuf | undefined, after: Ubuf | undefined): void {
  const count = counts.get(ubufs);
  if (!count || before?.pins === after?.pins) return;
  if (before) enter(count, before, -1);
  if (after) enter(count, after, 1);
}

/** A ubufs table changed behind the count's back (an undo): forget it. */
export function forgetPins(ubufs: object): void {
  counts.delete(ubufs);
}
