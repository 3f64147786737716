// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: 6.1 net/core/skbuff.c skb_try_coalesce() l.5468-5560, kfree_skb_partial() l.5450;
// skbuff.h skb_head_is_locked() l.5116.
const TO = `
h = alloc_page(host)
t = alloc_skb(256)
skb_fill_page_desc(t, 0, h, 0, 1000)
g = alloc_page(guest)
`;

describe("skb_try_coalesce", () => {
  it("moves an uncloned from's descriptors without a count change", () => {
    const run = clean(trace(`${TO}a = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, false)`));
    const v = view(run.snapshotAt(7));
    expect(v.skbs.t.frags).toEqual(["h+0:1000", "g+0:4096"]);
    expect(v.skbs.a.frags).toEqual([]);
    expect(v.pages.g).toBe(1);
    expect(view(run.final).pages.g).toBe(1);
    expect(run.steps[6].events).toContainEqual({ kind: "result", fn: "skb_try_coalesce", value: "true, fragstolen = false" });
  });

  it("a cloned from keeps its descriptors and each page gets +1", () => {
    const run = clean(trace(`${TO}a = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a)\nskb_try_coalesce(t, a)`));
    expect(view(run.final).pages.g).toBe(2);
    expect(view(run.final).skbs.a.frags).toEqual(["g+0:4096"]);
  });

  it("steals a head_frag head: its page becomes a frag of to, no new reference", () => {
    const run = clean(
      trace(`${TO}a = napi_alloc_skb(200)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, true)`),
    );
    const v = view(run.final);
    // offset: the 1 KiB slice at 3072 of the NAPI page, plus NET_SKB_PAD
    expect(v.skbs.t.frags).toEqual(["h+0:1000", "k1+3136:100", "g+0:4096"]);
    expect(v.pages).toMatchObject({ k1: 1, g: 1 });
    expect(run.final.datas.size).toBe(1);
    expect(run.steps[7].events).toContainEqual({ kind: "result", fn: "skb_try_coalesce", value: "true, fragstolen = true" });
  });

  it("refuses a kmalloc'd head with linear bytes, a cloned to, and zero-copy skbs", () => {
    const locked = clean(trace(`${TO}a = alloc_skb(256)\nskb_put(a, 10)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_try_coalesce(t, a)`));
    expect(locked.steps[7].events[0]).toMatchObject({ kind: "result", value: "false (a's head is locked)" });
    const zc = clean(
      trace(`${TO}a = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nskb_try_coalesce(t, a)`, { policy: "msg-zerocopy" }),
    );
    expect(zc.steps[7].events[0]).toMatchObject({ kind: "result", value: "false (zero-copy skb)" });
  });

  it("copies bytes when from fits in to's tail room", () => {
    const run = clean(trace(`t = alloc_skb(256)\na = alloc_skb(128)\nskb_put(a, 50)\nskb_try_coalesce(t, a)`));
    expect(view(run.final).skbs.t).toMatchObject({ len: 50, data_len: 0 });
  });

  it("kfree_skb_partial refuses a head_stolen flag that coalesce did not report", () => {
    const run = trace(`${TO}a = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, true)`);
    expect(run.steps[7].error).toMatchObject({ kind: "precondition", fn: "kfree_skb_partial" });
  });

  it("does not exist in 2.6.32", () => {
    const run = trace(`${TO}a = alloc_skb(256)\nskb_try_coalesce(t, a)`, { kernel: "2.6.32" });
    expect(run.steps[5].error).toMatchObject({ kind: "unsupported" });
  });
});
