// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { PageId, SkbId } from "../model/types";

// Read: 6.1 net/core/skbuff.c skb_unref (skbuff.h l.1231), kfree_skb_reason() l.885,
// __kfree_skb() l.868, skb_release_data() l.766, kfree_skbmem() l.808;
// 2.6.32 kfree_skb() l.446, skb_release_data() l.339.
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("kfree_skb and consume_skb", () => {
  it("users > 1 only decrements; the last reference releases Data and pages", () => {
    const run = clean(trace(`${BASE}skb_get(a)\nkfree_skb(a)\nconsume_skb(a)`));
    expect(run.snapshotAt(5).skbs.get("a" as SkbId)!.users).toBe(1);
    expect(run.final.skbs.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
  });

  it("a second free is a double free: an error and a finding, the state unchanged", () => {
    const run = trace(`${BASE}kfree_skb(a)\nkfree_skb(a)`);
    expect(run.steps[4].error).toMatchObject({ kind: "double-free", freedAtStep: 4 });
    expect(run.findings.map((f) => f.kind)).toEqual(["double-free"]);
  });

  it("any other operation on a freed skb is a use after free", () => {
    const run = trace(`${BASE}kfree_skb(a)\nb = skb_clone(a)`);
    expect(run.steps[4].error).toMatchObject({ kind: "use-after-free" });
    expect(run.findings.map((f) => f.kind)).toEqual(["use-after-free"]);
  });

  it("frag_list members lose the Data's reference when it is released", () => {
    const run = clean(trace(`a = alloc_skb(128)\nm = alloc_skb(64)\nskb_get(m)\nskb_frag_add_head(a, m)\nkfree_skb(a)`));
    expect(run.final.skbs.get("m" as SkbId)!.users).toBe(1);
  });

  it("6.1: the zero-copy callback at the Data's last reference (success true)", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nkfree_skb(a)`, { policy: "ubuf-orphan" }));
    expect(run.steps[4].events).toContainEqual({ kind: "ubuf_callback", ubuf: "u1", success: true, refcnt: 0 });
    expect(run.verdict).toBe("ok");
  });

  it("the destructor is judged after the same free's skb_release_data", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nkfree_skb(a)`, { policy: "destructor" }));
    expect(run.verdict).toBe("ok");
    const kinds = run.steps[4].events.map((e) => e.kind);
    expect(kinds.indexOf("destructor")).toBeLessThan(kinds.indexOf("data_released"));
  });
});

describe("page references", () => {
  it("put_page without holding a reference breaks conservation; the next put underflows", () => {
    const run = trace(`${BASE}put_page(g)\nkfree_skb(a)`);
    expect(run.findings.map((f) => f.kind)).toEqual(["conservation", "refcount-underflow"]);
  });

  it("a host page back at zero is freed; a holder left pointing at it is a use after free", () => {
    const run = trace(`h = alloc_page(host)\na = alloc_skb(256)\nget_page(h)\nskb_fill_page_desc(a, 0, h, 0, 100)\nput_page(h)\nput_page(h)`);
    expect(run.findings.map((f) => f.kind)).toContain("use-after-free");
    expect(run.final.pages.get("h" as PageId)!.freed).toBe(true);
  });

  it("owner_reuse after a completion, while the host still holds the page, is premature", () => {
    const run = trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)\nkfree_skb(a)\nowner_reuse(g)`, { policy: "destructor" });
    expect(run.findings.map((f) => [f.kind, f.step])).toEqual([
      ["premature", 6],
      ["premature", 7],
    ]);
    expect(run.findings[1].message).toContain("skb_shinfo(b)->frags[0]");
  });

  it("owner_reuse without a completion is the owner's own doing: no finding", () => {
    const run = trace(`${BASE}zerocopy_arm(a)\nowner_reuse(g)`, { policy: "page-refs" });
    expect(run.findings).toEqual([]);
  });
});
