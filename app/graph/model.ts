// SPDX-License-Identifier: GPL-2.0-only
/**
 * From a StateView (and the one a step earlier) to what the graph draws:
 * nodes with their counters in kernel names, old → new where a counter
 * changed this step, and edges that are references. Pure: unit-tested, and
 * the same text is what the e2e test reads off the screen.
 */
import type { DataView, Finding, PageView, SkbView, StateView } from "../../core/index";
import { datarefText, sockTitle } from "./format";

export type NodeKind = "sock" | "skb" | "data" | "page" | "pipe" | "buffer" | "ubuf";

/** Columns, left to right, the way a reference flows. */
export const COLUMN: Record<NodeKind, number> = { sock: 0, skb: 1, data: 2, page: 3, pipe: 4, buffer: 4, ubuf: 4 };

export interface Counter {
  /** The kernel's field name: users, dataref, nr_frags, refcount ... */
  readonly field: string;
  readonly value: string;
  /** The value one step earlier, when it differs. */
  readonly old: string | null;
}

export interface GraphNode {
  readonly key: string;
  readonly kind: NodeKind;
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly counters: readonly Counter[];
  /** Data only: its frag slots, in order. */
  readonly frags: readonly { page: string; offset: number; size: number }[];
  /** Page only: guest, host or kernel (a copy the kernel made), or file (the page cache). */
  readonly owner: "guest" | "host" | "kernel" | "file" | null;
  readonly freed: boolean;
  /**
   * Freed in this step: drawn faded and dashed in its old place, labelled
   * "freed", for this one step (its counters are the last it had, with the
   * one that reached zero shown as old → 0). Not selectable.
   */
  readonly ghost: boolean;
  /** Appeared in this step. */
  readonly fresh: boolean;
  /** Findings of this step naming this object. */
  readonly findings: readonly Finding[];
  readonly ariaLabel: string;
  /** A clone stack (stacks.ts): the keys of the skbs it stands for. */
  readonly members?: readonly string[];
}

export interface GraphEdge {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  /** Data → page edges leave from their frag slot. */
  readonly fromSlot: number | null;
  readonly kind: "head" | "frag" | "frag_list" | "pipe" | "queue" | "owner" | "ubuf" | "head_page";
  readonly label: string;
  readonly fresh: boolean;
  /** A reference that a freed-in-this-step object held or was held by (drawn faded, dashed). */
  readonly ghost: boolean;
  /** A stack's edge stands for this many references (stacks.ts); absent: one. */
  readonly count?: number;
}

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

const keyOf = (kind: NodeKind, name: string) => `${kind}:${name}`;

function counter(field: string, value: string | number | boolean, old: string | number | boolean | undefined): Counter {
  const v = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  const o = old === undefined ? null : typeof old === "boolean" ? (old ? "1" : "0") : String(old);
  return { field, value: v, old: o !== null && o !== v ? o : null };
}

export function pageOwner(p: Pick<PageView, "owner" | "origin">): "guest" | "host" | "kernel" | "file" {
  if (p.owner === "guest" || p.owner === "file") return p.owner;
  return p.origin === "alloc" ? "host" : "kernel";
}

const OWNER_LABEL = { guest: "guest page", host: "host page", kernel: "kernel copy", file: "page-cache page" } as const;

export function buildGraph(view: StateView, prev: StateView | null, findings: readonly Finding[]): Graph {
  const live = liveGraph(view, prev, findings);
  if (!prev) return live;
  // Ghosts: what the step before had and this step freed, in its old place (most steps free nothing: skipped).
  const ghostView = ghostsOf(view, prev);
  const ghostNodes = anyObject(ghostView) ? liveGraph(ghostView, prev, [], false).nodes.map(toGhost) : [];
  const nodeKeys = new Set([...live.nodes.map((n) => n.key), ...ghostNodes.map((n) => n.key)]);
  const ghostKeys = new Set(ghostNodes.map((n) => n.key));
  for (const n of live.nodes) if (n.freed) ghostKeys.add(n.key);
  const nodes = mergeInOrder(
    live.nodes.map((n) => (n.freed ? toGhost(n) : n)),
    ghostNodes,
    prev,
  );
  if (ghostKeys.size === 0) return { nodes, edges: live.edges };
  const liveEdges = new Set(live.edges.map((e) => e.key));
  const ghostEdges: GraphEdge[] = buildEdgesUnfiltered(prev)
    .filter((e) => !liveEdges.has(e.key) && (ghostKeys.has(e.from) || ghostKeys.has(e.to)) && nodeKeys.has(e.from) && nodeKeys.has(e.to))
    .map((e) => ({ ...e, fresh: false, ghost: true }));
  return { nodes, edges: [...live.edges, ...ghostEdges] };
}

/** The objects of `prev` that are gone from `view`, as a view of their own (their records as they were). */
function ghostsOf(view: StateView, prev: StateView): StateView {
  const has = <T>(list: readonly T[], name: (x: T) => string) => new Set(list.map(name));
  const skbs = has(view.skbs, (x) => x.name);
  const datas = has(view.datas, (x) => x.head);
  const pages = has(view.pages, (x) => x.name);
  const pipes = has(view.pipes, (x) => x.name);
  const sockets = has(view.sockets, (x) => x.name);
  const ubufs = has(view.ubufs, (x) => x.name);
  const buffers = has(view.buffers, (x) => x.name);
  return {
    ...prev,
    skbs: prev.skbs.filter((x) => !skbs.has(x.name)),
    datas: prev.datas.filter((x) => !datas.has(x.head)),
    pages: prev.pages.filter((x) => !pages.has(x.name)),
    pipes: prev.pipes.filter((x) => !pipes.has(x.name)),
    sockets: prev.sockets.filter((x) => !sockets.has(x.name)),
    devq: [],
    ubufs: prev.ubufs.filter((x) => !ubufs.has(x.name)),
    buffers: prev.buffers.filter((x) => !buffers.has(x.name)),
  };
}

/** Whether a view has any object at all (its device queue aside: ghostsOf leaves that empty). */
function anyObject(v: StateView): boolean {
  return v.skbs.length + v.datas.length + v.pages.length + v.pipes.length + v.sockets.length + v.ubufs.length + v.buffers.length > 0;
}

/** The counter whose reaching zero freed the object. */
const LAST_COUNTER: Partial<Record<NodeKind, string>> = { skb: "users", data: "dataref", page: "refcount", ubuf: "refcnt", pipe: "bufs" };

function toGhost(n: GraphNode): GraphNode {
  const last = LAST_COUNTER[n.kind];
  const counters = n.counters.map((c) => (c.field === last && c.value !== "0" && c.old === null ? { ...c, old: c.value, value: "0" } : c));
  return {
    ...n,
    counters,
    ghost: true,
    fresh: false,
    findings: n.findings,
    subtitle: n.kind === "page" ? n.subtitle.replace(/ · freed$/, "") : n.subtitle,
    ariaLabel: `${n.title}, freed in this step (${counters.map((c) => `${c.field} ${c.old !== null ? `${c.old} to ${c.value}` : c.value}`).join(", ")})`,
  };
}

/**
 * Live nodes and ghosts in one list, each kind in the order of the step
 * before, so a ghost and the survivors around it take the rows they had
 * (the layout gives new objects rows in list order).
 */
function mergeInOrder(live: readonly GraphNode[], ghosts: readonly GraphNode[], prev: StateView): GraphNode[] {
  if (!ghosts.length) return [...live];
  const prevOrder = new Map<string, number>();
  graphKeyList(prev).forEach((k, i) => prevOrder.set(k, i));
  const all = [...live, ...ghosts];
  const kindRank = new Map(KIND_ORDER.map((k, i) => [k, i]));
  const index = new Map(all.map((n, i) => [n.key, i]));
  return all.sort((a, b) => {
    const ka = kindRank.get(a.kind)! - kindRank.get(b.kind)!;
    if (ka !== 0) return ka;
    const pa = prevOrder.get(a.key);
    const pb = prevOrder.get(b.key);
    if (pa !== undefined && pb !== undefined) return pa - pb;
    if (pa !== undefined) return -1;
    if (pb !== undefined) return 1;
    return index.get(a.key)! - index.get(b.key)!;
  });
}

const DEV_KEY = keyOf("sock", "@dev");

const KIND_ORDER: readonly NodeKind[] = ["sock", "skb", "data", "page", "pipe", "ubuf", "buffer"];

/** `withEdges` false: the nodes alone (the ghosts' nodes; their edges come from the step before). */
function liveGraph(view: StateView, prev: StateView | null, findings: readonly Finding[], withEdges = true): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const prevKeys = prev ? graphKeys(prev) : null;
  const fresh = (key: string) => prevKeys !== null && !prevKeys.has(key);
  const flagged = (...names: string[]) => findings.filter((f) => names.some((n) => f.objects.includes(n)));
  const prevSkb = new Map(prev?.skbs.map((s) => [s.name, s]));
  const prevData = new Map(prev?.datas.map((d) => [d.head, d]));
  const prevPage = new Map(prev?.pages.map((p) => [p.name, p]));
  const prevEdges = prev && withEdges ? new Set(buildEdges(prev).map((e) => e.key)) : null;

  for (const s of view.sockets) {
    const key = keyOf("sock", s.name);
    const old = prev?.sockets.find((x) => x.name === s.name);
    const counters = [counter("sk_receive_queue", s.queue.length, old?.queue.length)];
    nodes.push(node(key, "sock", s.name, `sk ${s.name}`, sockTitle(s.family), counters, fresh(key), flagged(s.name)));
  }
  // The device (dev_queue_xmit) sits with the sockets: both hold skbs for
  // as long as they like. "@dev" cannot be a trace name.
  if (view.devq.length) {
    const counters = [counter("tx queue", view.devq.length, prev ? prev.devq.length : undefined)];
    nodes.push(node(DEV_KEY, "sock", "@dev", "device", "qdisc + TX ring", counters, fresh(DEV_KEY), flagged("@dev")));
  }
  for (const s of view.skbs) nodes.push(skbNode(s, prevSkb.get(s.name), fresh(keyOf("skb", s.name)), flagged(s.name)));
  for (const d of view.datas) nodes.push(dataNode(d, prevData.get(d.head), fresh(keyOf("data", d.head)), flagged(d.head)));
  for (const p of view.pages) nodes.push(pageNode(p, prevPage.get(p.name), fresh(keyOf("page", p.name)), flagged(p.name)));
  for (const q of view.pipes) {
    const key = keyOf("pipe", q.name);
    const old = prev?.pipes.find((x) => x.name === q.name);
    const counters = [counter("bufs", q.bufs.length, old?.bufs.length)];
    nodes.push(node(key, "pipe", q.name, `pipe ${q.name}`, "pipe_inode_info", counters, fresh(key), flagged(q.name)));
  }
  for (const u of view.ubufs) {
    const key = keyOf("ubuf", u.name);
    const old = prev?.ubufs.find((x) => x.name === u.name);
    const counters = [counter("refcnt", u.refcnt, old?.refcnt)];
    nodes.push(
      node(key, "ubuf", u.name, `${u.name} ubuf_info`, u.dont_orphan ? "msg_zerocopy, DONT_ORPHAN" : "vhost zerocopy", counters, fresh(key), flagged(u.name)),
    );
  }
  for (const b of view.buffers) {
    const key = keyOf("buffer", b.name);
    const old = prev?.buffers.find((x) => x.name === b.name);
    // What the owner has been told: "no", or the steps its completion came at.
    const told = b.completions.length ? `@${b.completions.join(",@")}` : "no";
    const oldTold = old ? (old.completions.length ? `@${old.completions.join(",@")}` : "no") : undefined;
    const counters = [counter("told", told, oldTold), counter("pages", b.pages.length, old?.pages.length)];
    nodes.push(
      node(
        key,
        "buffer",
        b.name,
        `${b.name} owner's buffer`,
        `armed on ${b.skb} @${b.armedAt}`,
        counters,
        fresh(key),
        findings.filter((f) => f.buffer === b.name || f.objects.includes(b.name)),
      ),
    );
  }
  if (withEdges) for (const e of buildEdges(view)) edges.push({ ...e, fresh: prevEdges !== null && !prevEdges.has(e.key), ghost: false });
  return { nodes, edges };
}

function node(
  key: string,
  kind: NodeKind,
  name: string,
  title: string,
  subtitle: string,
  counters: Counter[],
  fresh: boolean,
  findings: readonly Finding[],
  extra: Partial<GraphNode> = {},
): GraphNode {
  const values = counters.map((c) => `${c.field} ${c.old !== null ? `${c.old} to ${c.value}` : c.value}`).join(", ");
  const problems = findings.map((f) => `${f.kind}: ${f.message}`).join(". ");
  return {
    key,
    kind,
    name,
    title,
    subtitle,
    counters,
    frags: [],
    owner: null,
    freed: false,
    ghost: false,
    fresh,
    findings,
    ariaLabel: `${title} (${subtitle}): ${values}${problems ? `. ${problems}` : ""}`,
    ...extra,
  };
}

function skbNode(s: SkbView, old: SkbView | undefined, fresh: boolean, findings: readonly Finding[]): GraphNode {
  const counters = [
    counter("users", s.users, old?.users),
    counter("cloned", s.cloned, old?.cloned),
    counter("nohdr", s.nohdr, old?.nohdr),
    counter("len", s.len, old?.len),
  ];
  const tags = [
    s.fclone !== "unavailable" ? `fclone ${s.fclone}` : "",
    s.queue ? `on ${s.queue}` : "",
    s.destructor ?? "",
    s.pp_recycle ? "pp_recycle" : "",
  ].filter(Boolean);
  return node(keyOf("skb", s.name), "skb", s.name, `skb ${s.name}`, tags.join(" · ") || "struct sk_buff", counters, fresh, findings);
}

function dataNode(d: DataView, old: DataView | undefined, fresh: boolean, findings: readonly Finding[]): GraphNode {
  const counters = [counter("dataref", datarefText(d.dataref), old ? datarefText(old.dataref) : undefined), counter("nr_frags", d.nr_frags, old?.nr_frags)];
  const owners = d.skbs.length ? `skb_shinfo(${d.skbs.join("/")})` : "no skb left";
  const tags = [owners, d.release ? `release → ${d.release}` : "", d.ubuf ? `ubuf ${d.ubuf}` : "", d.shared_frag ? "SHARED_FRAG" : ""]
    .filter(Boolean)
    .join(" · ");
  return node(keyOf("data", d.head), "data", d.head, `Data ${d.head}`, tags, counters, fresh, findings, { frags: d.frags });
}

function pageNode(p: PageView, old: PageView | undefined, fresh: boolean, findings: readonly Finding[]): GraphNode {
  const owner = pageOwner(p);
  const counters = [counter("refcount", p.refcount, old?.refcount)];
  // A page_pool page names its pool, and says so while the pool's ring holds it.
  const pool = p.pp ? ` · page_pool ${p.pp}${p.pp_in_pool ? " (in ring)" : ""}` : "";
  const subtitle = p.freed ? `${OWNER_LABEL[owner]} · freed` : `${OWNER_LABEL[owner]}${pool}`;
  return node(keyOf("page", p.name), "page", p.name, `page ${p.name}`, subtitle, counters, fresh, findings, { owner, freed: p.freed });
}

function graphKeys(view: StateView): Set<string> {
  return new Set(graphKeyList(view));
}

function graphKeyList(view: StateView): string[] {
  return [
    ...view.sockets.map((s) => keyOf("sock", s.name)),
    ...(view.devq.length ? [DEV_KEY] : []),
    ...view.skbs.map((s) => keyOf("skb", s.name)),
    ...view.datas.map((d) => keyOf("data", d.head)),
    ...view.pages.map((p) => keyOf("page", p.name)),
    ...view.pipes.map((p) => keyOf("pipe", p.name)),
    ...view.ubufs.map((u) => keyOf("ubuf", u.name)),
    ...view.buffers.map((b) => keyOf("buffer", b.name)),
  ];
}

type BareEdge = Omit<GraphEdge, "fresh" | "ghost">;

/** Every reference in a view, keyed so an edge keeps its identity across steps. */
export function buildEdges(view: StateView): BareEdge[] {
  return edgesOf(view, new Set(view.pages.map((p) => p.name)), new Set(view.skbs.map((s) => s.name)));
}

/** Every reference, whether or not its target is in the view (the caller filters). */
function buildEdgesUnfiltered(view: StateView): BareEdge[] {
  return edgesOf(view, null, null);
}

function edgesOf(view: StateView, pageSet: ReadonlySet<string> | null, skbSet: ReadonlySet<string> | null): BareEdge[] {
  const out: BareEdge[] = [];
  const pages = { has: (n: string) => pageSet === null || pageSet.has(n) };
  const skbs = { has: (n: string) => skbSet === null || skbSet.has(n) };
  for (const s of view.skbs)
    out.push({ key: `head:${s.name}`, from: keyOf("skb", s.name), to: keyOf("data", s.head), fromSlot: null, kind: "head", label: "head" });
  for (const d of view.datas) {
    d.frags.forEach((f, i) => {
      if (pages.has(f.page))
        out.push({
          key: `frag:${d.head}:${i}:${f.page}`,
          from: keyOf("data", d.head),
          to: keyOf("page", f.page),
          fromSlot: i,
          kind: "frag",
          label: `frags[${i}]`,
        });
    });
    d.frag_list.forEach((s, i) => {
      if (skbs.has(s))
        out.push({
          key: `frag_list:${d.head}:${s}`,
          from: keyOf("data", d.head),
          to: keyOf("skb", s),
          fromSlot: null,
          kind: "frag_list",
          label: `frag_list[${i}]`,
        });
    });
    if (d.head_page && pages.has(d.head_page))
      out.push({
        key: `head_page:${d.head}`,
        from: keyOf("data", d.head),
        to: keyOf("page", d.head_page),
        fromSlot: null,
        kind: "head_page",
        label: "head page",
      });
    if (d.ubuf)
      out.push({
        key: `ubuf:${d.head}:${d.ubuf}`,
        from: keyOf("data", d.head),
        to: keyOf("ubuf", d.ubuf),
        fromSlot: null,
        kind: "ubuf",
        label: "destructor_arg",
      });
  }
  for (const q of view.pipes) {
    q.bufs.forEach((b, i) => {
      if (pages.has(b.page))
        out.push({
          key: `pipe:${q.name}:${i}:${b.page}`,
          from: keyOf("pipe", q.name),
          to: keyOf("page", b.page),
          fromSlot: null,
          kind: "pipe",
          label: `bufs[${i}]`,
        });
    });
  }
  for (const s of view.sockets) {
    for (const skb of s.queue)
      if (skbs.has(skb))
        out.push({
          key: `queue:${s.name}:${skb}`,
          from: keyOf("sock", s.name),
          to: keyOf("skb", skb),
          fromSlot: null,
          kind: "queue",
          label: "sk_receive_queue",
        });
  }
  for (const skb of view.devq)
    if (skbs.has(skb)) out.push({ key: `devq:${skb}`, from: DEV_KEY, to: keyOf("skb", skb), fromSlot: null, kind: "queue", label: "tx ring" });
  for (const b of view.buffers) {
    for (const p of b.pages)
      if (pages.has(p))
        out.push({ key: `owner:${b.name}:${p}`, from: keyOf("buffer", b.name), to: keyOf("page", p), fromSlot: null, kind: "owner", label: "owner's page" });
  }
  return out;
}

export { keyOf };
