// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: net/core/skbuff.c ___pskb_trim() 6.1 l.2259-2343, skb_condense() 6.1 l.6488;
// 2.6.32 ___pskb_trim() l.1074-1150.
const BASE = `
g = alloc_page(guest)
p = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
skb_fill_page_desc(a, 1, p, 0, 1000)
`;

describe("pskb_trim", () => {
  it("drops frags wholly past len (page -1) and shortens the one holding the cut", () => {
    const run = clean(trace(`${BASE}pskb_trim(a, 3000)`, { kernel: "2.6.32" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ len: 3000, data_len: 3000, frags: ["g+0:3000"] });
    expect(v.pages).toMatchObject({ g: 1, p: 0 });
  });

  it("6.1 without a socket: skb_condense pulls small paged data into the head", () => {
    const run = clean(trace(`${BASE}pskb_trim(a, 300)`, { kernel: "6.1" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ len: 300, data_len: 0, frags: [] });
    expect(v.pages).toMatchObject({ g: 0, p: 0 });
  });

  it("6.1 condense is skipped on an skb owned by a socket", () => {
    const run = clean(trace(`${BASE}s = sock_create()\nsock_queue_rcv_skb(s, a)\npskb_trim(a, 300)`, { kernel: "6.1" }));
    expect(view(run.final).skbs.a).toMatchObject({ data_len: 300, frags: ["g+0:300"] });
  });

  it("a cloned skb gets a private Data first; the clone keeps all frags", () => {
    const run = clean(trace(`${BASE}b = skb_clone(a)\npskb_trim(a, 3000)`, { kernel: "2.6.32" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ head: "h2", frags: ["g+0:3000"] });
    expect(v.skbs.b.frags).toEqual(["g+0:4096", "p+0:1000"]);
    expect(v.pages).toMatchObject({ g: 2, p: 1 });
  });

  it("is a no-op at or past len, and cuts a linear skb in place", () => {
    const run = clean(trace(`a = alloc_skb(256)\nskb_put(a, 100)\npskb_trim(a, 200)\npskb_trim(a, 40)`));
    expect(view(run.final).skbs.a).toMatchObject({ len: 40, head: "h1" });
  });
});
