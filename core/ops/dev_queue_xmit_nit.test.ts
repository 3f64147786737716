// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, verdicts, view } from "../testdata/harness";

// Read: 6.1 net/core/dev.c dev_queue_xmit_nit() l.2313-2377 (skb_clone l.2337,
// skb_orphan_frags_rx l.2370), net/core/skbuff.c skb_clone() (skb_orphan_frags
// first), skb_copy_ubufs() l.1548, pskb_expand_head() l.1834;
// net/packet/af_packet.c packet_rcv() l.2194-2290.
const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nk = sock_create()`;

describe("dev_queue_xmit_nit", () => {
  it("MSG_ZEROCOPY: the clone is uncloned and copied; the tap holds only the copy", () => {
    const run = clean(trace(`${ARMED}\nt = dev_queue_xmit_nit(k, a)`, { policy: "msg-zerocopy" }));
    const s = run.final;
    // Arm: u1 1 (+1 skb_zcopy_set, -1 net_zcopy_put: the first callback call).
    // pskb_expand_head: g +1 (2), u1 +1 (2); skb_copy_ubufs: g -1 (1), the second callback call -1 (1).
    expect(view(s).pages).toEqual({ g: 1, k1: 1 });
    expect(s.ubufs.get("u1" as never)).toMatchObject({ refcnt: 1, callbacks: 2, zerocopy: false });
    expect(view(s).skbs.t).toMatchObject({ users: 1, cloned: false, dataref: 1, frags: ["k1+0:4096"] });
    // a keeps its Data (the device sends it): dataref back to 1 after the unclone.
    expect(view(s).skbs.a).toMatchObject({ dataref: 1, frags: ["g+0:4096"] });
    expect(s.socks.get("k" as never)!.queue).toEqual(["t"]);
    expect(s.skbs.get("t" as never)).toMatchObject({ sk: "k", destructor: { fn: "sock_rfree", sk: "k" } });
  });

  it("vhost (ubuf-orphan): skb_clone already copied the original's frags for the device too", () => {
    const run = clean(trace(`${ARMED}\nt = dev_queue_xmit_nit(k, a)`, { policy: "ubuf-orphan" }));
    const v = view(run.final);
    expect(v.skbs.a).toMatchObject({ dataref: 2, frags: ["k1+0:4096"] });
    expect(v.skbs.t).toMatchObject({ cloned: true, dataref: 2, frags: ["k1+0:4096"] });
    expect(v.pages).toEqual({ g: 0, k1: 1 });
  });

  it("without rx-orphan-frags the tap's clone shares the user's page and the ubuf: the sender waits on the tap", () => {
    const run = clean(trace(`${ARMED}\nt = dev_queue_xmit_nit(k, a)\nkfree_skb(a)`, { policy: "msg-zerocopy", without: ["rx-orphan-frags"] }));
    const v = view(run.final);
    expect(v.skbs.t).toMatchObject({ dataref: 1, frags: ["g+0:4096"] });
    expect(v.pages.g).toBe(1);
    expect(run.final.ubufs.get("u1" as never)!.refcnt).toBe(1);
    const src = `${ARMED}\nt = dev_queue_xmit_nit(k, a)\nkfree_skb(a)`;
    expect(verdicts(src, ["rx-orphan-frags"])["msg-zerocopy"]).toBe("late");
    expect(verdicts(src)["msg-zerocopy"]).toBe("ok");
  });

  it("is 6.1 only", () => {
    const run = trace(`# kernel: 2.6.32\na = alloc_skb(256)\nk = sock_create()\nt = dev_queue_xmit_nit(k, a)`);
    expect(run.steps[2].error).toBeDefined();
  });
});

describe("caller contract in-flight", () => {
  it("refuses to tap or upcall an skb a socket has queued", () => {
    const src = `a = alloc_skb(256)\nk = sock_create()\nsock_queue_rcv_skb(k, a)\np = sock_create()\nt = dev_queue_xmit_nit(p, a)\nn = sock_create()\nu = queue_userspace_packet(n, a, true)`;
    const run = trace(`# kernel: 6.1\n${src}`);
    expect(run.steps[4].error).toMatchObject({ kind: "precondition", contract: "in-flight" });
    expect(run.steps[6].error).toMatchObject({ kind: "precondition", contract: "in-flight" });
  });
});

// Read: 6.1 net/packet/af_packet.c packet_ops l.4805-4825 (no splice_read),
// net/socket.c sock_splice_read() l.1085-1094 (generic_file_splice_read, a copy, without one).
describe("a tap's socket is a packet socket", () => {
  const TAPPED = `${ARMED}\nt = dev_queue_xmit_nit(k, a)\nkfree_skb(a)`;

  it("takes its family from the tap, and the family is in the state's key", () => {
    const run = clean(trace(TAPPED, { policy: "msg-zerocopy" }));
    expect(run.final.socks.get("k" as never)!.family).toBe("packet");
  });

  it("without rx-orphan-frags the clone holds the user's page, yet no splice takes it: packet sockets copy", () => {
    const run = trace(`${TAPPED}\nq = skb_splice_bits(t, 0, 4096)\nskb_copy_datagram_iter(t, 0, 4096)`, {
      policy: "msg-zerocopy",
      without: ["rx-orphan-frags"],
    });
    expect(view(run.final).skbs.t).toMatchObject({ frags: ["g+0:4096"] });
    const splice = run.steps[run.steps.length - 2];
    expect(splice.error).toMatchObject({ kind: "precondition", contract: "splice-stream-sockets" });
    expect(splice.error!.message).toContain("packet socket k");
    expect(run.final.pipes.size).toBe(0);
    // The reader copies: packet_recvmsg().
    expect(run.steps[run.steps.length - 1].error).toBeUndefined();
  });

  it("refuses local delivery to it, and a tap on an inet socket", () => {
    const run = trace(
      `${TAPPED}\nb = alloc_skb(256)\nsock_queue_rcv_skb(k, b)\nj = sock_create()\nsock_queue_rcv_skb(j, b)\nc = alloc_skb(256)\nx = dev_queue_xmit_nit(j, c)`,
      {
        policy: "msg-zerocopy",
      },
    );
    const n = run.steps.length;
    expect(run.steps[n - 5].error).toMatchObject({ kind: "precondition", contract: "socket-family" });
    expect(run.steps[n - 3].error).toBeUndefined();
    expect(run.steps[n - 1].error).toMatchObject({ kind: "precondition", contract: "socket-family" });
    expect(run.final.socks.get("j" as never)!.family).toBe("inet");
  });
});
