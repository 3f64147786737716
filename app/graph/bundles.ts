// SPDX-License-Identifier: GPL-2.0-only
/**
 * Page holders bundled: when many frag references point at one page (23
 * pskb_copy Datas sharing it: __pskb_copy_fclone takes a page reference per
 * frag with skb_frag_ref, net/core/skbuff.c 6.1), their edges meet at a
 * junction left of the page and go on as one trunk labelled with the number
 * of references ("×23"), instead of a hatched band of 23 curves. A stack's
 * counted edge (stacks.ts) weighs its count. The bundle of the selected
 * page is open: its edges are drawn one by one. Pure: unit-tested.
 */
import type { GraphEdge } from "./model";

/** Fewer frag references than this into one page are drawn one by one. */
export const BUNDLE_MIN = 4;

export interface Bundle {
  readonly page: string;
  /** Frag references the trunk stands for (a stack's edge counts its members). */
  readonly count: number;
  /** Keys of the edges that end at the junction. */
  readonly edges: ReadonlySet<string>;
}

export function bundlesOf(edges: readonly GraphEdge[], open: ReadonlySet<string> = new Set()): Map<string, Bundle> {
  const into = new Map<string, GraphEdge[]>();
  for (const e of edges) {
    // A fading reference keeps its own curve: it is leaving the bundle.
    if (e.kind !== "frag" || e.ghost || open.has(e.to)) continue;
    const list = into.get(e.to);
    if (list) list.push(e);
    else into.set(e.to, [e]);
  }
  const out = new Map<string, Bundle>();
  for (const [page, list] of into) {
    const count = list.reduce((n, e) => n + (e.count ?? 1), 0);
    if (count >= BUNDLE_MIN) out.set(page, { page, count, edges: new Set(list.map((e) => e.key)) });
  }
  return out;
}
