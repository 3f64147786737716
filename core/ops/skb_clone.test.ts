// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { SkbId, UbufId } from "../model/types";

// Read: net/core/skbuff.c skb_clone() 6.1 l.1644, __skb_clone() l.1177;
// 2.6.32 skb_clone() l.630, __skb_clone() l.570; skbuff.h __skb_header_release 6.1 l.1986,
// skb_header_release 2.6.32 l.671.
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("skb_clone", () => {
  for (const kernel of ["6.1", "2.6.32"] as const) {
    it(`shares the Data: dataref +1, cloned on both, no page reference (${kernel})`, () => {
      const run = clean(trace(`${BASE}b = skb_clone(a)`, { kernel }));
      const v = view(run.final);
      expect(v.skbs.a).toMatchObject({ users: 1, cloned: true, head: "h1", dataref: 2 });
      expect(v.skbs.b).toMatchObject({ users: 1, cloned: true, nohdr: false, head: "h1", dataref: 2, len: 4096, data_len: 4096 });
      expect(v.pages.g).toBe(1);
      expect(v.holders.g).toEqual(["h1.frags[0]"]);
    });
  }

  it("free in either order: the Data goes with the last skb (skb_release_data)", () => {
    for (const order of ["a\nkfree_skb(b)", "b\nkfree_skb(a)"]) {
      const [first, second] = order.split("\n");
      const run = clean(trace(`${BASE}b = skb_clone(a)\nkfree_skb(${first})\n${second}`));
      const mid = view(run.snapshotAt(run.steps.length - 1));
      expect(Object.values(mid.skbs)[0]).toMatchObject({ dataref: 1 });
      expect(mid.pages.g).toBe(1);
      expect(view(run.final).pages.g).toBe(0);
      expect(run.final.datas.size).toBe(0);
    }
  });

  it("the clone has no destructor and no socket (n->destructor = NULL)", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)`, { policy: "destructor" }));
    expect(run.final.skbs.get("b" as SkbId)!.destructor).toBeNull();
    expect(run.final.skbs.get("a" as SkbId)!.destructor).not.toBeNull();
  });

  it("uses the fclone companion while fclone_ref is 1, then a plain struct", () => {
    const run = clean(trace(`a = alloc_skb_fclone(128)\nb = skb_clone(a)\nc = skb_clone(a)\nkfree_skb(b)\nd = skb_clone(a)`));
    const s = run.snapshotAt(3);
    expect(s.skbs.get("b" as SkbId)!.fclone).toBe("clone");
    expect(s.skbs.get("c" as SkbId)!.fclone).toBe("unavailable");
    expect(run.final.skbs.get("d" as SkbId)!.fclone).toBe("clone");
  });

  it("6.1: a vhost zero-copy skb is deep-copied before it is cloned (skb_orphan_frags)", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)`, { policy: "ubuf-orphan", kernel: "6.1" }));
    const v = view(run.final);
    expect(v.pages.g).toBe(0);
    expect(v.skbs.b.frags).toEqual(["k1+0:4096"]);
    expect(v.pages.k1).toBe(1);
    const cb = run.steps[4].events.filter((e) => e.kind === "ubuf_callback");
    expect(cb).toEqual([{ kind: "ubuf_callback", ubuf: "u1", success: false, refcnt: 0 }]);
  });

  it("6.1: skb_clone of a shared vhost zero-copy skb fails (skb_copy_ubufs -EINVAL)", () => {
    const run = trace(`${BASE}zerocopy_arm(a)\nskb_get(a)\nb = skb_clone(a)`, { policy: "ubuf-orphan" });
    expect(run.steps[5].error).toMatchObject({ kind: "kernel-check", fn: "skb_clone" });
    expect(run.final.skbs.has("b" as SkbId)).toBe(false);
    expect(view(run.final).pages.g).toBe(1);
  });

  it("6.1: a MSG_ZEROCOPY skb is cloned by reference (SKBFL_DONT_ORPHAN)", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nb = skb_clone(a)`, { policy: "msg-zerocopy" }));
    expect(view(run.final).pages.g).toBe(1);
    expect(run.final.ubufs.get("u1" as UbufId)!.refcnt).toBe(1);
  });
});

describe("__skb_header_release", () => {
  it("6.1 sets dataref to 0x10001 and the nohdr skb later subtracts 0x10001", () => {
    const run = clean(trace(`${BASE}__skb_header_release(a)\nb = skb_clone(a)\nkfree_skb(b)\nkfree_skb(a)`, { kernel: "6.1" }));
    expect(view(run.snapshotAt(4)).skbs.a.dataref).toBe(0x10001);
    expect(view(run.snapshotAt(5)).skbs.a.dataref).toBe(0x10002);
    expect(view(run.snapshotAt(6)).skbs.a.dataref).toBe(0x10001);
    expect(run.final.datas.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
  });

  it("original first: 0x10002 - 0x10001 = 1, then the clone's -1 releases", () => {
    const run = clean(trace(`${BASE}__skb_header_release(a)\nb = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)`));
    expect(view(run.snapshotAt(6)).skbs.b.dataref).toBe(1);
    expect(run.final.datas.size).toBe(0);
  });

  it("2.6.32 adds 0x10000 and BUGs on an skb that is already nohdr", () => {
    const run = trace(`${BASE}skb_header_release(a)\nskb_header_release(a)`, { kernel: "2.6.32" });
    expect(view(run.snapshotAt(4)).skbs.a.dataref).toBe(0x10001);
    expect(run.steps[4].error).toMatchObject({ kind: "kernel-check", check: "BUG_ON(skb->nohdr)" });
  });

  it("a clone of a nohdr skb may write up to the headroom (hdr_len)", () => {
    const run = clean(trace(`a = alloc_skb(256)\nskb_reserve(a, 64)\nskb_put(a, 10)\n__skb_header_release(a)\nb = skb_clone(a)`));
    expect(run.final.skbs.get("b" as SkbId)!.hdr_len).toBe(64);
  });
});

describe("__skb_header_release after a clone", () => {
  it("6.1 refuses it (it would set dataref over the clone's reference); 2.6.32 adds and stays consistent", () => {
    const src = `a = alloc_skb(256)\nb = skb_clone(a)\n__skb_header_release(a)\nkfree_skb(b)\nkfree_skb(a)`;
    const modern = trace(src, { kernel: "6.1" });
    expect(modern.steps[2].error).toMatchObject({ kind: "precondition", fn: "__skb_header_release" });
    expect(modern.final.datas.size).toBe(0);
    const old = clean(trace(src, { kernel: "2.6.32" }));
    expect(view(old.snapshotAt(3)).skbs.a.dataref).toBe(0x10002);
    expect(old.final.datas.size).toBe(0);
  });
});
