// SPDX-License-Identifier: GPL-2.0-only
/**
 * queue_userspace_packet - an openvswitch upcall: the packet goes to
 * ovs-vswitchd in a netlink message that references its pages
 * (skb_zerocopy), queued on the daemon's netlink socket. 6.1 only.
 *
 * Models net/openvswitch/datapath.c queue_userspace_packet() (6.1 l.409):
 * hlen = min(skb_zerocopy_headlen(skb), cutlen) when the daemon asked for
 * OVS_DP_F_UNALIGNED, else the whole packet (l.455-458: then the message
 * has room for it and skb_zerocopy copies); user_skb = genlmsg_new(msg_size)
 * (l.462; msg_size = upcall_msg_size(): the headers, nla_total_size(hlen)
 * and the key attributes, which are put before the packet and so do not
 * change the tail room the packet sees: the model allocates and puts the
 * netlink, genetlink, ovs_header and packet attribute headers only);
 * nla_reserve(user_skb, OVS_PACKET_ATTR_PACKET, 0); skb_zerocopy(user_skb,
 * skb, skb_len, hlen) (l.550, core/ops/skb_zerocopy.ts: skb_orphan_frags
 * on skb, skb_zerocopy_clone, a page reference per frag); pad_packet()
 * (l.399: aligned daemons only); genlmsg_unicast() -> net/netlink/
 * af_netlink.c netlink_unicast() (6.1 l.1327): netlink_trim() (l.1282: at
 * most pskb_expand_head() of the unshared, uncloned user_skb, which moves
 * the frag references as they are: not modelled), netlink_attachskb() ->
 * netlink_skb_set_owner_r() (l.385: skb->sk, destructor
 * netlink_skb_destructor, which for a kmalloc'd head is sock_rfree(),
 * l.372; kept by that name: a netlink message is read by copying, never
 * spliced, contract splice-stream-sockets), __netlink_sendskb() -> skb_queue_tail(&sk->sk_receive_queue)
 * (l.1263). skb itself is left to the caller (ovs_dp_process_packet frees
 * it after the upcall).
 *
 * Delivery without orphaning: nothing on the netlink path calls
 * skb_orphan_frags_rx(). skb_zerocopy's own skb_orphan_frags() copies a
 * vhost ubuf's frags (no SKBFL_DONT_ORPHAN) before they are shared, and
 * since "sock: enable MSG_ZEROCOPY" a MSG_ZEROCOPY skb's user pages are
 * shared with the daemon's message, which joins the ubuf
 * (skb_zerocopy_clone): the sender hears only after ovs-vswitchd read the
 * message. An skb reaches OVS this way from an rx_handler, which
 * __netif_receive_skb_core() (6.1 l.5520) calls before its
 * skb_orphan_frags_rx() (l.5603). The vlan clone (l.428) is not modelled.
 */
import { headlen, shinfo, skbOf, sockOf, assertNewName } from "../model/lookup";
import { profile } from "../model/kernel";
import type { Tx } from "../model/tx";
import type { Skb } from "../model/types";
import { allocSkb, skb_put } from "./alloc_skb";
import { skb_zerocopy } from "./skb_zerocopy";
import { NEW_SOCKET } from "./sock_create";
import { receiverFor } from "./sock_queue_rcv_skb";
import { defineOp, kw, op, ref, type Step } from "./spec";

/** NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct ovs_header): what genlmsg_put() puts. */
const GENL_PUT = 16 + 4 + 4;
/** NLA_HDRLEN: nla_reserve(user_skb, OVS_PACKET_ATTR_PACKET, 0). */
const NLA_HDRLEN = 4;
const nlaAlign = (n: number): number => (n + 3) & ~3;
/** L1_CACHE_BYTES on x86-64. */
const L1_CACHE_BYTES = 64;

/** skb_zerocopy_headlen(from) (net/core/skbuff.c 6.1 l.3288). */
export function skb_zerocopy_headlen(tx: Tx, from: Skb): number {
  const data = shinfo(tx, from);
  let hlen = 0;
  if (!from.head_frag || headlen(from) < L1_CACHE_BYTES || data.frags.length >= profile(tx.kernel).MAX_SKB_FRAGS) {
    hlen = headlen(from) || from.len;
  }
  if (data.frag_list.length) hlen = from.len;
  return hlen;
}

export function queue_userspace_packet(tx: Tx, result: string, sockName: string, name: string, unaligned: boolean): void {
  const sock = sockOf(tx, sockName, "queue_userspace_packet");
  const skb = skbOf(tx, name, "queue_userspace_packet");
  assertNewName(tx, result, "queue_userspace_packet");
  const hlen = unaligned ? skb_zerocopy_headlen(tx, skb) : skb.len;
  // genlmsg_new(): room for the headers and nla_total_size(hlen).
  allocSkb(tx, result, GENL_PUT + NLA_HDRLEN + nlaAlign(hlen), false, "genlmsg_new");
  skb_put(tx, result, GENL_PUT + NLA_HDRLEN);
  skb_zerocopy(tx, result, name, skb.len, hlen);
  if (!unaligned) {
    const u = tx.get("skbs", result)!;
    if (nlaAlign(u.len) > u.len) skb_put(tx, result, nlaAlign(u.len) - u.len);
  }
  const user = tx.get("skbs", result)!;
  tx.emit({
    kind: "substep",
    fn: "netlink_unicast",
    text: `netlink_skb_set_owner_r: ${result} onto ${sock.name}'s receive queue; no skb_orphan_frags_rx on this path`,
  });
  tx.set("skbs", result, { ...user, sk: sock.name, destructor: { fn: "netlink_skb_destructor", sk: sock.name } });
  tx.set("socks", sock.name, { ...sock, family: "netlink", queue: [...sock.queue, user.name] });
}

// --- the registry's entries ----------------------------------------------------

export const queue_userspace_packet_spec = defineOp({
  fn: "queue_userspace_packet",
  params: ["sock", "skb", "bool"],
  names: ["sk", "skb", "unaligned"],
  // The bool is dp->user_features & OVS_DP_F_UNALIGNED (the function's own arguments are pointers and a u32 cutlen, not modelled).
  ctypes: [null, null, "bool"],
  result: "skb",
  history: "skb_zerocopy() in upcalls since 3.14",
  kernels: ["6.1"],
  summary: "openvswitch upcall: a netlink message referencing the packet, queued to ovs-vswitchd",
  group: "leave the stack",
  opcode: 66,
  docs: [
    {
      call: "u = queue_userspace_packet(k, a, unaligned)",
      models:
        "6.1 only: openvswitch's upcall: `genlmsg_new()`, `skb_zerocopy(u, a, a->len, hlen)` (hlen from `skb_zerocopy_headlen()` when `unaligned`, else all of `a`: a copy), `netlink_unicast()` onto `k`'s receive queue with no `skb_orphan_frags_rx()`; `a` stays with the caller",
    },
  ],
  search: {
    role: "root",
    order: 22,
    // The zero-copy form only (an aligned daemon copies), to one netlink socket (a new one made by netlink_create), as sock_queue_rcv_skb's menu.
    steps: (m, fn) => {
      const { socks, fresh: sk } = m.receivers("netlink");
      return m.free.flatMap((s): Step[] => [
        ...socks.map((k) => [op(fn, [ref(k), ref(s.name), kw("true")], m.fresh("skb"))]),
        ...(sk ? [[op(NEW_SOCKET.netlink, [], sk), op(fn, [ref(sk), ref(s.name), kw("true")], m.fresh("skb"))]] : []),
      ]);
    },
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const s = c.skbArg(d[2]);
      if (!s || c.state.kernel !== "6.1") return null;
      const k = receiverFor(c, "netlink", d[1]);
      if (!k) return null;
      return [...k.before, { fn, result: c.fresh("u"), args: [ref(k.sock), s, kw(d[3] % 2 ? "true" : "false")] }];
    },
  },
  oracle: {
    notRecordable:
      "queue_userspace_packet is static in net/openvswitch/datapath.c and needs a datapath and a netlink socket; skb_zerocopy itself is recorded (tests/conformance)",
  },
  run: (tx, r, a) => queue_userspace_packet(tx, r!, a[0], a[1], a[2]),
});
