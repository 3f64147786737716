// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which pages io_uring notifications pin (ubuf.pins): a page's holders
 * include its pins, so every put_page() that frees a page asks. A long
 * trace keeps every ubuf it armed: a large ubufs table gets a count of
 * pins per page (derived.ts). The holders themselves are still read from
 * the table, in its order, for the rare page that is pinned.
 */
import { Derived } from "./derived";
import type { PageId, Ubuf, UbufId } from "./types";

const PINNED = new Derived<Ubuf, Map<PageId, number>>(
  "ubufs",
  () => new Map(),
  (count, ubuf, sign) => {
    for (const page of ubuf.pins ?? []) {
      const n = (count.get(page) ?? 0) + sign;
      if (n === 0) count.delete(page);
      else count.set(page, n);
    }
  },
  (a, b) => a.pins === b.pins,
);

/** Whether a pin of some ubuf may hold `page` (false: none does). */
export function mayBePinned(ubufs: ReadonlyMap<UbufId, Ubuf>, page: PageId): boolean {
  return PINNED.of(ubufs)?.has(page) ?? true;
}
