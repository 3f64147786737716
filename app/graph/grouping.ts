// SPDX-License-Identifier: GPL-2.0-only
/**
 * What each object of the graph belongs with, for the layout's grouping
 * (layout.ts `near`): an skb with its Data, a Data with its skbs, then its
 * pages; a page with the Datas whose frags hold it, then pipe buffers; a
 * pipe or a socket with what it holds. A clone stack stands for its
 * members (and an unfolded member for its stack), so it takes their place. Read from the edges, by the kind of
 * reference, so a new kind of holder needs only its edge. Pure: unit-tested.
 */
import type { Graph, GraphEdge } from "./model";
import { COLUMN } from "./model";
import type { LayoutObject } from "./layout";
import { copyDataKey, copySkbKey, fragSignatures, stackKey } from "./stacks";

/** Which references group objects first: an skb's head before its socket's queue. */
const PRIORITY: Readonly<Record<GraphEdge["kind"], number>> = {
  head: 0,
  frag: 1,
  head_page: 2,
  frag_list: 3,
  ubuf: 4,
  pipe: 5,
  owner: 6,
  queue: 7,
};

export function layoutObjects(graph: Graph): LayoutObject[] {
  const near = new Map<string, { key: string; rank: number; order: number }[]>();
  const add = (from: string, to: string, rank: number, order: number) => {
    const list = near.get(from);
    if (list) list.push({ key: to, rank, order });
    else near.set(from, [{ key: to, rank, order }]);
  };
  graph.edges.forEach((e, i) => {
    if (e.ghost) return;
    add(e.from, e.to, PRIORITY[e.kind], i);
    add(e.to, e.from, PRIORITY[e.kind], i);
  });
  const sigs = fragSignatures(graph);
  return graph.nodes.map((n) => {
    const list = near.get(n.key);
    const ranked = list ? [...list].sort((a, b) => a.rank - b.rank || a.order - b.order).map((x) => x.key) : [];
    const replaces = n.members ?? unfolded(n, ranked[0], sigs);
    return { key: n.key, col: COLUMN[n.kind], ...(ranked.length ? { near: [...new Set(ranked)] } : {}), ...(replaces ? { replaces } : {}) };
  });
}

/** The stacks an skb or a Data may have been folded into (its Data's clone stack, its copy stack): unfolded, it takes their place. */
function unfolded(n: { key: string; kind: string }, anchor: string | undefined, sigs: ReadonlyMap<string, string>): string[] | null {
  if (n.kind === "data") {
    const sig = sigs.get(n.key);
    return sig ? [copyDataKey(sig)] : null;
  }
  if (n.kind !== "skb" || !anchor) return null;
  const sig = sigs.get(anchor);
  return sig ? [stackKey(anchor), copySkbKey(sig)] : [stackKey(anchor)];
}
