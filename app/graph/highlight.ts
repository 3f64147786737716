// SPDX-License-Identifier: GPL-2.0-only
/**
 * Pointing without a laser: the object under the pointer (or the keyboard
 * focus, or the selection in presentation mode) lights up together with
 * every holder of it, up the chain (a page's frag slots, their Datas, the
 * skbs on those Datas, the queues holding the skbs ...), and everything it
 * holds, down the chain. Edges are references: `from` holds `to`. The
 * references of an object freed in this step (a ghost) are not holders any
 * more; pointing at the ghost itself shows what it held.
 */
import type { Graph, GraphNode } from "./model";

export interface Related {
  readonly target: string;
  /** The target, its holders and what it holds. */
  readonly nodes: ReadonlySet<string>;
  /** Edges on those chains. */
  readonly edges: ReadonlySet<string>;
  /** Holders of the target, nearest first. */
  readonly holders: readonly string[];
  /** What the target holds, nearest first. */
  readonly holds: readonly string[];
}

export function related(graph: Graph, target: string): Related | null {
  const node = graph.nodes.find((n) => n.key === target);
  if (!node) return null;
  const into = new Map<string, { from: string; key: string }[]>();
  const outOf = new Map<string, { to: string; key: string }[]>();
  // A reference a freed object held is gone: it counts only when pointing at that ghost.
  for (const e of graph.edges) {
    if (e.ghost && !node.ghost) continue;
    if (!into.has(e.to)) into.set(e.to, []);
    into.get(e.to)!.push({ from: e.from, key: e.key });
    if (!outOf.has(e.from)) outOf.set(e.from, []);
    outOf.get(e.from)!.push({ to: e.to, key: e.key });
  }
  const edges = new Set<string>();
  const walk = (next: (k: string) => { node: string; edge: string }[]): string[] => {
    const seen = new Set([target]);
    const order: string[] = [];
    let frontier = [target];
    while (frontier.length) {
      const after: string[] = [];
      for (const k of frontier) {
        for (const { node, edge } of next(k)) {
          edges.add(edge);
          if (seen.has(node)) continue;
          seen.add(node);
          order.push(node);
          after.push(node);
        }
      }
      frontier = after;
    }
    return order;
  };
  const holders = walk((k) => (into.get(k) ?? []).map((e) => ({ node: e.from, edge: e.key })));
  const holds = walk((k) => (outOf.get(k) ?? []).map((e) => ({ node: e.to, edge: e.key })));
  return { target, nodes: new Set([target, ...holders, ...holds]), edges, holders, holds };
}

/** One sentence for the pointed object: "page g: held by Data h2 (frags[0]), skb c". */
export function pointerText(graph: Graph, target: string): string | null {
  const r = related(graph, target);
  if (!r) return null;
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const node = byKey.get(target)!;
  const name = (k: string) => label(byKey.get(k));
  const direct = graph.edges
    .filter((e) => e.to === target && r.edges.has(e.key))
    .map((e) => (e.kind === "frag" || e.kind === "pipe" ? `${name(e.from)} ${e.label}` : name(e.from)));
  const parts: string[] = [];
  if (r.holders.length) {
    const indirect = r.holders.filter((k) => !graph.edges.some((e) => e.to === target && e.from === k && r.edges.has(e.key))).map(name);
    parts.push(`held by ${[...new Set(direct)].join(", ")}${indirect.length ? ` (through ${indirect.join(", ")})` : ""}`);
  } else if (node.kind === "page" || node.kind === "data") {
    parts.push("held by nothing drawn");
  }
  if (r.holds.length) parts.push(`holds ${r.holds.map(name).join(", ")}`);
  return `${label(node)}${node.ghost ? " (freed in this step)" : ""}: ${parts.join("; ") || "holds nothing, held by nothing"}`;
}

function label(n: GraphNode | undefined): string {
  if (!n) return "?";
  switch (n.kind) {
    case "skb":
      return `skb ${n.name}`;
    case "data":
      return `Data ${n.name}`;
    case "page":
      return `page ${n.name}`;
    case "pipe":
      return `pipe ${n.name}`;
    case "sock":
      return `sk ${n.name}`;
    case "ubuf":
      return `ubuf ${n.name}`;
    case "buffer":
      return `owner's buffer ${n.name}`;
  }
}
