// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { DataId, SkbId } from "../model/types";

// Read: 6.1 net/core/skbuff.c skb_zerocopy() l.3326-3395, skb_copy_ubufs() l.1548,
// skb_zerocopy_clone() l.1513; skbuff.h skb_orphan_frags() l.3194.
describe("skb_zerocopy", () => {
  it("references the head page (+1) and each needed frag (+1)", () => {
    const run = clean(
      trace(
        `g = alloc_page(guest)\na = napi_alloc_skb(200)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nt = alloc_skb(256)\nskb_zerocopy(t, a, 2100, 0)`,
      ),
    );
    const v = view(run.final);
    expect(v.skbs.t).toMatchObject({ len: 2100, data_len: 2100, frags: ["k1+3136:100", "g+0:2000"] });
    expect(v.pages).toMatchObject({ k1: 2, g: 2 });
  });

  it("BUGs with a kmalloc'd head and hlen 0", () => {
    const run = trace(`a = alloc_skb(256)\nt = alloc_skb(256)\nskb_zerocopy(t, a, 10, 0)`);
    expect(run.steps[2].error).toMatchObject({ check: "BUG_ON(!from->head_frag && !hlen)" });
  });
});

describe("skb_copy_ubufs / skb_orphan_frags", () => {
  const BASE = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;
  it("copies the frags into kernel pages and drops the user pages", () => {
    const run = clean(trace(`${BASE}\nskb_copy_ubufs(a)`, { policy: "msg-zerocopy" }));
    const v = view(run.final);
    expect(v.skbs.a.frags).toEqual(["k1+0:4096"]);
    expect(v.pages).toMatchObject({ g: 0, k1: 1 });
  });

  it("skb_orphan_frags leaves MSG_ZEROCOPY alone; skb_orphan_frags_rx copies", () => {
    const run = clean(trace(`${BASE}\nskb_orphan_frags(a)\nskb_orphan_frags_rx(a)`, { policy: "msg-zerocopy" }));
    expect(view(run.snapshotAt(5)).pages.g).toBe(1);
    expect(view(run.final).pages.g).toBe(0);
  });

  it("-EINVAL on a shared skb", () => {
    const run = trace(`${BASE}\nskb_get(a)\nskb_copy_ubufs(a)`, { policy: "ubuf-orphan" });
    expect(run.steps[5].error).toMatchObject({ kind: "kernel-check", fn: "skb_copy_ubufs" });
  });
});

describe("skb_recycle_check (2.6.32)", () => {
  it("resets a linear skb for receive without skb_release_data; release is lost", () => {
    const run = clean(
      trace(`g = alloc_page(guest)\na = alloc_skb(8192)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nskb_linearize(a)\nskb_recycle_check(a, 1500)`, {
        kernel: "2.6.32",
        policy: "shinfo-release",
      }),
    );
    expect(run.final.datas.get("h1" as DataId)!.release).toBeNull();
    expect(run.final.skbs.get("a" as SkbId)).toMatchObject({ len: 0, data: 32 });
    expect(run.verdict).toBe("missed");
  });
});
