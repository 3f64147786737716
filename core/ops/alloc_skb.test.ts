// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { DataId, SkbId } from "../model/types";
import { runTrace } from "../engine/replay";
import { parseTrace } from "../trace/parse";

// Read: 6.1 net/core/skbuff.c __alloc_skb() l.486, kmalloc_reserve() l.427,
// __build_skb_around() l.273, __napi_alloc_skb() l.637; 2.6.32 __alloc_skb() l.172.
describe("alloc_skb", () => {
  it("6.1 puts skb_shared_info at the end of the kmalloc bucket", () => {
    const run = clean(trace(`a = alloc_skb(256)\nb = alloc_skb(0)\nc = alloc_skb(1500)`, { kernel: "6.1" }));
    const end = (id: string) => run.final.datas.get(id as DataId)!.end;
    expect([end("h1"), end("h2"), end("h3")]).toEqual([1024 - 320, 512 - 320, 2048 - 320]);
    expect(run.final.skbs.get("a" as SkbId)).toMatchObject({ users: 1, cloned: false, len: 0, truesize: 704 + 256 + 320 });
  });

  it("2.6.32 uses SKB_DATA_ALIGN(size) as it is", () => {
    const run = clean(trace(`a = alloc_skb(256)\nb = alloc_skb(100)`, { kernel: "2.6.32" }));
    expect(run.final.datas.get("h1" as DataId)!.end).toBe(256);
    expect(run.final.datas.get("h2" as DataId)!.end).toBe(128);
  });

  it("skb_reserve, skb_put, skb_push, skb_pull move data and len", () => {
    const run = clean(trace(`a = alloc_skb(256)\nskb_reserve(a, 32)\nskb_put(a, 100)\nskb_push(a, 14)\nskb_pull(a, 20)`));
    expect(view(run.final).skbs.a).toMatchObject({ headroom: 38, len: 94 });
  });

  it("skb_put past the end BUGs (skb_over_panic); skb_push past the head too", () => {
    const run = trace(`a = alloc_skb(256)\nskb_put(a, 5000)\nskb_push(a, 1)`);
    expect(run.steps[1].error).toMatchObject({ check: "skb_over_panic" });
    expect(run.steps[2].error).toMatchObject({ check: "skb_under_panic" });
  });

  it("skb_put on a nonlinear skb BUGs (SKB_LINEAR_ASSERT)", () => {
    const run = trace(`g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 100)\nskb_put(a, 1)`);
    expect(run.steps[3].error).toMatchObject({ check: "SKB_LINEAR_ASSERT(skb)" });
  });

  it("napi_alloc_skb: a page-fragment head with NET_SKB_PAD headroom (6.1 only)", () => {
    const run = clean(trace(`a = napi_alloc_skb(200)\nb = napi_alloc_skb(5000)`, { kernel: "6.1" }));
    const v = view(run.final);
    expect(run.final.skbs.get("a" as SkbId)).toMatchObject({ head_frag: true, data: 64 });
    expect(v.holders.k1).toEqual(["h1.head"]);
    expect(run.final.skbs.get("b" as SkbId)!.head_frag).toBe(false);
    expect(trace(`a = napi_alloc_skb(200)`, { kernel: "2.6.32" }).steps[0].error).toMatchObject({ kind: "unsupported" });
  });

  it("names are never reused in a trace (refused when read, and by the engine)", () => {
    const source = `a = alloc_skb(1)\nkfree_skb(a)\na = alloc_skb(1)`;
    expect(parseTrace(source).diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "3:1 a is already defined at line 1; a name is given once",
    ]);
    const run = runTrace(parseTrace(source, { names: false }).trace);
    expect(run.steps[2].error).toMatchObject({ kind: "name-taken" });
  });
});
