// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import type { RunOptions } from "../engine/replay";
import { clean, trace as run, view } from "../testdata/harness";

/**
 * These tests call skb_splice_bits() on skbs no socket received, as the
 * kernel oracle does, to see the function's own mechanics: a path no 6.1
 * caller takes (caller contract read-from-receive-queue), so flagged.
 */
const trace = (source: string, options: RunOptions = {}) => run(source, { contracts: "flag", ...options });
import type { PipeId } from "../model/types";

// Read: net/core/skbuff.c __skb_splice_bits(), __splice_segment(), spd_fill_page(),
// linear_to_page() 6.1 l.2613-2790, 2.6.32 l.1373-1590; fs/splice.c splice_to_pipe().
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("skb_splice_bits", () => {
  it("each pipe buffer owns a page reference that outlives the skb", () => {
    const run = clean(trace(`${BASE}q = skb_splice_bits(a, 0, 4096)\nkfree_skb(a)`));
    const v = view(run.final);
    expect(v.pages.g).toBe(1);
    expect(v.holders.g).toEqual(["q.bufs[0]"]);
  });

  it("pipe_release puts every buffer's page", () => {
    const run = clean(trace(`${BASE}q = skb_splice_bits(a, 0, 4096)\nkfree_skb(a)\npipe_release(q)`));
    expect(view(run.final).pages.g).toBe(0);
    const again = trace(`${BASE}q = skb_splice_bits(a, 0, 4096)\npipe_release(q)\npipe_release(q)`);
    expect(again.steps[5].error).toMatchObject({ kind: "double-free" });
  });

  it("an offset and a length pick the bytes; splicing again appends to the pipe", () => {
    const run = clean(trace(`${BASE}q = skb_splice_bits(a, 1000, 500)\nskb_splice_bits(a, 2000, 100, q)`));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([
      { page: "g", offset: 1000, len: 500 },
      { page: "g", offset: 2000, len: 100 },
    ]);
    expect(view(run.final).pages.g).toBe(3);
  });

  it("the kmalloc'd linear part is copied into a page frag (linear_to_page)", () => {
    const run = clean(trace(`a = alloc_skb(256)\nskb_put(a, 100)\nq = skb_splice_bits(a, 0, 100)`));
    const v = view(run.final);
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([{ page: "k1", offset: 0, len: 100 }]);
    expect(v.holders.k1).toEqual(["q.bufs[0]", "task_frag"]);
  });

  it("6.1: an uncloned head_frag head is spliced without a copy", () => {
    const run = clean(trace(`a = napi_alloc_skb(200)\nskb_put(a, 100)\nq = skb_splice_bits(a, 0, 100)`, { kernel: "6.1" }));
    expect(view(run.final).holders.k1).toEqual(["h1.head", "q.bufs[0]"]);
    // the 1 KiB slice at 3072 of the NAPI page, data at +64
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([{ page: "k1", offset: 3136, len: 100 }]);
  });

  it("6.1 coalesces adjacent pieces of one page into one entry; 2.6.32 does not", () => {
    const src = `g = alloc_page(guest)\nget_page(g)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 1000)\nskb_fill_page_desc(a, 1, g, 1000, 1000)\nq = skb_splice_bits(a, 0, 2000)`;
    expect(clean(trace(src, { kernel: "6.1" })).final.pipes.get("q" as PipeId)!.bufs).toHaveLength(1);
    expect(clean(trace(src, { kernel: "2.6.32" })).final.pipes.get("q" as PipeId)!.bufs).toHaveLength(2);
  });
});

describe("the page frag linear bytes are copied into", () => {
  it("6.1 task_frag keeps its own reference across pipes and is reused from 0 once alone", () => {
    const src = `a = alloc_skb(256)\nskb_put(a, 100)\nq = skb_splice_bits(a, 0, 100)\npipe_release(q)\nr = skb_splice_bits(a, 0, 100)`;
    const run = clean(trace(src, { kernel: "6.1" }));
    expect(view(run.snapshotAt(4)).holders.k1).toEqual(["task_frag"]);
    expect(run.final.pipes.get("r" as PipeId)!.bufs).toEqual([{ page: "k1", offset: 0, len: 100 }]);
  });

  it("2.6.32 sk_sndmsg_page fills an order-0 page, then takes a new one", () => {
    const src = `a = alloc_skb(4096)\nskb_put(a, 4000)\nq = skb_splice_bits(a, 0, 4000)\nskb_splice_bits(a, 0, 200, q)`;
    const run = clean(trace(src, { kernel: "2.6.32" }));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([
      { page: "k1", offset: 0, len: 4000 },
      { page: "k1", offset: 4000, len: 96 },
      { page: "k2", offset: 0, len: 104 },
    ]);
    expect(view(run.final).holders.k1).toEqual(["q.bufs[0]", "q.bufs[1]"]);
  });
});

describe("do_tcp_sendpages", () => {
  // Read: net/ipv4/tcp.c tcp_build_frag() 6.1 l.984, do_tcp_sendpages() l.1049;
  // 2.6.32 do_tcp_sendpages() l.763; fs/splice.c pipe_to_sendpage().
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`plants the pipe's pages in the socket's skb, then releases the buffers (${kernel})`, () => {
      const run = clean(trace(`${BASE}q = skb_splice_bits(a, 0, 4096)\nkfree_skb(a)\nn = alloc_skb(256)\ndo_tcp_sendpages(n, q)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.n).toMatchObject({ len: 4096, data_len: 4096, frags: ["g+0:4096"] });
      expect(v.holders.g).toEqual(["h2.frags[0]"]);
      expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([]);
    });
  }

  it("extends the last frag when the next piece continues it (skb_can_coalesce)", () => {
    const run = clean(
      trace(`${BASE}q = skb_splice_bits(a, 0, 1000)\nskb_splice_bits(a, 1000, 1000, q)\nn = alloc_skb(256)\ndo_tcp_sendpages(n, q)`, { kernel: "2.6.32" }),
    );
    const v = view(run.final);
    expect(v.skbs.n.frags).toEqual(["g+0:2000"]);
    expect(v.pages.g).toBe(2);
  });
});

describe("skb_splice_bits' result text", () => {
  it('says "1 pipe buffer", not "1 pipe buffers"', async () => {
    const { parseTrace, runTrace } = await import("../index");
    const run = runTrace(parseTrace(`${BASE}q = skb_splice_bits(a, 0, 4096)\n`).trace, { contracts: "flag" });
    const results = run.steps[3].events.filter((e) => e.kind === "result").map((e) => (e as { value: string }).value);
    expect(results).toEqual(["4096 bytes in 1 pipe buffer"]);
  });
});
