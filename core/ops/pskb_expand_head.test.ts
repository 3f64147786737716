// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { DataId, SkbId, UbufId } from "../model/types";

// Read: net/core/skbuff.c pskb_expand_head() 6.1 l.1834-1920 and 2.6.32 l.797-865.
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("pskb_expand_head", () => {
  it("6.1, sole owner: references move to the new head, no page count change", () => {
    const run = clean(trace(`${BASE}pskb_expand_head(a, 32, 0)`, { kernel: "6.1" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ head: "h2", dataref: 1, cloned: false, headroom: 32 });
    expect(v.pages.g).toBe(1);
    expect(v.holders.g).toEqual(["h2.frags[0]"]);
    expect(run.final.datas.has("h1" as DataId)).toBe(false);
    // 6.1 kmalloc_reserve(): SKB_HEAD_ALIGN(704 + 32) = 1088 -> the 2048 bucket, less the shinfo
    expect(run.final.datas.get("h2" as DataId)!.end).toBe(2048 - 320);
  });

  it("2.6.32, uncloned: +1 per page, then a full release of the old Data (net 0)", () => {
    const run = clean(trace(`${BASE}pskb_expand_head(a, 32, 0)`, { kernel: "2.6.32" }));
    expect(view(run.final).pages.g).toBe(1);
    expect(run.steps[3].events.map((e) => e.kind)).toContain("data_released");
    // size = SKB_DATA_ALIGN(nhead + end + ntail): 32 + 256 -> 320
    expect(run.final.datas.get("h2" as DataId)!.end).toBe(320);
  });

  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`cloned (${kernel}): new Data with its own page refs; the old one keeps the clone`, () => {
      const run = clean(trace(`${BASE}b = skb_clone(a)\npskb_expand_head(a, 0, 0)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a).toMatchObject({ head: "h2", dataref: 1, cloned: false });
      expect(v.skbs.b).toMatchObject({ head: "h1", dataref: 1, cloned: true });
      expect(v.pages.g).toBe(2);
      expect(v.holders.g).toEqual(["h1.frags[0]", "h2.frags[0]"]);
    });
  }

  it("BUGs on a shared skb and on nhead < 0, leaving the skb unchanged", () => {
    const run = trace(`${BASE}skb_get(a)\npskb_expand_head(a, 0, 0)\nkfree_skb(a)\npskb_expand_head(a, -1, 0)`);
    expect(run.steps[4].error).toMatchObject({ kind: "kernel-check", check: "BUG_ON(skb_shared(skb))" });
    expect(run.steps[6].error).toMatchObject({ kind: "kernel-check", check: "BUG_ON(nhead < 0)" });
    expect(view(run.final).skbs.a.head).toBe("h1");
  });

  it("frag_list members get users +1 when the Data is shared", () => {
    const run = clean(trace(`a = alloc_skb(128)\nm = alloc_skb(64)\nskb_put(m, 10)\nskb_frag_add_head(a, m)\nb = skb_clone(a)\npskb_expand_head(a, 0, 0)`));
    expect(run.final.skbs.get("m" as SkbId)!.users).toBe(2);
  });

  it("seed patch: the new shinfo's release is NULL; cloned: the old Data keeps it", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)\npskb_expand_head(a, 0, 0)`, { policy: "shinfo-release", kernel: "2.6.32" }));
    expect(run.final.datas.get("h1" as DataId)!.release).toBe("z1");
    expect(run.final.datas.get("h2" as DataId)!.release).toBeNull();
  });

  it("6.1 cloned zero-copy: the new Data takes a ubuf reference", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)\npskb_expand_head(a, 0, 0)`, { policy: "msg-zerocopy" }));
    expect(run.final.ubufs.get("u1" as UbufId)!.refcnt).toBe(2);
  });
});
