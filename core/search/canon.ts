// SPDX-License-Identifier: GPL-2.0-only
/**
 * The canonical form of a search state: a key that is the same for two
 * states that differ only in the names of their objects (symmetry
 * reduction), and different for any two states that differ otherwise.
 *
 * The state is read as a labelled graph: a node per live skb, Data, page,
 * pipe, socket, ubuf_info, armed buffer, fclone pair and segment list, with
 * its fields (no names) as the node's label, and an edge per reference
 * (skb->head, frags[i] with offset and size, frag_list[i], a queue slot,
 * shinfo->release ...). Colour refinement (1-dimensional Weisfeiler-Leman)
 * orders the nodes by their structure; nodes it cannot tell apart are split
 * by individualising one and refining again. The key is the graph written
 * out in that order, every name replaced by the node's position, as a
 * string of bytes.
 *
 * Sound whatever the tie-breaks and hash collisions: equal keys are the
 * same graph under a renaming, so the states behave alike. Two renamings
 * of one state give the same key whenever the nodes left tied are
 * interchangeable, which is what symmetric objects (two clones of one skb)
 * are.
 *
 * What the key leaves out, because no later step or finding depends on it:
 * the step number, the naming counters (h1, k1, u1, z1 ...), freed names
 * (the menu never names them), when a buffer was armed or completed.
 * What it adds: the checker's memory of the path (PathSummary), so that two
 * paths to one state are merged only when their futures are judged alike.
 */
import type { SkbId, State } from "../model/types";
import type { TraceOp } from "../trace/ast";
import type { PathSummary } from "./step";

/** Node kinds, the first field of every label. */
const enum K {
  Page = 1,
  Fclone,
  Data,
  Buffer,
  Ubuf,
  Pipe,
  Sock,
  Skb,
  List,
  Cache,
}

/** Edge kinds, the first number of every edge label. */
const enum E {
  Head = 1,
  Sk,
  DestructorBuffer,
  DestructorSock,
  Fclone,
  Member,
  HeadPage,
  Frag,
  FragList,
  Ubuf,
  Release,
  ArmedSkb,
  BufferPage,
  UbufBuffer,
  PipeBuf,
  Queue,
  CachePage,
  UbufPin,
}

interface GNode {
  readonly label: readonly number[];
  readonly out: Array<readonly [edge: readonly number[], to: number]>;
}

class Graph {
  readonly nodes: GNode[] = [];
  private readonly ids: Map<string, number>[] = [];

  add(kind: K, name: string, label: number[]): number {
    const i = this.nodes.length;
    this.nodes.push({ label: [kind, ...label], out: [] });
    (this.ids[kind] ??= new Map()).set(name, i);
    return i;
  }

  id(kind: K, name: string | null | undefined): number | undefined {
    return name == null ? undefined : this.ids[kind]?.get(name);
  }

  edge(from: number, label: number[], to: number | undefined): void {
    if (to !== undefined) this.nodes[from].out.push([label, to]);
  }
}

const b = (x: boolean) => (x ? 1 : 0);
const OWNER = { guest: 1, host: 2, file: 3 } as const;
const ORIGIN = { alloc: 1, copy: 2, napi: 3, pfrag: 4, pool: 5, pagecache: 6 } as const;
const FCLONE = { unavailable: 1, orig: 2, clone: 3 } as const;
/** skb->destructor by function (the codes before netlink's kept, so old states keep their keys). */
const DESTRUCTOR_CODE = { sock_rfree: 1, zerocopy_complete: 2, netlink_skb_destructor: 3 } as const;
const UBUF = { vhost: 1, msgzc: 2, "io-notif": 3 } as const;
const FAMILY = { inet: 1, packet: 2, netlink: 3 } as const;
const SEGMENT = /^(.+)\[(\d+)\]$/;
const CACHES = ["napi", "napi_small", "pfrag"] as const;

function buildGraph(state: State, summary: PathSummary): Graph {
  const g = new Graph();
  const completed = new Set(summary.completed);
  const premature = new Set(summary.premature);
  const late = new Set(summary.late);

  // A page_pool page adds whether its pool's ring holds it (appended only
  // then, so other states keep their keys). Which pool is left out: pools
  // differ only for page_pool_put_full_page, which the search never makes.
  for (const p of state.pages.values()) {
    g.add(K.Page, p.name, [OWNER[p.owner], ORIGIN[p.origin], p.refcount, p.caller, b(p.freed), ...(p.pp !== undefined ? [1 + b(p.pp_in_pool === true)] : [])]);
  }
  for (const [pair, ref] of state.fclones) g.add(K.Fclone, pair, [ref]);
  for (const d of state.datas.values()) {
    // The managed and pure flags are appended only when set, so states without them keep their keys.
    const zcFlags = d.managed_frag_refs || d.pure_zerocopy ? [2 * b(!!d.managed_frag_refs) + b(!!d.pure_zerocopy)] : [];
    g.add(K.Data, d.id, [
      d.end,
      d.head_offset,
      d.dataref,
      b(d.head_stolen),
      d.zcopy ? 1 + b(d.zcopy.dont_orphan) : 0,
      d.frags.length,
      d.frag_list.length,
      b(d.shared_frag),
      ...zcFlags,
    ]);
  }
  for (const z of state.buffers.values()) {
    g.add(K.Buffer, z.id, [z.pages.length, z.completions.length, b(completed.has(z.id)), b(premature.has(z.id)), b(late.has(z.id)), b(state.skbs.has(z.skb))]);
  }
  for (const u of state.ubufs.values()) {
    // An io_uring notif's pins (edges below) and silence, appended only when present.
    const notif = u.kind === "io-notif" ? [b(!!u.silent)] : [];
    g.add(K.Ubuf, u.name, [UBUF[u.kind], u.refcnt, b(u.dont_orphan), b(u.zerocopy), u.callbacks, ...notif]);
  }
  for (const q of state.pipes.values()) g.add(K.Pipe, q.name, [q.bufs.length]);
  // A socket's family (appended only when it has one) decides which steps it takes and whether it splices.
  for (const s of state.socks.values()) g.add(K.Sock, s.name, s.family ? [s.queue.length, FAMILY[s.family]] : [s.queue.length]);
  // The page-fragment caches (one of each at most): where the next
  // fragment is carved decides which page the next head or copy lands in.
  CACHES.forEach((slot, k) => {
    const c = state.caches[slot];
    if (c) g.edge(g.add(K.Cache, slot, [k, c.offset, c.size]), [E.CachePage], g.id(K.Page, c.page));
  });
  const lists = new Map<string, number>();
  for (const s of state.skbs.values()) {
    const d = s.destructor;
    g.add(K.Skb, s.name, [
      s.users,
      b(s.cloned),
      b(s.nohdr),
      FCLONE[s.fclone],
      s.data,
      s.len,
      s.data_len,
      s.truesize,
      s.hdr_len,
      b(s.head_frag),
      d ? DESTRUCTOR_CODE[d.fn] : 0,
      b(state.devq.has(s.name)),
      // skb->pp_recycle, appended only when set (other states keep their keys).
      ...(s.pp_recycle ? [1] : []),
    ]);
    const m = s.name.endsWith("]") ? SEGMENT.exec(s.name) : null;
    if (m && !lists.has(m[1])) {
      let n = 0;
      while (state.skbs.has(`${m[1]}[${n}]` as SkbId) || state.graves.has(`${m[1]}[${n}]`)) n++;
      lists.set(m[1], g.add(K.List, m[1], [n]));
    }
  }

  for (const s of state.skbs.values()) {
    const i = g.id(K.Skb, s.name)!;
    g.edge(i, [E.Head], g.id(K.Data, s.head));
    g.edge(i, [E.Sk], g.id(K.Sock, s.sk));
    if (s.destructor?.fn === "zerocopy_complete") g.edge(i, [E.DestructorBuffer], g.id(K.Buffer, s.destructor.buffer));
    if (s.destructor && s.destructor.fn !== "zerocopy_complete") g.edge(i, [E.DestructorSock], g.id(K.Sock, s.destructor.sk));
    g.edge(i, [E.Fclone], g.id(K.Fclone, s.fclonePair));
    const m = s.name.endsWith("]") ? SEGMENT.exec(s.name) : null;
    if (m) g.edge(lists.get(m[1])!, [E.Member, Number(m[2])], i);
  }
  // A list's members were met in table order: put them in index order, so
  // that every node's edges come in an order names do not decide.
  for (const l of lists.values()) g.nodes[l].out.sort((x, y) => x[0][1] - y[0][1]);
  for (const d of state.datas.values()) {
    const i = g.id(K.Data, d.id)!;
    g.edge(i, [E.HeadPage], g.id(K.Page, d.head_page));
    d.frags.forEach((f, k) => g.edge(i, [E.Frag, k, f.offset, f.size], g.id(K.Page, f.page)));
    d.frag_list.forEach((m, k) => g.edge(i, [E.FragList, k], g.id(K.Skb, m)));
    if (d.zcopy) g.edge(i, [E.Ubuf], g.id(K.Ubuf, d.zcopy.ubuf));
    g.edge(i, [E.Release], g.id(K.Buffer, d.release));
  }
  for (const z of state.buffers.values()) {
    const i = g.id(K.Buffer, z.id)!;
    g.edge(i, [E.ArmedSkb], g.id(K.Skb, z.skb));
    z.pages.forEach((p, k) => g.edge(i, [E.BufferPage, k], g.id(K.Page, p)));
  }
  for (const u of state.ubufs.values()) {
    g.edge(g.id(K.Ubuf, u.name)!, [E.UbufBuffer], g.id(K.Buffer, u.buffer));
    (u.pins ?? []).forEach((p, k) => g.edge(g.id(K.Ubuf, u.name)!, [E.UbufPin, k], g.id(K.Page, p)));
  }
  for (const q of state.pipes.values()) {
    const i = g.id(K.Pipe, q.name)!;
    q.bufs.forEach((x, k) => g.edge(i, [E.PipeBuf, k, x.offset, x.len], g.id(K.Page, x.page)));
  }
  for (const s of state.socks.values()) {
    const i = g.id(K.Sock, s.name)!;
    s.queue.forEach((m, k) => g.edge(i, [E.Queue, k], g.id(K.Skb, m)));
  }
  return g;
}

function mix(h: number, v: number): number {
  h ^= (v + 0x9e3779b9 + (h << 6) + (h >>> 2)) | 0;
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}

function hashNumbers(xs: readonly number[], seed = 0x811c9dc5): number {
  let h = seed;
  for (const x of xs) h = mix(h, x | 0);
  return h;
}

function distinct(colors: Uint32Array): number {
  const sorted = colors.slice().sort();
  let k = sorted.length ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) k++;
  return k;
}

/** Per node: [edge hash, neighbour] for its edges both ways. */
function adjacency(g: Graph): Array<Array<readonly [number, number]>> {
  const adj: Array<Array<readonly [number, number]>> = g.nodes.map(() => []);
  g.nodes.forEach((node, i) =>
    node.out.forEach(([l, t]) => {
      const h = hashNumbers(l);
      adj[i].push([h, t]);
      adj[t].push([(h ^ 0x5bd1e995) >>> 0, i]);
    }),
  );
  return adj;
}

/**
 * Colour refinement until the number of colours stops growing. Colours
 * are hashes of structure, so they do not depend on names; a collision
 * only leaves two nodes tied longer (the key stays exact).
 */
function refine(adj: Array<Array<readonly [number, number]>>, colors: Uint32Array, classes: number): Uint32Array {
  const n = colors.length;
  const parts: number[] = [];
  for (;;) {
    const next = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      parts.length = 0;
      for (const [e, t] of adj[i]) parts.push(mix(e, colors[t]));
      parts.sort((x, y) => x - y);
      let c = colors[i];
      for (const p of parts) c = mix(c, p);
      next[i] = c;
    }
    const k = distinct(next);
    if (k === n) return next;
    if (k === classes) return colors;
    colors = next;
    classes = k;
  }
}

/** Each node's first colour: its label, and its mark (symmetry.ts's argument positions) if any. */
function labelColours(g: Graph, marks?: ReadonlyMap<number, number>): Uint32Array {
  const n = g.nodes.length;
  const colors = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = hashNumbers(g.nodes[i].label);
    const m = marks?.get(i);
    colors[i] = m === undefined ? h : mix(h, 0x51ed270b + m);
  }
  return colors;
}

/** A canonical order of the graph's nodes: position -> node. */
function canonicalOrder(g: Graph, marks?: ReadonlyMap<number, number>): number[] {
  const n = g.nodes.length;
  let colors: Uint32Array = labelColours(g, marks);
  let classes = distinct(colors);
  if (classes < n) {
    const adj = adjacency(g);
    colors = refine(adj, colors, classes);
    for (;;) {
      classes = distinct(colors);
      if (classes === n) break;
      // Individualise the first node of the smallest tied class.
      const sorted = colors.slice().sort();
      let tied = -1;
      for (let i = 1; i < n && tied < 0; i++) if (sorted[i] === sorted[i - 1]) tied = sorted[i];
      const split = colors.slice();
      const pick = colors.indexOf(tied);
      split[pick] = mix(split[pick], 0x27d4eb2f);
      colors = refine(adj, split, classes + 1);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => colors[x] - colors[y]);
  return order;
}

function block(h: number, k: number, c1: number, c2: number): number {
  k = Math.imul(k, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finaliser: every input bit moves every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Numbers as bytes of a Latin-1 string (one byte a character in memory):
 * zigzag, then 7 bits a byte, high bit = more.
 */
class Units {
  /** One scratch buffer for every key (keys are built one at a time). */
  private static scratch = new Uint8Array(4096);
  private buf = Units.scratch;
  private n = 0;
  put(v: number): void {
    if (this.n + 8 > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = Units.scratch = bigger;
    }
    let z = v < 0 ? -2 * v - 1 : 2 * v;
    while (z >= 0x80) {
      this.buf[this.n++] = 0x80 | (z & 0x7f);
      z = Math.floor(z / 0x80);
    }
    this.buf[this.n++] = z;
  }
  all(xs: readonly number[]): void {
    this.put(xs.length);
    for (const x of xs) this.put(x);
  }
  /**
   * Two independent 32-bit hashes of the bytes (murmur3's block mix with
   * two seeds and two multipliers): a 64-bit fingerprint.
   */
  hash(out: Uint32Array): void {
    let h1 = 0x9747b28c;
    let h2 = 0x2545f491;
    const buf = this.buf;
    const n = this.n;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const k = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
      h1 = block(h1, k, 0xcc9e2d51, 0x1b873593);
      h2 = block(h2, k, 0x85ebca6b, 0xc2b2ae35);
    }
    let k = 0;
    for (let sh = 0; i < n; i++, sh += 8) k |= buf[i] << sh;
    h1 = block(h1, k, 0xcc9e2d51, 0x1b873593);
    h2 = block(h2, k, 0x85ebca6b, 0xc2b2ae35);
    out[0] = fmix(h1 ^ n);
    out[1] = fmix(h2 ^ Math.imul(n, 0x9e3779b1));
  }
  text(): string {
    let out = "";
    for (let i = 0; i < this.n; i += 8192) out += String.fromCharCode.apply(null, this.buf.subarray(i, Math.min(this.n, i + 8192)) as unknown as number[]);
    return out;
  }
}

/** The graph written out in a canonical order, marks included (each after its node's label). */
function writeGraph(g: Graph, used: boolean, marks?: ReadonlyMap<number, number>): { units: Units; pos: number[] } {
  const order = canonicalOrder(g, marks);
  const pos = new Array<number>(order.length);
  order.forEach((node, p) => (pos[node] = p));
  const u = new Units();
  u.put(used ? 1 : 0);
  u.put(order.length);
  for (const node of order) {
    const n = g.nodes[node];
    u.all(n.label);
    if (marks) u.put(marks.get(node) ?? -1);
    u.put(n.out.length);
    for (const [l, t] of n.out) {
      u.all(l);
      u.put(pos[t]);
    }
  }
  return { units: u, pos };
}

/** The canonical bytes of a search node, and the renamed badCons part (rare). */
function encode(state: State, summary: PathSummary, used: boolean): { units: Units; extra: string | null } {
  const g = buildGraph(state, summary);
  const { units: u, pos } = writeGraph(g, used);
  if (summary.badCons.size === 0) return { units: u, extra: null };
  // The checker remembers the last mismatch it reported per page, in
  // holder names ("h2.frags[0]"): written here with positions instead.
  const renamed: string[] = [];
  for (const [page, sig] of summary.badCons) {
    const p = g.id(K.Page, page);
    if (p === undefined) continue;
    const slash = sig.indexOf("/");
    const holders = sig
      .slice(slash + 1)
      .split(",")
      .filter((h) => h)
      .map((h) => {
        const dot = h.indexOf(".");
        if (dot < 0) return h;
        const owner = h.slice(0, dot);
        const at = g.id(K.Data, owner) ?? g.id(K.Pipe, owner);
        return `${at === undefined ? "?" : pos[at]}${h.slice(dot)}`;
      })
      .sort();
    renamed.push(`${pos[p]}:${sig.slice(0, slash)}/${holders.join(",")}`);
  }
  return { units: u, extra: renamed.sort().join(";") };
}

/**
 * The key of a search node: the state up to renaming, the checker's memory
 * of the path, and the search's own flag (a required operation was used).
 */
export function canonicalKey(state: State, summary: PathSummary, used = false): string {
  const { units, extra } = encode(state, summary, used);
  return extra === null ? units.text() : `${units.text()}!${extra}`;
}

/**
 * A 64-bit fingerprint of canonicalKey(state, summary, used), as two
 * 32-bit halves written to `out` (no string is built): what the search's
 * visited set keeps (TLC keeps 64-bit fingerprints the same way). Two
 * different keys share a fingerprint with probability about 2^-64 per
 * pair; the search prints the resulting estimate (fingerprint.ts).
 */
export function canonicalFingerprint(state: State, summary: PathSummary, used: boolean, out: Uint32Array): void {
  const { units, extra } = encode(state, summary, used);
  units.hash(out);
  if (extra !== null) {
    let a = out[0];
    let b2 = out[1];
    for (let i = 0; i < extra.length; i++) {
      const c = extra.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193) >>> 0;
      b2 = Math.imul(b2 ^ c, 0x5bd1e995) >>> 0;
    }
    out[0] = fmix(a ^ extra.length);
    out[1] = fmix(b2 ^ 0x27d4eb2f);
  }
}

/** Where a step's argument names live in the graph: skbs, sockets, pipes, pages. */
const ARG_KINDS = [K.Skb, K.Sock, K.Pipe, K.Page] as const;

function argNode(g: Graph, name: string): number | undefined {
  for (const k of ARG_KINDS) {
    const i = g.id(k, name);
    if (i !== undefined) return i;
  }
  return undefined;
}

/** A step's argument names as written (a segment list's member is "segs[0]"). */
function refName(a: { readonly name: string; readonly index?: number }): string {
  return a.index === undefined ? a.name : `${a.name}[${a.index}]`;
}

/**
 * Symmetry of a node's steps: for each step (one or more operations, in
 * the order given), the index of the first step that does the same thing
 * up to a renaming that maps the node to itself (an automorphism of its
 * canonical graph that maps one step's arguments onto the other's, in
 * order), or its own index. Such a step's child is the first one's child
 * renamed: the same canonical key, the same finding kinds (the checker
 * reads no names), so judging the first is enough.
 *
 * Cheap where there is nothing to find: steps are grouped by operations,
 * plain arguments and the colour refinement's colour of each named one,
 * and only steps that share a group with another are tested, each by the
 * canonical form of the graph with its arguments marked by position
 * (equal forms are the same marked graph: the renaming exists). Exact:
 * keys are compared as bytes, not hashes. A node whose checker memory
 * names holders (badCons) is left alone.
 */
export function symmetricSteps(state: State, summary: PathSummary, used: boolean, steps: readonly (readonly TraceOp[])[]): Int32Array {
  const rep = new Int32Array(steps.length);
  for (let i = 0; i < steps.length; i++) rep[i] = i;
  if (summary.badCons.size > 0 || steps.length < 2) return rep;
  const g = buildGraph(state, summary);
  const n = g.nodes.length;
  let colors = labelColours(g);
  if (distinct(colors) < n) colors = refine(adjacency(g), colors, distinct(colors));
  // A step's signature up to symmetry; its named arguments, in order.
  const groups = new Map<string, number[]>();
  const argsOf: number[][] = [];
  for (let i = 0; i < steps.length; i++) {
    let sig = "";
    const args: number[] = [];
    for (const op of steps[i]) {
      sig += `${op.fn}(`;
      for (const a of op.args) {
        if (a.kind !== "ref") {
          sig += `${a.value},`;
          continue;
        }
        const node = argNode(g, refName(a));
        // A name not in the graph (made by an earlier operation of the step) is itself.
        if (node === undefined) sig += `@${refName(a)},`;
        else {
          sig += `#${colors[node]},`;
          args.push(node);
        }
      }
      sig += `)${op.result ?? ""};`;
    }
    argsOf.push(args);
    const group = groups.get(sig);
    if (group) group.push(i);
    else groups.set(sig, [i]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const firstOfKey = new Map<string, number>();
    for (const i of group) {
      const marks = new Map<number, number>();
      let clash = false;
      argsOf[i].forEach((node, k) => {
        // One object twice among the arguments: its mark says both positions.
        const m = marks.get(node);
        if (m !== undefined) clash = true;
        marks.set(node, m === undefined ? k : m * 64 + k);
      });
      const key = `${clash ? 1 : 0}|${writeGraph(g, used, marks).units.text()}`;
      const first = firstOfKey.get(key);
      if (first === undefined) firstOfKey.set(key, i);
      else rep[i] = first;
    }
  }
  return rep;
}
