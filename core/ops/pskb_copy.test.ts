// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { DataId, SkbId, UbufId } from "../model/types";

// Read: 6.1 net/core/skbuff.c __pskb_copy_fclone() l.1769; skb_copy() l.1724;
// 2.6.32 pskb_copy() l.735, skb_copy() l.694.
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_put(a, 100)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("pskb_copy", () => {
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`a private head, frags shared by page reference, source dataref untouched (${kernel})`, () => {
      const run = clean(trace(`${BASE}c = pskb_copy(a)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a).toMatchObject({ dataref: 1, cloned: false, head: "h1" });
      expect(v.skbs.c).toMatchObject({ users: 1, dataref: 1, head: "h2", len: 4196, data_len: 4096, frags: ["g+0:4096"] });
      expect(v.pages.g).toBe(2);
    });
  }

  it("6.1: the copy's Data joins a MSG_ZEROCOPY ubuf (skb_zerocopy_clone: refcnt +1)", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nc = pskb_copy(a)`, { policy: "msg-zerocopy" }));
    expect(run.final.ubufs.get("u1" as UbufId)!.refcnt).toBe(2);
    expect(run.final.datas.get("h2" as DataId)!.zcopy?.ubuf).toBe("u1");
  });

  it("6.1: a vhost ubuf is orphaned first: both share the kernel copy", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nc = pskb_copy(a)`, { policy: "ubuf-orphan" }));
    const v = view(run.final);
    expect(v.pages.g).toBe(0);
    expect(v.pages.k1).toBe(2);
  });

  it("frag_list members are shared with users +1", () => {
    const run = clean(trace(`a = alloc_skb(128)\nm = alloc_skb(64)\nskb_put(m, 10)\nskb_frag_add_head(a, m)\nc = pskb_copy(a)`));
    expect(run.final.skbs.get("m" as SkbId)!.users).toBe(2);
    expect(view(run.final).skbs.c.len).toBe(10);
  });
});

describe("skb_copy", () => {
  it("everything linear, no page reference, and the pages are read", () => {
    const run = clean(trace(`${BASE}d = skb_copy(a)`));
    const v = view(run.final);
    expect(v.skbs.d).toMatchObject({ len: 4196, data_len: 0, frags: [] });
    expect(v.pages.g).toBe(1);
    expect(run.steps[4].events).toContainEqual({ kind: "read", page: "g", by: "skb_copy(a)" });
  });
});
