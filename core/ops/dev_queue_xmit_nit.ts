// SPDX-License-Identifier: GPL-2.0-only
/**
 * dev_queue_xmit_nit - a packet tap (tcpdump's AF_PACKET socket) sees an skb
 * the device transmits: the tap's clone, delivered to the tap's receive
 * queue. 6.1 only.
 *
 * Models net/core/dev.c (6.1): xmit_one() (l.3695: `if (dev_nit_active(dev))
 * dev_queue_xmit_nit(skb, dev)` before netdev_start_xmit) and
 * dev_queue_xmit_nit() (l.2313): "need to clone skb, done only once":
 * skb2 = skb_clone(skb) (l.2337; 6.1 skb_clone first runs
 * skb_orphan_frags(skb) on the ORIGINAL: a vhost ubuf without
 * SKBFL_DONT_ORPHAN is copied there, for the device too; a MSG_ZEROCOPY
 * ubuf is left alone and the clone shares the Data, dataref +1), then the
 * last tap gets it after `if (!skb_orphan_frags_rx(skb2, GFP_ATOMIC))`
 * (l.2370; deliver_skb l.2260 does the same for every earlier tap, and
 * __netif_receive_skb_core l.5603 on receive): the clone is uncloned
 * (pskb_expand_head: a private Data, ubuf +1, page +1 each) and its frags
 * copied to kernel pages (skb_copy_ubufs: the user's pages put, the
 * callback called once with success false). A failed copy frees skb2
 * (kfree_skb) and the tap sees nothing; the model reports it as a step
 * error.
 *
 * The tap: net/packet/af_packet.c packet_rcv() (6.1 l.2194): skb2 is not
 * shared (users 1: dev_queue_xmit_nit gives its one reference, no
 * refcount_inc for the last tap), so no second clone; pskb_trim(skb,
 * snaplen) trims nothing without a filter; skb_set_owner_r() (skb_orphan,
 * destructor sock_rfree) and __skb_queue_tail(&sk->sk_receive_queue)
 * (l.2287). The tap's socket then holds skb2 until the reader takes it
 * (sk_eat_skb).
 *
 * So in 6.1 a tap never holds a zero-copy page: vhost's were copied by
 * skb_clone, MSG_ZEROCOPY's by skb_orphan_frags_rx. With "sock: enable
 * MSG_ZEROCOPY"'s skb_orphan_frags_rx reverted (fix rx-orphan-frags, whose
 * catalogued lines include l.2260 and l.2370), plain skb_orphan_frags()
 * skips SKBFL_DONT_ORPHAN: the clone keeps the user's pages and the ubuf
 * on the tap's queue, and the sender's notification waits on tcpdump.
 *
 * Not modelled: skb_loop_sk() (a tap never gets back what its own socket
 * sent: the trace names the tap), ptype->ignore_outgoing, the BPF filter
 * (snaplen is the whole skb) and several taps (one clone, then
 * deliver_skb's refcount_inc and packet_rcv's second clone per extra tap).
 */
import { kernelCheck } from "../model/events";
import { assertNewName, skbOf, sockOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { cloneSkb } from "./skb_clone";
import { orphan } from "./skb_orphan";
import { NEW_SOCKET } from "./sock_create";
import { receiverFor } from "./sock_queue_rcv_skb";
import { defineOp, op, ref, type Step } from "./spec";

export function dev_queue_xmit_nit(tx: Tx, result: string, sockName: string, name: string): void {
  const sock = sockOf(tx, sockName, "dev_queue_xmit_nit");
  const skb = skbOf(tx, name, "dev_queue_xmit_nit");
  assertNewName(tx, result, "dev_queue_xmit_nit");
  tx.emit({ kind: "substep", fn: "dev_queue_xmit_nit", text: `a tap is active on the device: clone ${name} once for it (skb_clone)` });
  let clone = cloneSkb(tx, skb, result);
  // l.2370: the last tap's clone; before 1f8b977ab32d skb_orphan_frags().
  const err = fixed(tx, "rx-orphan-frags") ? kernel.skb_orphan_frags_rx(tx, clone) : kernel.skb_orphan_frags(tx, clone);
  if (err) kernelCheck("dev_queue_xmit_nit", `skb_orphan_frags_rx() returned ${err}`, "kfree_skb(skb2): the tap sees nothing");
  clone = orphan(tx, tx.get("skbs", result)!);
  tx.emit({ kind: "substep", fn: "packet_rcv", text: `${result} is not shared: skb_set_owner_r, then onto ${sock.name}'s receive queue` });
  tx.set("skbs", clone.name, { ...clone, sk: sock.name, destructor: { fn: "sock_rfree", sk: sock.name } });
  tx.set("socks", sock.name, { ...sock, family: "packet", queue: [...sock.queue, clone.name] });
}

// --- the registry's entries ----------------------------------------------------

export const dev_queue_xmit_nit_spec = defineOp({
  fn: "dev_queue_xmit_nit",
  params: ["sock", "skb"],
  names: ["tap", "skb"],
  // void dev_queue_xmit_nit(struct sk_buff *skb, struct net_device *dev): no integer.
  ctypes: [null, null],
  result: "skb",
  history: "skb_orphan_frags_rx() added in 4.14 (1f8b977ab32d); 2.6.32 clones with no orphaning and is not modelled",
  kernels: ["6.1"],
  summary: "a packet tap's clone of a transmitted skb, queued to the tap's socket",
  group: "leave the stack",
  opcode: 65,
  docs: [
    {
      call: "t = dev_queue_xmit_nit(k, a)",
      models:
        "6.1 only: `xmit_one()` -> `dev_queue_xmit_nit()`: `skb_clone()` (which orphans a vhost ubuf on `a`), `skb_orphan_frags_rx()` on the clone (MSG_ZEROCOPY frags copied too), then `packet_rcv()`: `skb_set_owner_r` and the tap socket's receive queue. `a` itself goes on to the driver",
    },
  ],
  search: {
    role: "root",
    order: 21,
    // A tap on a packet socket the trace has, or a new one (packet_create) in the same step, as sock_queue_rcv_skb's menu.
    steps: (m, fn) => {
      const { socks, fresh: tap } = m.receivers("packet");
      return m.free.flatMap((s): Step[] => [
        ...socks.map((k) => [op(fn, [ref(k), ref(s.name)], m.fresh("skb"))]),
        ...(tap ? [[op(NEW_SOCKET.packet, [], tap), op(fn, [ref(tap), ref(s.name)], m.fresh("skb"))]] : []),
      ]);
    },
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const s = c.skbArg(d[2]);
      if (!s || c.state.kernel !== "6.1") return null;
      const k = receiverFor(c, "packet", d[1]);
      if (!k) return null;
      return [...k.before, { fn, result: c.fresh("t"), args: [ref(k.sock), s] }];
    },
  },
  // The oracle registers its own ETH_P_ALL tap (packet_rcv's lifetime steps) on the loopback device for the call.
  oracle: "dev_queue_xmit_nit",
  run: (tx, r, a) => dev_queue_xmit_nit(tx, r!, a[0], a[1]),
});
