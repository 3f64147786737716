// SPDX-License-Identifier: GPL-2.0-only
/**
 * Stacks: objects of the same shape drawn as one node, so a graph of many
 * look-alikes takes a few rows, not one per object.
 *
 * - Clone stacks: skbs that share one Data (skb_clone, net/core/skbuff.c
 *   6.1) drawn as one skb node ("c1..c10 ×10").
 * - Copy stacks: skbs that each own a Data of their own whose frags map the
 *   same pages (pskb_copy copies the head and takes a page reference per
 *   frag, __pskb_copy_fclone in net/core/skbuff.c 6.1) drawn as one skb
 *   node and one Data node ("k1..k22 ×22"), their frag references to each
 *   page as one edge with a count ("frags[0] ×22").
 *
 * Only the quiet ones stack: an object that is new this step, freed this
 * step, flagged by a finding, selected or the target of a reference other
 * than its head (a queue, a frag_list) keeps a node of its own. A stack the
 * user expanded (either of its nodes' keys in `expanded`) is drawn as its
 * members. Pure: unit-tested.
 */
import type { Graph, GraphEdge, GraphNode } from "./model";

/** Fewer quiet clones (or copies) than this are drawn one by one. */
export const STACK_MIN = 4;

export const stackKey = (dataKey: string) => `stack:${dataKey.slice(dataKey.indexOf(":") + 1)}`;
export const isStackKey = (key: string | null): key is string => key !== null && key.startsWith("stack:");
/** The two nodes of the copy stack whose Datas' frags map these pages (in slot order, page names). */
export const copySkbKey = (sig: string) => `stack:copies:skb:${sig}`;
export const copyDataKey = (sig: string) => `stack:copies:data:${sig}`;

/** Each Data's frag pages in slot order ("p0,p1,p2"), the key its copy stack is known by; Datas without frags are absent. */
export function fragSignatures(graph: Graph): Map<string, string> {
  const slots = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.kind !== "frag" || e.fromSlot === null) continue;
    const list = slots.get(e.from) ?? [];
    list[e.fromSlot] = e.to.slice(e.to.indexOf(":") + 1);
    slots.set(e.from, list);
  }
  return new Map([...slots].map(([k, list]) => [k, Array.from(list, (p) => p ?? "-").join(",")]));
}

export function stackClones(graph: Graph, options: { expanded?: ReadonlySet<string>; keep?: string | null; min?: number } = {}): Graph {
  return stackSharedData(stackCopies(graph, options), options);
}

/** The smallest stacks tried when the graph is too big to read: a clone and its skb, two copies. */
export const STACK_MIN_CROWDED = 2;

/**
 * Stacks as few objects as a readable drawing allows: stacks of STACK_MIN
 * and more first; while `fits` says the drawing would still be too small to
 * read, smaller stacks (down to STACK_MIN_CROWDED), so forty skbs in twenty
 * clone pairs take twenty rows, not forty.
 */
export function stackToFit(graph: Graph, options: { expanded?: ReadonlySet<string>; keep?: string | null }, fits: (g: Graph) => boolean): Graph {
  let stacked = stackClones(graph, options);
  for (let min = STACK_MIN - 1; min >= STACK_MIN_CROWDED && !fits(stacked); min--) stacked = stackClones(graph, { ...options, min });
  return stacked;
}

/** The skbs a clone or copy stack may take: quiet, and held by nothing but their head. */
function quietSkbs(graph: Graph, keep: string | null | undefined): (n: GraphNode | undefined) => boolean {
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  // Skbs that something besides their head edge points at, or that point somewhere else.
  const referenced = new Set<string>();
  for (const e of graph.edges) {
    if (e.kind === "head") continue;
    if (byKey.get(e.to)?.kind === "skb") referenced.add(e.to);
    if (byKey.get(e.from)?.kind === "skb") referenced.add(e.from);
  }
  return (n) => n !== undefined && n.kind === "skb" && !n.fresh && !n.ghost && !n.freed && n.findings.length === 0 && n.key !== keep && !referenced.has(n.key);
}

/**
 * Copy stacks. A Data joins one when it is quiet, exactly one quiet skb
 * heads it, and its only other references are its frags (no frag_list,
 * head page or ubuf); Datas with the same frag pages stack together.
 */
function stackCopies(graph: Graph, options: { expanded?: ReadonlySet<string>; keep?: string | null; min?: number }): Graph {
  const min = options.min ?? STACK_MIN;
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const quiet = quietSkbs(graph, options.keep);
  const heads = new Map<string, string[]>();
  const other = new Set<string>();
  for (const e of graph.edges) {
    if (e.kind === "head" && !e.ghost) heads.set(e.to, [...(heads.get(e.to) ?? []), e.from]);
    else if (e.kind !== "frag" || e.ghost) {
      // A frag_list, a head page, a ubuf, a fading reference: this Data is not a plain copy.
      other.add(e.to);
      other.add(e.from);
    }
  }
  const sigs = fragSignatures(graph);
  const groups = new Map<string, { skbs: GraphNode[]; datas: GraphNode[] }>();
  for (const [dataKey, sig] of sigs) {
    const d = byKey.get(dataKey);
    const skbs = heads.get(dataKey) ?? [];
    if (!d || d.kind !== "data" || d.fresh || d.ghost || d.freed || d.findings.length || d.key === options.keep || other.has(dataKey)) continue;
    if (skbs.length !== 1 || !quiet(byKey.get(skbs[0]))) continue;
    const group = groups.get(sig) ?? { skbs: [], datas: [] };
    group.skbs.push(byKey.get(skbs[0])!);
    group.datas.push(d);
    groups.set(sig, group);
  }
  const open = (sig: string) => options.expanded?.has(copySkbKey(sig)) || options.expanded?.has(copyDataKey(sig));
  const stacked = [...groups].filter(([sig, g]) => g.datas.length >= min && !open(sig));
  if (stacked.length === 0) return graph;

  // Which stack node each member folds into; the stack takes the place of its first member.
  const into = new Map<string, string>();
  const stackNodes = new Map<string, GraphNode>();
  for (const [sig, g] of stacked) {
    g.skbs.forEach((n) => into.set(n.key, copySkbKey(sig)));
    g.datas.forEach((n) => into.set(n.key, copyDataKey(sig)));
    stackNodes.set(copySkbKey(sig), copySkbNode(sig, g.skbs));
    stackNodes.set(copyDataKey(sig), copyDataNode(sig, g.datas));
  }
  const nodes = foldNodes(graph.nodes, into, (stack) => stackNodes.get(stack)!);
  const edges: GraphEdge[] = graph.edges.filter((e) => !into.has(e.from) && !into.has(e.to));
  for (const [sig, g] of stacked) {
    const count = g.datas.length;
    const from = copyDataKey(sig);
    const fresh = (keys: ReadonlySet<string>) => graph.edges.some((e) => e.fresh && keys.has(e.from));
    edges.push({
      key: `head:${copySkbKey(sig)}`,
      from: copySkbKey(sig),
      to: from,
      fromSlot: null,
      kind: "head",
      label: `head ×${count}`,
      fresh: false,
      ghost: false,
      count,
    });
    const anyFresh = fresh(new Set(g.datas.map((d) => d.key)));
    sig.split(",").forEach((page, i) => {
      if (page === "-") return;
      edges.push({
        key: `frag:${from}:${i}`,
        from,
        to: `page:${page}`,
        fromSlot: i,
        kind: "frag",
        label: `frags[${i}] ×${count}`,
        fresh: anyFresh,
        ghost: false,
        count,
      });
    });
  }
  return { nodes, edges };
}

/** "a..k9" for many names, "a, b" for two. */
function span(names: readonly string[]): string {
  return names.length > 2 ? `${names[0]}..${names.at(-1)}` : names.join(", ");
}

/** A counter when every member has the same value, none otherwise. */
function common(list: readonly GraphNode[], field: string): GraphNode["counters"] {
  const values = list.map((n) => n.counters.find((c) => c.field === field)?.value ?? "?");
  return values.every((v) => v === values[0]) ? [{ field, value: values[0], old: null }] : [];
}

function copySkbNode(sig: string, skbs: readonly GraphNode[]): GraphNode {
  const names = skbs.map((n) => n.name);
  return {
    ...skbs[0],
    key: copySkbKey(sig),
    name: span(names),
    title: `${span(names)} ×${names.length}`,
    subtitle: `copies: a Data each (click: expand)`,
    counters: [{ field: "skbs", value: String(names.length), old: null }, ...common(skbs, "users")],
    ariaLabel: `${names.length} skbs, each with a Data of its own whose frags map pages ${sig}: ${names.join(", ")}. Press to show them one by one.`,
    members: skbs.map((n) => n.key),
  };
}

function copyDataNode(sig: string, datas: readonly GraphNode[]): GraphNode {
  const names = datas.map((n) => n.name);
  return {
    ...datas[0],
    key: copyDataKey(sig),
    name: span(names),
    title: `Data ${span(names)} ×${names.length}`,
    subtitle: `same pages ${sig} (click: expand)`,
    counters: [{ field: "Datas", value: String(names.length), old: null }, ...common(datas, "dataref"), ...common(datas, "nr_frags")],
    ariaLabel: `${names.length} Datas whose frags map pages ${sig}: ${names.join(", ")}. Press to show them one by one.`,
    members: datas.map((n) => n.key),
  };
}

/**
 * Clone stacks: quiet skbs that share one Data.
 */
function stackSharedData(graph: Graph, options: { expanded?: ReadonlySet<string>; keep?: string | null; min?: number }): Graph {
  const min = options.min ?? STACK_MIN;
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const quiet = quietSkbs(graph, options.keep);
  const members = new Map<string, GraphNode[]>();
  for (const e of graph.edges) {
    if (e.kind !== "head" || e.ghost) continue;
    const skb = byKey.get(e.from);
    if (!quiet(skb)) continue;
    members.set(e.to, [...(members.get(e.to) ?? []), skb!]);
  }
  const stacks = new Map<string, GraphNode[]>();
  for (const [data, list] of members) if (list.length >= min && !options.expanded?.has(stackKey(data))) stacks.set(data, list);
  if (stacks.size === 0) return graph;

  const inStack = new Map<string, string>();
  const dataOf = new Map<string, string>();
  for (const [data, list] of stacks) {
    dataOf.set(stackKey(data), data);
    for (const m of list) inStack.set(m.key, stackKey(data));
  }
  const nodes = foldNodes(graph.nodes, inStack, (stack) => {
    const data = dataOf.get(stack)!;
    return stackNode(stack, data, stacks.get(data)!);
  });
  const edges: GraphEdge[] = [];
  const headed = new Set<string>();
  for (const e of graph.edges) {
    const stack = inStack.get(e.from);
    if (!stack) edges.push(e);
    else if (e.kind === "head" && !headed.has(stack)) {
      headed.add(stack);
      edges.push({ ...e, key: `head:${stack}`, from: stack, label: `head ×${stacks.get(e.to)!.length}`, count: stacks.get(e.to)!.length });
    }
  }
  return { nodes, edges };
}

function stackNode(key: string, dataKey: string, list: readonly GraphNode[]): GraphNode {
  const names = list.map((n) => n.name);
  const users = list.map((n) => n.counters.find((c) => c.field === "users")?.value ?? "?");
  const same = users.every((u) => u === users[0]);
  const data = dataKey.slice(dataKey.indexOf(":") + 1);
  return {
    ...list[0],
    key,
    name: span(names),
    title: `${span(names)} ×${list.length}`,
    subtitle: `clones on Data ${data} (click: expand)`,
    counters: [{ field: "skbs", value: String(list.length), old: null }, ...(same ? [{ field: "users", value: users[0], old: null }] : [])],
    ariaLabel: `${list.length} clones sharing Data ${data}: ${names.join(", ")}. Press to show them one by one.`,
    members: list.map((n) => n.key),
  };
}

/** `nodes` with each member of a stack (`into`: member key -> stack key) replaced by its stack, which takes the place of its first member. */
function foldNodes(nodes: readonly GraphNode[], into: ReadonlyMap<string, string>, stackNodeOf: (stack: string) => GraphNode): GraphNode[] {
  const out: GraphNode[] = [];
  const placed = new Set<string>();
  for (const n of nodes) {
    const stack = into.get(n.key);
    if (!stack) out.push(n);
    else if (!placed.has(stack)) {
      placed.add(stack);
      out.push(stackNodeOf(stack));
    }
  }
  return out;
}
