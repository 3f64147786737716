// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, verdicts, view } from "../testdata/harness";

// Read: 6.1 net/openvswitch/datapath.c queue_userspace_packet() l.409-565,
// pad_packet() l.399; net/core/skbuff.c skb_zerocopy_headlen() l.3288,
// skb_zerocopy() l.3326; net/netlink/af_netlink.c netlink_unicast() l.1327,
// netlink_attachskb() l.1210, netlink_skb_set_owner_r() l.385.
// a: 100 linear bytes in a kmalloc'd head, then the user's page g as frags[0].
const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nk = sock_create()`;

describe("queue_userspace_packet", () => {
  it("unaligned, MSG_ZEROCOPY: the message copies the head, references g (+1) and joins the ubuf (+1)", () => {
    const run = clean(trace(`${ARMED}\nu = queue_userspace_packet(k, a, true)`, { policy: "msg-zerocopy" }));
    const s = run.final;
    // hlen = skb_headlen(a) = 100 (kmalloc'd head); 28 header bytes + 100 copied + 4096 by reference.
    expect(view(s).skbs.u).toMatchObject({ len: 28 + 100 + 4096, data_len: 4096, dataref: 1, frags: ["g+0:4096"] });
    expect(view(s).pages.g).toBe(2);
    expect(s.ubufs.get("u1" as never)!.refcnt).toBe(2);
    expect(s.socks.get("k" as never)!.queue).toEqual(["u"]);
    expect(s.skbs.get("u" as never)).toMatchObject({ sk: "k", destructor: { fn: "netlink_skb_destructor", sk: "k" } });
    // a is untouched: the caller frees it.
    expect(view(s).skbs.a).toMatchObject({ len: 4196, frags: ["g+0:4096"] });
  });

  it("vhost (ubuf-orphan): skb_zerocopy orphans a's frags first; the message holds the copy", () => {
    const run = clean(trace(`${ARMED}\nu = queue_userspace_packet(k, a, true)`, { policy: "ubuf-orphan" }));
    const v = view(run.final);
    expect(v.pages).toEqual({ g: 0, k1: 2 });
    expect(v.skbs.u.frags).toEqual(["k1+0:4096"]);
  });

  it("an aligned daemon gets a copy: hlen is the whole packet and the message has room for it", () => {
    const run = clean(trace(`${ARMED}\nu = queue_userspace_packet(k, a, false)`, { policy: "msg-zerocopy" }));
    const v = view(run.final);
    expect(v.skbs.u).toMatchObject({ len: 28 + 4196, data_len: 0, frags: [] });
    expect(v.pages.g).toBe(1);
    expect(run.final.ubufs.get("u1" as never)!.refcnt).toBe(1);
  });

  it("skb_zerocopy_headlen: a page-fragment head of 64 bytes or more is referenced, not copied", () => {
    const run = clean(trace(`a = napi_alloc_skb(1500)\nskb_put(a, 1400)\nk = sock_create()\nu = queue_userspace_packet(k, a, true)`));
    const v = view(run.final);
    expect(v.skbs.u).toMatchObject({ len: 28 + 1400, data_len: 1400 });
    expect(v.skbs.u.frags).toHaveLength(1);
  });

  it("delivery without orphaning: the sender waits on ovs-vswitchd (late); without the CVE-2014-2568 fix a vhost guest is told early", () => {
    const src = `${ARMED}\nu = queue_userspace_packet(k, a, true)\nkfree_skb(a)\nowner_reuse(g)\nsk_eat_skb(k, u)`;
    expect(verdicts(src)).toMatchObject({ "ubuf-orphan": "ok", "msg-zerocopy": "late" });
    expect(verdicts(src, ["zerocopy-orphan-frags"])["ubuf-orphan"]).toBe("premature");
  });
});
