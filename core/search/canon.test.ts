// SPDX-License-Identifier: GPL-2.0-only
/**
 * The canonical form: symmetric states are one state, different states are
 * two, and the checker's memory of the path is part of the key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BufferId, KernelId, PolicyId, State } from "../model/types";
import type { Arg, TraceOp } from "../trace/ast";
import { hasErrors, parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { canonicalKey } from "./canon";
import { DEFAULT_OPS, candidates, menuOps } from "./menu";
import { DEFAULT_PREFIX_TEXT, replayPath } from "./search";
import type { PathSummary } from "./step";

function ops(text: string): TraceOp[] {
  const parsed = parseTrace(text.replace(/^[ \t]+/gm, ""));
  if (hasErrors(parsed)) throw new Error(parsed.diagnostics.map((d) => d.message).join("; "));
  return [...parsed.trace.ops];
}

function key(body: string, policy: PolicyId = "shinfo-release", kernel: KernelId = "2.6.32", prefix = DEFAULT_PREFIX_TEXT): string {
  const start = replayPath({ policy, kernel }, ops(`${prefix}\n${body}`));
  return canonicalKey(start.state, start.summary);
}

describe("canonicalKey: symmetric traces count as one state", () => {
  it("two clones made in either order, under any names", () => {
    const k = key("b = skb_clone(a)\nc = skb_clone(a)\nkfree_skb(b)");
    expect(key("b = skb_clone(a)\nc = skb_clone(a)\nkfree_skb(c)")).toBe(k);
    expect(key("x = skb_clone(a)\ny = skb_clone(a)\nkfree_skb(y)")).toBe(k);
  });

  it("pskb_copy twice, then either copy freed: the Datas h2 and h3 are interchangeable", () => {
    const k = key("b = pskb_copy(a)\nc = pskb_copy(a)\nkfree_skb(b)");
    expect(key("b = pskb_copy(a)\nc = pskb_copy(a)\nkfree_skb(c)")).toBe(k);
  });

  it("independent operations in either order reach one state", () => {
    expect(key("skb_get(a)\nb = skb_clone(a)")).toBe(key("b = skb_clone(a)\nskb_get(a)"));
  });

  it("renaming the start's skb and page gives the same key", () => {
    const renamed = DEFAULT_PREFIX_TEXT.replace(/\bg\b/g, "p").replace(/\ba\b/g, "orig");
    expect(key("c = pskb_copy(orig)", "shinfo-release", "2.6.32", renamed)).toBe(key("c = pskb_copy(a)"));
  });

  it("different states have different keys", () => {
    const keys = [
      "b = skb_clone(a)",
      "b = pskb_copy(a)",
      "b = skb_copy(a)",
      "b = skb_split(a, 1024)",
      "b = skb_split(a, 2048)",
      "skb_get(a)",
      "pskb_expand_head(a, 0, 0)",
      "pskb_expand_head(a, 64, 0)",
      "b = pskb_copy(a)\nkfree_skb(a)",
      "b = pskb_copy(a)\nkfree_skb(b)",
    ].map((body) => key(body));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("a socket's family is part of the key: a tap's empty socket is not a local one", () => {
    const tap = key("b = alloc_skb(256)\nk = sock_create()\nt = dev_queue_xmit_nit(k, b)\nsk_eat_skb(k, t)\nkfree_skb(b)", "msg-zerocopy", "6.1");
    const local = key("b = alloc_skb(256)\nk = sock_create()\nsock_queue_rcv_skb(k, b)\nsk_eat_skb(k, b)", "msg-zerocopy", "6.1");
    expect(tap).not.toBe(local);
  });

  it("the checker's memory of the path is part of the key", () => {
    const start = replayPath({ policy: "shinfo-release", kernel: "2.6.32" }, ops(DEFAULT_PREFIX_TEXT));
    const plain = canonicalKey(start.state, start.summary);
    expect(canonicalKey(start.state, { ...start.summary, completed: ["z1" as BufferId] })).not.toBe(plain);
    expect(canonicalKey(start.state, { ...start.summary, late: ["z1" as BufferId] })).not.toBe(plain);
    expect(canonicalKey(start.state, start.summary, true)).not.toBe(plain);
  });

  it("a segment list keeps its members' order", () => {
    const k = key("segs = skb_segment(a, 2048)\nkfree_skb(segs[0])");
    expect(key("segs = skb_segment(a, 2048)\nkfree_skb(segs[1])")).not.toBe(k);
    expect(key("l = skb_segment(a, 2048)\nkfree_skb(l[0])")).toBe(k);
  });
});

describe("canonicalKey: every field of the model is either in the key or known to be irrelevant", () => {
  // A new field in core/model/types.ts must be added to canon.ts (or here,
  // with the reason it cannot change what a later step does): a field the
  // key ignores would merge states that behave differently.
  // kernel, policy and without (reverted fixes) are one search's settings,
  // the same in every state it compares.
  const covered: Record<string, string[]> = {
    state: [
      "kernel",
      "policy",
      "without",
      "step",
      "counters",
      "skbs",
      "datas",
      "pages",
      "pipes",
      "socks",
      "devq",
      "ubufs",
      "buffers",
      "graves",
      "fclones",
      "caches",
    ],
    skb: [
      "name",
      "users",
      "cloned",
      "nohdr",
      "fclone",
      "fclonePair",
      "head",
      "data",
      "len",
      "data_len",
      "truesize",
      "hdr_len",
      "head_frag",
      "destructor",
      "sk",
      "pp_recycle",
    ],
    data: [
      "id",
      "end",
      "head_page",
      "head_offset",
      "dataref",
      "frags",
      "frag_list",
      "zcopy",
      "release",
      "head_stolen",
      "shared_frag",
      "managed_frag_refs",
      "pure_zerocopy",
    ],
    page: ["name", "owner", "origin", "refcount", "caller", "freed", "pp", "pp_in_pool"],
    pipe: ["name", "bufs"],
    sock: ["name", "queue", "family"],
    // len (MSG_ZEROCOPY uarg->len) only sets the next msg_zerocopy_realloc's
    // len, never a lifetime, and that op is not on the menu.
    ubuf: ["name", "kind", "refcnt", "dont_orphan", "buffer", "zerocopy", "callbacks", "len", "pins", "silent"],
    buffer: ["id", "skb", "pages", "armedAt", "completions"],
  };
  it("SKBFL_SHARED_FRAG set or clear is two states (an in-place writer copies first or not)", () => {
    const sendfile = "f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1000)\nput_page(f)\nb = alloc_skb(256)\ndo_tcp_sendpages(b, q)";
    const start = replayPath({ policy: "page-refs", kernel: "6.1" }, ops(sendfile));
    const data = [...start.state.datas.values()].find((d) => d.shared_frag)!;
    expect(data).toBeDefined();
    const cleared = new Map(start.state.datas).set(data.id, { ...data, shared_frag: false });
    expect(canonicalKey({ ...start.state, datas: cleared }, start.summary)).not.toBe(canonicalKey(start.state, start.summary));
  });

  it("an skb on the device queue is a different state from one that is not", () => {
    expect(key("dev_queue_xmit(a)")).not.toBe(key(""));
  });

  it("has no field canon.ts does not know", () => {
    const start = replayPath(
      { policy: "ubuf-orphan", kernel: "6.1" },
      ops(`${DEFAULT_PREFIX_TEXT}b = alloc_skb(256)\ns = sock_create()\nsock_queue_rcv_skb(s, b)\nq = skb_splice_bits(b, 0, 0)`),
    );
    const st = start.state;
    const first = <T>(m: ReadonlyMap<unknown, T>) => [...m.values()][0] as object;
    const seen: Record<string, string[]> = {
      state: Object.keys(st),
      skb: Object.keys(first(st.skbs)),
      data: Object.keys(first(st.datas)),
      page: Object.keys(first(st.pages)),
      pipe: Object.keys(first(st.pipes)),
      sock: Object.keys(first(st.socks)),
      ubuf: Object.keys(first(st.ubufs)),
      buffer: Object.keys(first(st.buffers)),
    };
    for (const [kind, fields] of Object.entries(seen))
      expect(
        fields.filter((f) => !covered[kind].includes(f)),
        kind,
      ).toEqual([]);
  });
});

/** Rename every name the trace introduces, consistently. */
function rename(trace: readonly TraceOp[], names: ReadonlyMap<string, string>): TraceOp[] {
  const r = (n: string) => names.get(n) ?? n;
  return trace.map((op) => ({
    ...op,
    ...(op.result ? { result: r(op.result) } : {}),
    args: op.args.map((a): Arg => (a.kind === "ref" ? { ...a, name: r(a.name) } : a)),
  }));
}

/**
 * The same state with every object renamed (skbs, Datas, pages, pipes,
 * sockets, ubufs, buffers, fclone pairs, the caches' pages) and every
 * table in another order.
 */
function scramble(state: State, summary: PathSummary, seed: number): [State, PathSummary] {
  const names = new Map<string, string>();
  let n = 0;
  const r = (x: string): string => {
    const seg = /^(.+)\[(\d+)\]$/.exec(x);
    if (seg) return `${r(seg[1])}[${seg[2]}]`;
    if (!names.has(x)) names.set(x, `o${(n++ * 31 + seed) % 1009}_${n}`);
    return names.get(x)!;
  };
  const rn = <T extends string | null>(x: T): T => (x === null ? x : (r(x) as T));
  const shuffle = <K, V>(m: ReadonlyMap<K, V>, f: (k: K, v: V) => [K, V]): Map<K, V> => {
    const entries = [...m].map(([k, v]) => f(k, v));
    const out: [K, V][] = [];
    entries.forEach((e, i) => ((i + seed) % 2 ? out.push(e) : out.unshift(e)));
    return new Map(out);
  };
  const st: State = {
    ...state,
    skbs: shuffle(state.skbs, (k, s) => [
      rn(k),
      {
        ...s,
        name: rn(s.name),
        head: rn(s.head),
        sk: rn(s.sk),
        fclonePair: rn(s.fclonePair),
        destructor:
          s.destructor &&
          (s.destructor.fn === "zerocopy_complete" ? { ...s.destructor, buffer: rn(s.destructor.buffer) } : { ...s.destructor, sk: rn(s.destructor.sk) }),
      },
    ]),
    datas: shuffle(state.datas, (k, d) => [
      rn(k),
      {
        ...d,
        id: rn(d.id),
        head_page: rn(d.head_page),
        frags: d.frags.map((f) => ({ ...f, page: rn(f.page) })),
        frag_list: d.frag_list.map(rn),
        zcopy: d.zcopy && { ...d.zcopy, ubuf: rn(d.zcopy.ubuf) },
        release: rn(d.release),
      },
    ]),
    pages: shuffle(state.pages, (k, p) => [rn(k), { ...p, name: rn(p.name) }]),
    pipes: shuffle(state.pipes, (k, q) => [rn(k), { ...q, name: rn(q.name), bufs: q.bufs.map((x) => ({ ...x, page: rn(x.page) })) }]),
    socks: shuffle(state.socks, (k, s) => [rn(k), { ...s, name: rn(s.name), queue: s.queue.map(rn) }]),
    ubufs: shuffle(state.ubufs, (k, u) => [rn(k), { ...u, name: rn(u.name), buffer: rn(u.buffer) }]),
    buffers: shuffle(state.buffers, (k, z) => [rn(k), { ...z, id: rn(z.id), skb: rn(z.skb), pages: z.pages.map(rn) }]),
    graves: shuffle(state.graves, (k, g) => [r(k), g]),
    fclones: shuffle(state.fclones, (k, v) => [r(k), v]),
    caches: Object.fromEntries(Object.entries(state.caches).map(([slot, c]) => [slot, c && { ...c, page: rn(c.page) }])) as unknown as State["caches"],
  };
  const sum: PathSummary = {
    completed: summary.completed.map(rn),
    premature: summary.premature.map(rn),
    late: summary.late.map(rn),
    badCons: new Map([...summary.badCons].map(([p, sig]) => [r(p), sig.replace(/(^|[,/])([^,/.]+)\./g, (_, pre, owner) => `${pre}${r(owner)}.`)])),
  };
  return [st, sum];
}

describe("canonicalKey: property", () => {
  const settings = [
    ["shinfo-release", "2.6.32"],
    ["ubuf-orphan", "6.1"],
  ] as const;
  it("a random walk of the menu and any consistent renaming of it give one key", () => {
    fc.assert(
      fc.property(fc.constantFrom(...settings), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.nat(), ([policy, kernel], choices, seed) => {
        const menu = menuOps(DEFAULT_OPS, kernel);
        let start = replayPath({ policy, kernel }, ops(DEFAULT_PREFIX_TEXT));
        const path: TraceOp[] = [];
        for (const c of choices) {
          const next = candidates(start.state, menu);
          if (next.length === 0) break;
          const step = next[c % next.length];
          try {
            start = replayPath({ policy, kernel }, step, start);
          } catch {
            continue; // refused by the kernel: pruned, as the search does
          }
          path.push(...step);
        }
        const all = [...ops(DEFAULT_PREFIX_TEXT), ...path];
        const introduced = [...new Set(all.flatMap((op) => (op.result ? [op.result] : [])))];
        const shuffled = introduced.map((n, i) => [n, `n${(i * 7 + seed) % 97}_${i}`] as const);
        const renamed = rename(all, new Map(shuffled));
        const other = replayPath({ policy, kernel }, renamed);
        const text = printTrace({ ops: all });
        const k = canonicalKey(start.state, start.summary);
        expect(canonicalKey(other.state, other.summary), text).toBe(k);
        const [st, sum] = scramble(start.state, start.summary, seed);
        expect(canonicalKey(st, sum), text).toBe(k);
      }),
      { numRuns: 150 },
    );
  });
});
