// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: 6.1 net/core/gro.c skb_gro_receive() l.150-300 (the zcopy refusal l.174-175,
// the frags path, the head_frag path, merge:), napi_skb_finish(); skbuff.c
// __skb_header_release() (dataref = 1 + (1 << SKB_DATAREF_SHIFT)).
const P = `
h = alloc_page(host)
p = alloc_skb(0)
skb_fill_page_desc(p, 0, h, 0, 1000)
`;

describe("skb_gro_receive", () => {
  it("a paged skb: its frag descriptors move to p, no page count changes, the skb is freed", () => {
    const run = clean(trace(`${P}k = alloc_page(host)\nb = alloc_skb(0)\nskb_fill_page_desc(b, 0, k, 0, 1448)\nskb_gro_receive(p, b)`));
    const v = view(run.final);
    expect(v.skbs.p).toMatchObject({ len: 2448, data_len: 2448, frags: ["h+0:1000", "k+0:1448"] });
    expect(v.skbs.b).toBeUndefined();
    expect(v.pages).toEqual({ h: 1, k: 1 });
    expect(v.holders.k).toEqual(["h1.frags[1]"]);
    expect(run.final.datas.size).toBe(1);
    expect(run.steps[6].events).toContainEqual({ kind: "result", fn: "skb_gro_receive", value: "0, NAPI_GRO_FREE" });
  });

  it("a page-fragment head is stolen: the head page becomes p's frag (reference moved), only the struct goes", () => {
    const run = clean(trace(`${P}b = napi_alloc_skb(256)\nskb_put(b, 100)\nskb_gro_receive(p, b)`));
    const v = view(run.final);
    // offset: the 1 KiB slice at 3072 of the NAPI page, plus NET_SKB_PAD (as in skb_try_coalesce's test)
    expect(v.skbs.p.frags).toEqual(["h+0:1000", "k1+3136:100"]);
    expect(v.skbs.p).toMatchObject({ len: 1100, data_len: 1100 });
    expect(v.pages).toMatchObject({ h: 1, k1: 1 });
    expect(run.final.skbs.size).toBe(1);
    expect(run.final.datas.size).toBe(1);
  });

  it("a kmalloc'd head with bytes in it goes on p's frag_list, header-released", () => {
    const run = clean(trace(`${P}b = alloc_skb(256)\nskb_put(b, 100)\nskb_gro_receive(p, b)`));
    const v = view(run.final);
    expect(v.skbs.p).toMatchObject({ len: 1100, data_len: 1100 });
    expect(v.skbs.b).toMatchObject({ nohdr: true, dataref: 0x10001, len: 100 });
    expect(run.final.datas.get(run.final.skbs.get("p" as never)!.head)!.frag_list).toEqual(["b"]);
    // p's frag_list holds b now: freeing p frees b.
    const freed = clean(trace(`${P}b = alloc_skb(256)\nskb_put(b, 100)\nskb_gro_receive(p, b)\nkfree_skb(p)`));
    expect(freed.final.skbs.size).toBe(0);
    expect(view(freed.final).pages).toEqual({}); // h, a host page, went back to the allocator
  });

  it("refuses a zero-copy skb (-ETOOMANYREFS, 6.1.176); without the fix its frags move and the owner hears early", () => {
    const z = `${P}g = alloc_page(guest)\nb = alloc_skb(0)\nskb_fill_page_desc(b, 0, g, 0, 4096)\nzerocopy_arm(b)\nskb_gro_receive(p, b)`;
    const run = clean(trace(z, { policy: "msg-zerocopy" }));
    expect(run.steps[7].events).toEqual([{ kind: "result", fn: "skb_gro_receive", value: "-ETOOMANYREFS (zero-copy skb)" }]);
    expect(view(run.final).skbs.b.frags).toEqual(["g+0:4096"]);
    const old = clean(trace(z, { policy: "msg-zerocopy", without: ["gro-refuse-zcopy"] }));
    expect(view(old.final).skbs.p.frags).toEqual(["h+0:1000", "g+0:4096"]);
    expect(old.final.ubufs.get("u1" as never)).toMatchObject({ refcnt: 0 });
    expect(old.steps[7].findings.map((f) => [f.kind, f.holder])).toEqual([["premature", "h1.frags[1]"]]);
  });

  it("refuses past gro_max_size (-E2BIG), and a cloned skb is a precondition error", () => {
    const big = clean(
      trace(
        `h = alloc_page(host)\np = alloc_skb(0)\nskb_fill_page_desc(p, 0, h, 0, 4096)\nk = alloc_page(host)\nb = alloc_skb(0)\nskb_fill_page_desc(b, 0, k, 0, 4096)\nskb_gro_receive(p, b)`.replace(
          /4096\)\nk/,
          "4096)\nskb_fill_page_desc(p, 1, h, 0, 4096)\nskb_fill_page_desc(p, 2, h, 0, 4096)\nskb_fill_page_desc(p, 3, h, 0, 4096)\nskb_fill_page_desc(p, 4, h, 0, 4096)\nskb_fill_page_desc(p, 5, h, 0, 4096)\nskb_fill_page_desc(p, 6, h, 0, 4096)\nskb_fill_page_desc(p, 7, h, 0, 4096)\nskb_fill_page_desc(p, 8, h, 0, 4096)\nskb_fill_page_desc(p, 9, h, 0, 4096)\nskb_fill_page_desc(p, 10, h, 0, 4096)\nskb_fill_page_desc(p, 11, h, 0, 4096)\nskb_fill_page_desc(p, 12, h, 0, 4096)\nskb_fill_page_desc(p, 13, h, 0, 4096)\nskb_fill_page_desc(p, 14, h, 0, 4096)\nskb_fill_page_desc(p, 15, h, 0, 4096)\nk",
        ),
      ),
    );
    const last = big.steps[big.steps.length - 1];
    expect(last.events).toEqual([{ kind: "result", fn: "skb_gro_receive", value: "-E2BIG (65536 + 4096 >= gro_max_size 65536)" }]);
    const cloned = trace(`${P}k = alloc_page(host)\nb = alloc_skb(0)\nskb_fill_page_desc(b, 0, k, 0, 1448)\nc = skb_clone(b)\nskb_gro_receive(p, b)`);
    expect(cloned.steps[7].error).toMatchObject({ kind: "precondition" });
  });
});
