// SPDX-License-Identifier: GPL-2.0-only
/**
 * The search finds the known counterexamples of the semantics reference
 * (section 3.4) at their known minimal lengths, finds none where the
 * reference says none exists, and is deterministic and cancellable.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FindingKind } from "../check/checker";
import { runTrace } from "../engine/replay";
import type { KernelId, PolicyId } from "../model/types";
import type { TraceOp } from "../trace/ast";
import { hasErrors, parseTrace } from "../trace/parse";
import { printOp } from "../trace/print";
import { BASE_OPS, DEFAULT_OPS, ROOT_OPS, candidates, menuOps } from "./menu";
import {
  DEFAULT_PREFIX,
  DEFAULT_PREFIX_TEXT,
  SearchRun,
  expandSlice,
  expandTask,
  replayPath,
  search,
  searchAsync,
  searchThrough,
  throughImplied,
  type Counterexample,
  type SearchOptions,
  type SearchResult,
} from "./search";
import { judgeStep, kindsOf } from "./step";

const text = (c: Counterexample | undefined) => c?.ops.map(printOp);
const find = (r: SearchResult, kind: FindingKind) => r.counterexamples.find((c) => c.kind === kind);

function ops(source: string): TraceOp[] {
  // Snippets: their names may be defined by the prefix they extend.
  const parsed = parseTrace(source.replace(/^[ \t]+/gm, ""), { names: false });
  if (hasErrors(parsed)) throw new Error(parsed.diagnostics.map((d) => d.message).join("; "));
  return [...parsed.trace.ops];
}

/** The shortest counterexample that uses `op`, with the base operations only. */
function through(policy: PolicyId, kernel: KernelId, op: string, maxDepth = 3): SearchResult {
  return search({ policy, kernel, maxDepth, ops: [...BASE_OPS, op], require: op });
}

describe("shinfo-release (the seed patch) on 2.6.32: the reference's shortest sequences", () => {
  it("pskb_expand_head alone: release fires inside the expansion (1 step)", () => {
    const r = through("shinfo-release", "2.6.32", "pskb_expand_head");
    expect(text(find(r, "premature"))).toEqual(["pskb_expand_head(a, 0, 0)"]);
    expect(find(r, "premature")!.length).toBe(1);
  });

  it("Tsirkin's pskb_copy, then the original freed (2 steps)", () => {
    const r = through("shinfo-release", "2.6.32", "pskb_copy");
    expect(text(find(r, "premature"))).toEqual(["b = pskb_copy(a)", "kfree_skb(a)"]);
  });

  it("skb_split, then the original freed (2 steps)", () => {
    const r = through("shinfo-release", "2.6.32", "skb_split");
    expect(find(r, "premature")!.length).toBe(2);
    // tcp_fragment splits strictly inside the skb (caller contract
    // split-inside-skb): a's only frag is split in two.
    expect(text(find(r, "premature"))).toEqual(["b = skb_split(a, 2048)", "kfree_skb(a)"]);
  });

  it("local delivery, splice, the reader's free (3 steps)", () => {
    const r = through("shinfo-release", "2.6.32", "skb_splice_bits");
    const c = find(r, "premature")!;
    expect(c.length).toBe(3);
    expect(text(c)).toEqual(["s = sock_create()", "sock_queue_rcv_skb(s, a)", "q = skb_splice_bits(a, 0, 4096)", "sk_eat_skb(s, a)"]);
    expect(c.finding.holder).toBe("q.bufs[0]");
  });

  it("skb_segment, then the original freed (2 steps)", () => {
    expect(text(find(through("shinfo-release", "2.6.32", "skb_segment"), "premature"))).toEqual(["segs = skb_segment(a, 4096)", "kfree_skb(a)"]);
  });

  it("the whole menu: the shortest premature completion is one pskb_expand_head", () => {
    const r = search({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2 });
    expect(text(find(r, "premature"))).toEqual(["pskb_expand_head(a, 0, 0)"]);
    expect(r.counterexamples.every((c) => c.verified)).toBe(true);
    expect(r.internal).toEqual([]);
  });

  it("the reference's only miss: a linearize that fits, skb_recycle_check, free (3 steps)", () => {
    const prefix = ops(DEFAULT_PREFIX_TEXT.replace("alloc_skb(256)", "alloc_skb(8192)"));
    const r = search({ policy: "shinfo-release", kernel: "2.6.32", prefix, maxDepth: 3, kinds: ["missed"] });
    expect(text(find(r, "missed"))).toEqual(["__pskb_pull_tail(a, 4096)", "skb_recycle_check(a, 1536)", "kfree_skb(a)"]);
  });

  it("searchThrough reports each operation's own shortest counterexample", () => {
    const report = searchThrough({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 3 }, [
      "pskb_copy",
      "skb_split",
      "pskb_expand_head",
      "skb_splice_bits",
      "__skb_header_release",
      "skb_orphan",
    ]);
    const own = Object.fromEntries(report.map((t) => [t.op, t.own.map((c) => `${c.kind}/${c.length}`)]));
    expect(own).toEqual({
      pskb_copy: ["premature/2"],
      skb_split: ["premature/2"],
      pskb_expand_head: ["premature/1"],
      skb_splice_bits: ["premature/3"],
      // late after __skb_header_release(a) and a delivery: the delivery alone is late
      __skb_header_release: [],
      skb_orphan: [],
    });
    // With the whole menu beside it, paths through __skb_header_release also
    // reach premature (then pskb_expand_head), but none needs it.
    expect(report.find((t) => t.op === "__skb_header_release")!.result.counterexamples.map((c) => c.kind)).toEqual(["premature", "late"]);
  });
});

describe("shinfo-release ported to 6.1", () => {
  it("pskb_copy then free is premature; a sole-owner expansion loses release (missed)", () => {
    const r = search({ policy: "shinfo-release", kernel: "6.1", maxDepth: 2 });
    // The shortest premature is GRO: a's frags move into b and
    // napi_skb_finish frees a, so release() fires while b holds g.
    expect(text(find(r, "premature"))).toEqual(["b = alloc_skb(256)", "skb_gro_receive(b, a)"]);
    expect(text(find(r, "missed"))).toEqual(["pskb_expand_head(a, 0, 0)", "kfree_skb(a)"]);
    const [copy] = searchThrough({ policy: "shinfo-release", kernel: "6.1", maxDepth: 2 }, ["pskb_copy"]);
    expect(text(find(copy.result, "premature"))).toEqual(["b = pskb_copy(a)", "kfree_skb(a)"]);
  });
});

describe("policies the reference finds no counterexample for", () => {
  it("ubuf-orphan (the merged ubuf_info + skb_orphan_frags design, 6.1): none up to 3 steps", () => {
    const r = search({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 3 });
    expect(r.counterexamples).toEqual([]);
    expect(r.depth).toBe(3);
    expect(r.stoppedBy).toBeNull();
    // States of up to 2 steps kept, the third judged without being kept (dedupeLeaves).
    expect(r.states).toBeGreaterThan(300);
    expect(r.leaves).toBeGreaterThan(10_000);
    expect(r.internal).toEqual([]);
  });

  // One depth-3 search per root operation (about 10,000 states each): the
  // time grows with the roots, so the budget is per root, not vitest's 60 s.
  it("ubuf-orphan: none through any operation up to 3 steps", { timeout: 8000 * ROOT_OPS.length }, () => {
    const report = searchThrough({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 3 });
    expect(report.length).toBeGreaterThan(15);
    expect(report.flatMap((t) => t.result.counterexamples)).toEqual([]);
  });

  it("a whole search that finds nothing implies every per-operation search finds nothing, as running them shows", () => {
    const options = { policy: "ubuf-orphan", kernel: "6.1", maxDepth: 2 } as const;
    const whole = search(options);
    const run = searchThrough(options);
    const implied = searchThrough(options, ROOT_OPS, whole);
    expect(run.flatMap((t) => t.result.counterexamples)).toEqual([]);
    expect(implied.map((t) => t.op)).toEqual(run.map((t) => t.op));
    expect(implied.every((t) => t.result.impliedBy === "whole-search" && t.own.length === 0 && t.result.depth === 2)).toBe(true);
    expect(run.every((t) => t.result.impliedBy === undefined)).toBe(true);
  });

  it("a whole search that found something, or stopped early, implies nothing", () => {
    const found = search({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2 });
    expect(found.counterexamples.length).toBeGreaterThan(0);
    expect(throughImplied(found, "pskb_copy")).toBeNull();
    const cut = search({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 3, maxStates: 50 });
    expect(cut.stoppedBy).toBe("budget");
    expect(throughImplied(cut, "pskb_copy")).toBeNull();
    const whole = search({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 1 });
    expect(throughImplied(whole, "no_such_op")).toBeNull();
    expect(throughImplied(whole, "pskb_copy")?.result.impliedBy).toBe("whole-search");
  });

  it("msg-zerocopy (6.1): none up to 2 steps but the openvswitch upcall, which delivers without orphaning (late)", () => {
    // queue_userspace_packet: skb_zerocopy shares a MSG_ZEROCOPY page with
    // the netlink message and nothing calls skb_orphan_frags_rx: the
    // sender waits on ovs-vswitchd (6.1 net/openvswitch/datapath.c l.550).
    // The start's head is empty and kmalloc'd, so skb_zerocopy_headlen()
    // asks for all of it (a copy) until a pull puts bytes in the head.
    const r = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 2 });
    const found = r.counterexamples.map((c) => [c.kind, c.ops.map((o) => o.fn)]);
    expect(found).toEqual([["late", ["__pskb_pull_tail", "netlink_create", "queue_userspace_packet"]]]);
  });

  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`page-refs tracks every page reference: never premature (${kernel}), only late through a socket`, () => {
      const r = search({ policy: "page-refs", kernel, maxDepth: 3 });
      expect(find(r, "premature")).toBeUndefined();
      expect(r.counterexamples.map((c) => c.kind)).toEqual(["late"]);
    });
  }

  it('judged as if every path could end anywhere ("missed" at any step), ubuf-orphan still never misses', () => {
    // ___pskb_trim() drops every frag but keeps the ubuf until the skb is
    // freed: the owner is told at kfree_skb(a). The Checker counts a
    // buffer whose ubuf is still held as pending, not missed.
    const r = search({ policy: "ubuf-orphan", kernel: "6.1", maxDepth: 2, missedAt: "any" });
    expect(r.counterexamples.filter((c) => c.kind === "missed")).toEqual([]);
  });
});

describe("search mechanics", () => {
  const options: SearchOptions = { policy: "shinfo-release", kernel: "2.6.32", maxDepth: 3 };

  it("is deterministic: the same options give the same result", () => {
    expect(search(options)).toEqual(search(options));
  });

  it("splitting the frontier across workers changes nothing (paths only, rebuilt in each slice)", () => {
    const variants: SearchOptions[] = [
      options,
      { ...options, maxStates: 3000 },
      { ...options, maxDepth: 4, kinds: ["premature", "late"], stopWhenFound: true },
    ];
    for (const o of variants) {
      const alone = search(o);
      for (const [n, size] of [
        [2, 100],
        [3, 7],
        [7, 1000],
      ]) {
        const run = new SearchRun(o);
        while (!run.done) {
          const slices = run.tasks(n, size);
          const config = run.sliceConfig();
          const results = slices.map((slice) => structuredClone(expandSlice(config, run.start, structuredClone(slice))));
          run.accept(results, slices);
        }
        expect(run.result(), `${n} slices of ${size}, ${JSON.stringify({ ...o, prefix: undefined })}`).toEqual(alone);
      }
    }
  });

  it("searchAsync: slices answered out of order by several workers give search()'s result", async () => {
    let flip = 0;
    const worker = (task: Parameters<typeof expandTask>[0]) =>
      new Promise<ReturnType<typeof expandTask>>((resolve) => {
        const result = structuredClone(expandTask(structuredClone(task)));
        // Every other answer comes a tick later: completion order differs from slice order.
        if (flip++ % 2) setTimeout(() => resolve(result), 0);
        else resolve(result);
      });
    const r = await searchAsync(options, worker, { concurrency: 3, sliceSize: 64 });
    expect(r).toEqual(search(options));
  });

  it("searchAsync: a cancel stops the workers' search", async () => {
    let slices = 0;
    const r = await searchAsync(
      { ...options, maxDepth: 6, shouldStop: () => slices >= 3 },
      async (task) => {
        slices++;
        return expandTask(task);
      },
      { concurrency: 2, sliceSize: 8 },
    );
    expect(r.stoppedBy).toBe("cancelled");
    expect(slices).toBeLessThanOrEqual(4);
  });

  it("a cancel stops the search", () => {
    let asked = 0;
    const r = search({ ...options, maxDepth: 6, checkEvery: 16, shouldStop: () => ++asked > 3 });
    expect(r.stoppedBy).toBe("cancelled");
    expect(r.transitions).toBeLessThan(200);
    expect(r.depth).toBeLessThan(6);
  });

  it("a cancel between slices stops a worker-driven search", () => {
    const run = new SearchRun({ ...options, maxDepth: 6 });
    const slices = run.tasks(2);
    run.accept([expandSlice(run.sliceConfig(), run.start, slices[0])], [slices[0]]);
    run.cancel();
    expect(run.done).toBe(true);
    expect(run.result().stoppedBy).toBe("cancelled");
  });

  it("stops at the state budget", () => {
    const r = search({ ...options, maxStates: 50 });
    expect(r.stoppedBy).toBe("budget");
    expect(r.states).toBe(50);
  });

  it("stopWhenFound stops at the first shortest counterexample of the kinds asked", () => {
    const r = search({ ...options, maxDepth: 5, kinds: ["premature"], stopWhenFound: true });
    expect(r.stoppedBy).toBe("found");
    expect(text(find(r, "premature"))).toEqual(["pskb_expand_head(a, 0, 0)"]);
    expect(r.states).toBeLessThan(100);
  });

  it("reports progress with states per second from the caller's clock", () => {
    let now = 0;
    const seen: number[] = [];
    let rate = 0;
    search({
      ...options,
      clock: () => (now += 10),
      checkEvery: 64,
      onProgress: (p) => {
        seen.push(p.states);
        rate = p.statesPerSecond ?? 0;
      },
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(rate).toBeGreaterThan(0);
  });

  it("a start trace that fails is refused", () => {
    expect(() => search({ ...options, prefix: ops("a = alloc_skb(256)\nkfree_skb(b)") })).toThrow(/no skb named b/);
  });

  it("counterexamples are whole traces that runTrace judges the same way", () => {
    const r = search({ policy: "shinfo-release", kernel: "6.1", maxDepth: 2 });
    for (const c of r.counterexamples) {
      expect(c.trace.ops.slice(0, DEFAULT_PREFIX.length)).toEqual(DEFAULT_PREFIX);
      const run = runTrace(c.trace);
      expect(run.steps.filter((s) => s.error)).toEqual([]);
      expect(run.findings.some((f) => f.kind === c.kind && f.step === c.trace.ops.length)).toBe(true);
    }
  });
});

describe("the search's step judgement agrees with runTrace's Checker", () => {
  it("the owner's reuse after a premature completion is premature again; a second read is not", () => {
    const body = ops(`${DEFAULT_PREFIX_TEXT}b = pskb_copy(a)\nkfree_skb(a)\nowner_reuse(g)\nowner_reuse(g)`);
    let start = replayPath({ policy: "shinfo-release", kernel: "2.6.32" }, body.slice(0, DEFAULT_PREFIX.length));
    const kinds = body.slice(DEFAULT_PREFIX.length).map((op) => {
      const j = judgeStep("shinfo-release", start.state, start.summary, op);
      start = { state: j.state, summary: j.summary, kinds: [] };
      return kindsOf(j, "any");
    });
    expect(kinds).toEqual([[], ["premature"], ["premature"], ["premature"]]);
    const run = runTrace({ ops: body }, { policy: "shinfo-release", kernel: "2.6.32" });
    expect(run.findings.map((f) => `${f.kind}@${f.step}`)).toEqual(["premature@6", "premature@7", "premature@8"]);
  });

  const settings = [
    ["shinfo-release", "2.6.32"],
    ["shinfo-release", "6.1"],
    ["page-refs", "6.1"],
    ["destructor", "2.6.32"],
    ["ubuf-orphan", "6.1"],
    ["msg-zerocopy", "6.1"],
  ] as const;
  it("on random walks: the kinds of every step, and missed as if the trace ended there", () => {
    fc.assert(
      fc.property(fc.constantFrom(...settings), fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), ([policy, kernel], choices) => {
        const menu = menuOps(DEFAULT_OPS, kernel);
        const prefix = ops(DEFAULT_PREFIX_TEXT);
        let start = replayPath({ policy, kernel }, prefix);
        const path: TraceOp[] = [...prefix];
        const judged: { kinds: FindingKind[]; missed: boolean }[] = [];
        for (const c of choices) {
          // The menu, plus the owner's reuse of its page (not a kernel move,
          // so not in the menu, but the Checker judges it).
          const next = [...candidates(start.state, menu), ops("owner_reuse(g)")];
          for (const op of next[c % next.length]) {
            const j = judgeStep(policy, start.state, start.summary, op);
            if (j.error) break;
            path.push(op);
            judged.push({
              kinds: kindsOf(j, "any")
                .filter((k) => k !== "missed")
                .sort(),
              missed: j.missed.length > 0,
            });
            start = { state: j.state, summary: j.summary, kinds: [] };
          }
        }
        const whole = runTrace({ ops: path }, { policy, kernel });
        for (let i = 0; i < judged.length; i++) {
          const step = prefix.length + i + 1;
          const label = `${policy} ${kernel}: ${path.map(printOp).join("; ")} at step ${step}`;
          const kinds = [...new Set(whole.findings.filter((f) => f.step === step && f.kind !== "missed").map((f) => f.kind))].sort();
          expect(judged[i].kinds, label).toEqual(kinds);
          const ended = runTrace({ ops: path.slice(0, step) }, { policy, kernel });
          expect(judged[i].missed, label).toBe(ended.findings.some((f) => f.kind === "missed"));
        }
      }),
      { numRuns: 200 },
    );
  });
});
