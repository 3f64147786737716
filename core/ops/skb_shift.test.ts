// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: net/core/skbuff.c skb_shift() 6.1 l.3686-3790, 2.6.32 l.2118-2220;
// skbuff.h skb_can_coalesce() 6.1 l.3779.
const BASE = `
h = alloc_page(host)
t = alloc_skb(256)
skb_fill_page_desc(t, 0, h, 0, 1000)
g = alloc_page(guest)
p = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 2000)
skb_fill_page_desc(a, 1, p, 0, 1000)
`;

describe("skb_shift", () => {
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`whole frags move without a count change (${kernel})`, () => {
      const run = clean(trace(`${BASE}skb_shift(t, a, 2000)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.t).toMatchObject({ len: 3000, frags: ["h+0:1000", "g+0:2000"] });
      expect(v.skbs.a).toMatchObject({ len: 1000, frags: ["p+0:1000"] });
      expect(v.pages).toMatchObject({ g: 1, p: 1 });
    });

    it(`a final partial frag is shared: page +1 (${kernel})`, () => {
      const run = clean(trace(`${BASE}skb_shift(t, a, 2500)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.t.frags).toEqual(["h+0:1000", "g+0:2000", "p+0:500"]);
      expect(v.skbs.a.frags).toEqual(["p+500:500"]);
      expect(v.pages.p).toBe(2);
    });
  }

  it("a frag continuing tgt's last one merges; shifting all of it drops skb's ref", () => {
    const run = clean(
      trace(
        `g = alloc_page(guest)\nget_page(g)\nt = alloc_skb(256)\nskb_fill_page_desc(t, 0, g, 0, 1000)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 1000, 500)\nskb_shift(t, a, 500)`,
      ),
    );
    const v = view(run.final);
    expect(v.skbs.t.frags).toEqual(["g+0:1500"]);
    expect(v.skbs.a.frags).toEqual([]);
    expect(v.pages.g).toBe(1);
  });

  it("6.1 refuses linear bytes and zero-copy; 2.6.32 BUGs on linear bytes", () => {
    const lin = `${BASE}b = alloc_skb(256)\nskb_put(b, 10)\nskb_shift(t, b, 5)`;
    expect(clean(trace(lin, { kernel: "6.1" })).steps[10].events[0]).toMatchObject({ kind: "result", value: "0 (b has linear bytes)" });
    expect(trace(lin, { kernel: "2.6.32" }).steps[10].error).toMatchObject({ check: "BUG_ON(skb_headlen(skb))" });
    const zc = clean(trace(`${BASE}zerocopy_arm(a)\nskb_shift(t, a, 2000)`, { policy: "ubuf-orphan" }));
    expect(zc.steps[9].events[0]).toMatchObject({ kind: "result", value: "0 (zero-copy skb)" });
  });

  it("unclones a cloned skb first (skb_prepare_for_shift)", () => {
    const run = clean(trace(`${BASE}b = skb_clone(a)\nskb_shift(t, a, 2000)`));
    const v = view(run.final);
    expect(v.skbs.a.head).not.toBe(v.skbs.b.head);
    expect(v.skbs.b.frags).toEqual(["g+0:2000", "p+0:1000"]);
    expect(v.pages).toMatchObject({ g: 2, p: 2 });
  });
});
