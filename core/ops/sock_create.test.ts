// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { canonicalKey } from "../search/canon";
import { replayPath } from "../search/search";
import { stripPositions } from "../trace/ast";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { trace } from "../testdata/harness";

// Read: 6.1 net/socket.c __sock_create() l.1479 (pf->create l.1550);
// net/ipv4/af_inet.c inet_create() l.245; net/packet/af_packet.c
// packet_create() l.3424 (sock->ops = &packet_ops l.3445, no splice_read in
// packet_ops l.4805-4825); net/netlink/af_netlink.c netlink_create() l.652.
const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;

describe("socket(2) of a family: inet_create, packet_create, netlink_create", () => {
  it("makes an empty socket of its family; sock_create's has none until it receives", () => {
    const run = trace("i = inet_create()\np = packet_create()\nn = netlink_create()\ns = sock_create()");
    expect(run.steps.every((s) => !s.error)).toBe(true);
    const family = (name: string) => run.final.socks.get(name as never)?.family;
    expect([family("i"), family("p"), family("n"), family("s")]).toEqual(["inet", "packet", "netlink", undefined]);
    expect([...run.final.socks.values()].every((k) => k.queue.length === 0)).toBe(true);
  });

  it("a packet socket takes a tap's clone and refuses local delivery and an upcall (contract socket-family)", () => {
    const run = trace(`${ARMED}\np = packet_create()\nsock_queue_rcv_skb(p, a)\nu = queue_userspace_packet(p, a, true)\nt = dev_queue_xmit_nit(p, a)`, {
      policy: "msg-zerocopy",
      kernel: "6.1",
    });
    const n = run.steps.length;
    expect(run.steps[n - 3].error).toMatchObject({ kind: "precondition", contract: "socket-family" });
    expect(run.steps[n - 3].error!.message).toContain("p is a packet socket");
    expect(run.steps[n - 2].error).toMatchObject({ kind: "precondition", contract: "socket-family" });
    expect(run.steps[n - 1].error).toBeUndefined();
    expect(run.final.socks.get("p" as never)!.queue).toEqual(["t"]);
  });

  it("a splice of a packet socket's skb is refused from its first skb on, as a tapped sock_create() socket's is", () => {
    const src = (create: string) =>
      `${ARMED}\nk = ${create}()\nt = dev_queue_xmit_nit(k, a)\nq = skb_splice_bits(t, 0, 4096)\nskb_copy_datagram_iter(t, 0, 4096)`;
    for (const create of ["packet_create", "sock_create"]) {
      const run = trace(src(create), { policy: "msg-zerocopy", kernel: "6.1", without: ["rx-orphan-frags"] });
      const n = run.steps.length;
      expect(run.steps[n - 2].error, create).toMatchObject({ kind: "precondition", contract: "splice-stream-sockets" });
      expect(run.steps[n - 1].error, create).toBeUndefined();
    }
  });

  it("an inet socket takes local delivery and refuses a tap; a netlink socket takes an upcall only", () => {
    const run = trace(
      `${ARMED}\ni = inet_create()\nb = alloc_skb(256)\nsock_queue_rcv_skb(i, b)\nc = alloc_skb(256)\nskb_put(c, 100)\nx = dev_queue_xmit_nit(i, c)\nn = netlink_create()\nsock_queue_rcv_skb(n, c)\nu = queue_userspace_packet(n, c, true)`,
      { kernel: "6.1" },
    );
    const n = run.steps.length;
    expect(run.steps[n - 6].error).toBeUndefined();
    expect(run.steps[n - 4].error).toMatchObject({ contract: "socket-family" });
    expect(run.steps[n - 4].error!.message).toContain("i is an inet socket");
    expect(run.steps[n - 2].error).toMatchObject({ contract: "socket-family" });
    expect(run.steps[n - 1].error).toBeUndefined();
  });

  it("prints back as written, and an empty packet socket is a different state from an empty sock_create() one", () => {
    const text = "p = packet_create()\ni = inet_create()\nn = netlink_create()\n";
    expect(printTrace(stripPositions(parseTrace(text).trace))).toContain(text);
    const key = (create: string) => {
      const start = replayPath({ policy: "msg-zerocopy", kernel: "6.1" }, stripPositions(parseTrace(`${ARMED}\nk = ${create}()`).trace).ops);
      return canonicalKey(start.state, start.summary);
    };
    expect(key("packet_create")).not.toBe(key("sock_create"));
    expect(key("packet_create")).not.toBe(key("netlink_create"));
  });
});
