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
import { stackKey } from "./stacks";

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
  return graph.nodes.map((n) => {
    const list = near.get(n.key);
    const ranked = list ? [...list].sort((a, b) => a.rank - b.rank || a.order - b.order).map((x) => x.key) : [];
    const replaces = n.members ?? (n.kind === "skb" && ranked.length ? [stackKey(ranked[0])] : null);
    return { key: n.key, col: COLUMN[n.kind], ...(ranked.length ? { near: [...new Set(ranked)] } : {}), ...(replaces ? { replaces } : {}) };
  });
}
