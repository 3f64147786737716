// SPDX-License-Identifier: GPL-2.0-only
/**
 * Clone stacks: skbs that share one Data (clones) drawn as one stack node
 * ("c1..c10 ×10"), so ten clones take one row, not ten. Only the quiet
 * ones stack: an skb that is new this step, freed this step, flagged by a
 * finding, selected or the target of a reference other than its head
 * (a queue, a frag_list) keeps a node of its own. A stack the user
 * expanded is drawn as its members. Pure: unit-tested.
 */
import type { Graph, GraphEdge, GraphNode } from "./model";

/** Fewer quiet clones than this on one Data are drawn one by one. */
export const STACK_MIN = 4;

export const stackKey = (dataKey: string) => `stack:${dataKey.slice(dataKey.indexOf(":") + 1)}`;
export const isStackKey = (key: string | null): key is string => key !== null && key.startsWith("stack:");

export function stackClones(graph: Graph, options: { expanded?: ReadonlySet<string>; keep?: string | null; min?: number } = {}): Graph {
  const min = options.min ?? STACK_MIN;
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  // Skbs that something besides their head edge points at, or that point somewhere else.
  const referenced = new Set<string>();
  for (const e of graph.edges) {
    if (e.kind === "head") continue;
    if (byKey.get(e.to)?.kind === "skb") referenced.add(e.to);
    if (byKey.get(e.from)?.kind === "skb") referenced.add(e.from);
  }
  const quiet = (n: GraphNode) =>
    n.kind === "skb" && !n.fresh && !n.ghost && !n.freed && n.findings.length === 0 && n.key !== options.keep && !referenced.has(n.key);
  const members = new Map<string, GraphNode[]>();
  for (const e of graph.edges) {
    if (e.kind !== "head" || e.ghost) continue;
    const skb = byKey.get(e.from);
    if (!skb || !quiet(skb)) continue;
    members.set(e.to, [...(members.get(e.to) ?? []), skb]);
  }
  const stacks = new Map<string, GraphNode[]>();
  for (const [data, list] of members) if (list.length >= min && !options.expanded?.has(stackKey(data))) stacks.set(data, list);
  if (stacks.size === 0) return graph;

  const inStack = new Map<string, string>();
  for (const [data, list] of stacks) for (const m of list) inStack.set(m.key, stackKey(data));
  const nodes: GraphNode[] = [];
  const placed = new Set<string>();
  for (const n of graph.nodes) {
    const stack = inStack.get(n.key);
    if (!stack) nodes.push(n);
    else if (!placed.has(stack)) {
      // The stack takes the place of its first member.
      placed.add(stack);
      const data = [...stacks].find(([d]) => stackKey(d) === stack)!;
      nodes.push(stackNode(stack, data[0], data[1]));
    }
  }
  const edges: GraphEdge[] = [];
  for (const e of graph.edges) {
    const stack = inStack.get(e.from);
    if (!stack) edges.push(e);
    else if (e.kind === "head" && !edges.some((x) => x.key === `head:${stack}`))
      edges.push({ ...e, key: `head:${stack}`, from: stack, label: `head ×${stacks.get(e.to)!.length}` });
  }
  return { nodes, edges };
}

function stackNode(key: string, dataKey: string, list: readonly GraphNode[]): GraphNode {
  const names = list.map((n) => n.name);
  const span = names.length > 2 ? `${names[0]}..${names.at(-1)}` : names.join(", ");
  const users = list.map((n) => n.counters.find((c) => c.field === "users")?.value ?? "?");
  const same = users.every((u) => u === users[0]);
  const data = dataKey.slice(dataKey.indexOf(":") + 1);
  return {
    ...list[0],
    key,
    name: span,
    title: `${span} ×${list.length}`,
    subtitle: `clones on Data ${data} (click: expand)`,
    counters: [{ field: "skbs", value: String(list.length), old: null }, ...(same ? [{ field: "users", value: users[0], old: null }] : [])],
    ariaLabel: `${list.length} clones sharing Data ${data}: ${names.join(", ")}. Press to show them one by one.`,
    members: list.map((n) => n.key),
  };
}
