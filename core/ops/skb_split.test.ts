// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { UbufId } from "../model/types";

// Read: net/core/skbuff.c skb_split(), skb_split_inside_header(), skb_split_no_header()
// 6.1 l.3575-3661; 2.6.32 l.2012-2088.
const BASE = `
g = alloc_page(guest)
p = alloc_page(guest)
a = alloc_skb(256)
skb_put(a, 100)
skb_fill_page_desc(a, 0, g, 0, 4096)
skb_fill_page_desc(a, 1, p, 0, 1000)
`;

describe("skb_split", () => {
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`a split point inside a frag takes one more page ref (${kernel})`, () => {
      const run = clean(trace(`${BASE}b = skb_split(a, 2100)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a).toMatchObject({ len: 2100, data_len: 2000, frags: ["g+0:2000"], dataref: 1 });
      expect(v.skbs.b).toMatchObject({ len: 3096, data_len: 3096, frags: ["g+2000:2096", "p+0:1000"] });
      expect(v.pages).toMatchObject({ g: 2, p: 1 });
      expect(v.holders.g).toEqual(["h1.frags[0]", "h2.frags[0]"]);
    });

    it(`at a frag boundary the descriptors move with no count change (${kernel})`, () => {
      const run = clean(trace(`${BASE}b = skb_split(a, 4196)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a.frags).toEqual(["g+0:4096"]);
      expect(v.skbs.b.frags).toEqual(["p+0:1000"]);
      expect(v.pages).toMatchObject({ g: 1, p: 1 });
    });

    it(`inside the linear part every frag moves to the new skb (${kernel})`, () => {
      const run = clean(trace(`${BASE}b = skb_split(a, 40)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a).toMatchObject({ len: 40, data_len: 0, frags: [] });
      expect(v.skbs.b).toMatchObject({ len: 60 + 5096, data_len: 5096, frags: ["g+0:4096", "p+0:1000"] });
      expect(v.pages).toMatchObject({ g: 1, p: 1 });
    });
  }

  it("6.1: the new skb joins the ubuf without orphaning, even a vhost one", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_split(a, 2100)`, { policy: "ubuf-orphan" }));
    expect(run.final.ubufs.get("u1" as UbufId)!.refcnt).toBe(2);
    expect(view(run.final).pages.g).toBe(2);
  });

  it("refuses a cloned skb (tcp_fragment unclones first) and lengths past the end", () => {
    const run = trace(`${BASE}c = skb_clone(a)\nb = skb_split(a, 10)\nkfree_skb(c)\nd = skb_split(a, 99999)`);
    expect(run.steps[7].error).toMatchObject({ kind: "precondition", fn: "skb_split", contract: "split-unclone-first" });
    expect(run.steps[9].error).toMatchObject({ kind: "out-of-range" });
  });

  it("refuses len 0 and len == skb->len: tcp_fragment splits only strictly inside (caller contract)", () => {
    const run = trace(`${BASE}b = skb_split(a, 0)\nc = skb_split(a, 5196)`);
    for (const s of [run.steps[6], run.steps[7]]) {
      expect(s.error).toMatchObject({ kind: "precondition", fn: "skb_split", contract: "split-inside-skb" });
      expect(s.error!.message).toMatch(/caller contract split-inside-skb: 0 < len < skb->len/);
    }
  });

  it("a trace headed `# contracts: flag` runs the split at skb->len, flagged unreachable", () => {
    const run = trace(`# contracts: flag\n${BASE}c = skb_split(a, 5196)`);
    expect(run.steps[6].error).toBeUndefined();
    expect(run.final.skbs.get("c" as never)!.len).toBe(0);
    expect(run.findings).toEqual([expect.objectContaining({ kind: "unreachable", step: 7, message: expect.stringMatching(/Linux cannot take this path/) })]);
  });
});
