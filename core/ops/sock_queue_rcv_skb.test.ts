// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { SkbId, SockId } from "../model/types";

// Read: net/core/sock.c __sock_queue_rcv_skb() 6.1 l.480; include/net/sock.h
// skb_set_owner_r() 6.1 l.2528 (2.6.32 l.1341), sk_eat_skb() 6.1 l.2935;
// net/core/dev.c __netif_receive_skb_core (skb_orphan_frags_rx before delivery).
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
s = sock_create()
`;

describe("local delivery", () => {
  it("the queue holds the skb; skb_set_owner_r orphans then sets sock_rfree", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nsock_queue_rcv_skb(s, a)`, { policy: "destructor", kernel: "2.6.32" }));
    expect(run.steps[5].events.map((e) => e.kind)).toContain("destructor");
    const a = run.final.skbs.get("a" as SkbId)!;
    expect(a.destructor).toEqual({ fn: "sock_rfree", sk: "s" });
    expect(run.final.socks.get("s" as SockId)!.queue).toEqual(["a"]);
  });

  it("sk_eat_skb unlinks and frees", () => {
    const run = clean(trace(`${BASE}sock_queue_rcv_skb(s, a)\nskb_copy_datagram_iter(a, 0, 100)\nsk_eat_skb(s, a)`));
    expect(run.final.skbs.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
    expect(run.steps[5].events).toContainEqual({ kind: "read", page: "g", by: "skb_copy_datagram_iter(a)" });
  });

  it("6.1: skb_orphan_frags_rx copies even a MSG_ZEROCOPY skb on the way in", () => {
    const run = clean(trace(`${BASE}zerocopy_arm(a)\nsock_queue_rcv_skb(s, a)`, { policy: "msg-zerocopy" }));
    expect(view(run.final).pages.g).toBe(0);
    expect(run.steps[5].events).toContainEqual(expect.objectContaining({ kind: "completion", success: false }));
  });

  it("an skb is on one list at a time; eating an skb not on the queue is refused", () => {
    const run = trace(`${BASE}sock_queue_rcv_skb(s, a)\nsock_queue_rcv_skb(s, a)\nt = sock_create()\nsk_eat_skb(t, a)`);
    expect(run.steps[5].error).toMatchObject({ kind: "precondition" });
    expect(run.steps[7].error).toMatchObject({ kind: "precondition" });
  });
});
