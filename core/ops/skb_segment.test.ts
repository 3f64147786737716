// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { UbufId } from "../model/types";

// Read: net/core/skbuff.c skb_segment() 6.1 l.4150-4420, 2.6.32 l.2502-2650.
const BASE = `
g = alloc_page(guest)
p = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
skb_fill_page_desc(a, 1, p, 0, 1000)
`;

describe("skb_segment", () => {
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`a frag spanning k segments gains k references (${kernel})`, () => {
      const run = clean(trace(`${BASE}segs = skb_segment(a, 2000)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs["segs[0]"]).toMatchObject({ len: 2000, data_len: 2000, frags: ["g+0:2000"] });
      expect(v.skbs["segs[1]"].frags).toEqual(["g+2000:2000"]);
      expect(v.skbs["segs[2]"].frags).toEqual(["g+4000:96", "p+0:1000"]);
      expect(v.pages).toMatchObject({ g: 4, p: 2 });
      expect(v.skbs.a).toMatchObject({ dataref: 1, users: 1 });
    });
  }

  it("kfree_skb_list frees every segment; freeing one first makes it a double free", () => {
    const run = clean(trace(`${BASE}segs = skb_segment(a, 4096)\nkfree_skb(a)\nkfree_skb_list(segs)`));
    expect(view(run.final).pages).toMatchObject({ g: 0, p: 0 });
    const dbl = trace(`${BASE}segs = skb_segment(a, 4096)\nkfree_skb(segs[0])\nkfree_skb_list(segs)`);
    expect(dbl.steps[7].error).toMatchObject({ kind: "double-free", object: "segs[0]" });
  });

  it("6.1: MSG_ZEROCOPY segments each join the ubuf; vhost frags are copied first", () => {
    const msg = clean(trace(`${BASE}zerocopy_arm(a)\nsegs = skb_segment(a, 2000)`, { policy: "msg-zerocopy" }));
    expect(msg.final.ubufs.get("u1" as UbufId)!.refcnt).toBe(4);
    const vh = clean(trace(`${BASE}zerocopy_arm(a)\nsegs = skb_segment(a, 2000)`, { policy: "ubuf-orphan" }));
    expect(view(vh.final).pages).toMatchObject({ g: 0, p: 0 });
  });

  it("linear bytes are copied into the segments that cover them", () => {
    const run = clean(trace(`a = alloc_skb(1000)\nskb_put(a, 300)\nsegs = skb_segment(a, 200)`));
    const v = view(run.final);
    expect(v.skbs["segs[0]"]).toMatchObject({ len: 200, data_len: 0 });
    expect(v.skbs["segs[1]"]).toMatchObject({ len: 100, data_len: 0 });
  });
});
