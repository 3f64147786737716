// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { SkbId } from "../model/types";

// Read: net/core/skbuff.c __pskb_pull_tail() 6.1 l.2390-2512, 2.6.32 l.1182-1285;
// skbuff.h pskb_may_pull() 6.1 l.2682-2700, skb_linearize() 6.1 l.3805.
const BASE = `
g = alloc_page(guest)
p = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
skb_fill_page_desc(a, 1, p, 0, 1000)
`;

describe("__pskb_pull_tail", () => {
  it("fits in the tail room: no new head, the first frag is shifted, the page read", () => {
    const run = clean(trace(`${BASE}__pskb_pull_tail(a, 100)`, { kernel: "6.1" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ head: "h1", len: 5096, data_len: 4996, frags: ["g+100:3996", "p+0:1000"] });
    expect(v.pages).toMatchObject({ g: 1, p: 1 });
    expect(run.steps[5].events).toContainEqual({ kind: "read", page: "g", by: "__pskb_pull_tail(a)" });
  });

  it("short of tail room: expands first (+shortfall + 128), then drops eaten frags (page -1)", () => {
    const run = clean(trace(`${BASE}__pskb_pull_tail(a, 4096)`, { kernel: "6.1" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ head: "h2", data_len: 1000, frags: ["p+0:1000"] });
    expect(v.pages).toMatchObject({ g: 0, p: 1 });
    const kinds = run.steps[5].events.map((e) => (e.kind === "substep" ? e.fn : e.kind));
    expect(kinds.indexOf("pskb_expand_head")).toBeLessThan(kinds.indexOf("read"));
  });

  it("2.6.32 with the seed patch: release fires inside the expansion, before the read", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nskb_linearize(a)`, { kernel: "2.6.32", policy: "shinfo-release" }));
    const kinds = run.steps[6].events.map((e) => e.kind);
    expect(kinds.indexOf("completion")).toBeLessThan(kinds.indexOf("read"));
    expect(run.verdict).toBe("premature");
    expect(view(run.final).pages).toMatchObject({ g: 0, p: 0 });
  });

  it("a cloned skb is uncloned first even when the tail room suffices", () => {
    const run = clean(trace(`${BASE}b = skb_clone(a)\n__pskb_pull_tail(a, 100)`));
    const v = view(run.final);
    expect(v.skbs.a.head).toBe("h2");
    expect(v.skbs.b).toMatchObject({ head: "h1", dataref: 1, frags: ["g+0:4096", "p+0:1000"] });
    expect(v.pages).toMatchObject({ g: 2, p: 2 });
  });

  it("BUGs when asked for more than data_len, with the skb unchanged", () => {
    const run = trace(`${BASE}__pskb_pull_tail(a, 6000)`);
    expect(run.steps[5].error).toMatchObject({ kind: "kernel-check", fn: "__pskb_pull_tail" });
    expect(view(run.final).skbs.a.data_len).toBe(5096);
  });

  it("6.1: emptying data_len fires the ubuf callback with success false", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nskb_linearize(a)`, { policy: "msg-zerocopy" }));
    expect(run.steps[6].events).toContainEqual({ kind: "ubuf_callback", ubuf: "u1", success: false, refcnt: 0 });
    expect(run.verdict).toBe("ok");
  });

  it("pskb_may_pull: nothing within headlen, false past len, a pull between", () => {
    const run = clean(trace(`${BASE}pskb_may_pull(a, 0)\npskb_may_pull(a, 99999)\npskb_may_pull(a, 10)`));
    expect(run.steps[6].events).toContainEqual({ kind: "result", fn: "pskb_may_pull", value: "false" });
    expect(view(run.final).skbs.a.data_len).toBe(5086);
  });

  it("eats whole frag_list members (consume_skb) when the pull reaches them", () => {
    const run = clean(trace(`a = alloc_skb(4000)\nm = alloc_skb(64)\nskb_put(m, 50)\nskb_frag_add_head(a, m)\n__pskb_pull_tail(a, 50)`));
    expect(run.final.skbs.has("m" as SkbId)).toBe(false);
    expect(view(run.final).skbs.a).toMatchObject({ len: 50, data_len: 0 });
  });
});
