// SPDX-License-Identifier: GPL-2.0-only
/**
 * page-refs - the oracle, not a kernel mechanism: the owner hears when no
 * host reference to any page of the buffer is left (every page back at
 * refcount 0 after the put in put_page()/__free_pages()). Nothing is armed
 * in the kernel, so nothing can be "still armed"; its completion waits on
 * every holder of a page, a pipe or a queued skb's frags included.
 */
import type { CompletionPolicy } from "./types";
import { complete } from "./completion";

export const pageRefs: CompletionPolicy<"page-refs"> = {
  id: "page-refs",
  doc: {
    armedBy: "nothing in the kernel",
    toldWhen: "no host reference to any page of the buffer is left (the oracle)",
  },
  arm() {},
  stillArmed: () => false,
  waitsOnSkb: (_state, zb, _skb, data) => data.frags.some((f) => zb.pages.includes(f.page)),
  waitsOnPageHolders: true,
  onPageIdle(tx, page) {
    for (const zb of tx.all("buffers").values()) {
      if (zb.completions.length > 0 || !zb.pages.includes(page)) continue;
      const idle = zb.pages.every((p) => (tx.get("pages", p)?.refcount ?? 0) === 0);
      if (idle) complete(tx, zb.id, "page refcounts");
    }
  },
};
