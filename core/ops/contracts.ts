// SPDX-License-Identifier: GPL-2.0-only
/**
 * Caller contracts: what every 6.1 caller of a function guarantees and the
 * function itself never checks. Breaking one is not a kernel error (no
 * BUG_ON, no error code): it is a path Linux cannot take. This one table is
 * read by the engine (engine/apply.ts: a step error of kind `precondition`
 * naming the contract, or, in a trace headed `# contracts: flag`, an
 * `unreachable` finding) and by the search menu (search/menu.ts never
 * offers a step that breaks one), so run, check, search and the app agree.
 *
 * A check reads the state before the step and returns why the contract is
 * broken, or null. It returns null when an argument names nothing (the
 * operation then reports the unknown name or the freed object itself).
 */
import type { ArgValue } from "./spec";
import { DATAREF_MASK, queueOf } from "../model/lookup";
import type { Data, Skb, SkbId, Sock, SockFamily, SockId, State } from "../model/types";

export interface Contract {
  /** A stable name, used in messages, JSON and tests. */
  readonly id: string;
  /** The operations it guards. */
  readonly fns: readonly string[];
  /** The contract, in one line. */
  readonly rule: string;
  /** Where 6.1 keeps it (callers) or relies on it. */
  readonly source: string;
  /**
   * Whether the engine still models the call faithfully when the contract is
   * broken (the kernel itself would run it as the engine does: the kernel
   * oracle calls such functions directly). Only those may run, flagged, in
   * a `# contracts: flag` trace; the others are refused there too.
   */
  readonly flaggable: boolean;
  /** Why the step breaks it, or null (`fn`: which of `fns` is called). */
  broken(state: State, args: readonly ArgValue[], fn: string): string | null;
}

const skbAt = (state: State, name: ArgValue): Skb | undefined => state.skbs.get(name as SkbId);
const dataOf = (state: State, skb: Skb): Data | undefined => state.datas.get(skb.head);
/** skb_cloned(), as model/lookup.ts has it for a Tx, on a plain state. */
function cloned(state: State, skb: Skb): boolean {
  const data = dataOf(state, skb);
  return !!data && skb.cloned && (data.dataref & DATAREF_MASK) !== 1;
}

/** A socket `family`'s receiving operation may queue to: one of that family, or of none yet. */
export function receivesAs(sock: Sock | undefined, family: SockFamily): boolean {
  return sock?.family === undefined || sock.family === family;
}

/** The family of socket each receiving operation queues to (Sock.family). */
export const FAMILY_OF: Readonly<Record<string, SockFamily>> = {
  sock_queue_rcv_skb: "inet",
  dev_queue_xmit_nit: "packet",
  queue_userspace_packet: "netlink",
};

export const CONTRACTS: readonly Contract[] = [
  {
    id: "read-from-receive-queue",
    fns: ["skb_splice_bits", "skb_copy_datagram_iter"],
    rule: "the skb is on a socket's receive queue (the reader's)",
    source:
      "net/ipv4/tcp.c: tcp_read_sock() takes skbs from sk_receive_queue (tcp_recv_skb(), 6.1 l.1670-1732) for tcp_splice_data_recv() -> skb_splice_bits() (l.747); tcp_recvmsg_locked() copies skbs it walks on sk_receive_queue (l.2646); net/unix/af_unix.c unix_stream_splice_actor() (l.3039). Datagram readers dequeue first (skb_recv_datagram); the model keeps the skb queued until sk_eat_skb()",
    flaggable: true,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      if (!skb || queueOf(state, skb.name)) return null;
      return `${skb.name} is on no receive queue; only a socket's reader splices or copies it out`;
    },
  },
  {
    id: "splice-stream-sockets",
    fns: ["skb_splice_bits"],
    rule: "the skb was received by a socket whose family splices (TCP, unix, kcm, tls), not a netlink message or a packet tap's clone",
    source:
      "net/netlink/af_netlink.c: netlink_ops (6.1 l.2768-2787) and net/packet/af_packet.c: packet_ops (6.1 l.4805-4825) have no splice_read, so net/socket.c sock_splice_read() (l.1091-1092) falls back to generic_file_splice_read(), which reads through netlink_recvmsg() or packet_recvmsg() and copies; skb_splice_bits() is called only by tcp_splice_data_recv (net/ipv4/tcp.c l.747), unix_stream_splice_actor (net/unix/af_unix.c l.3039), kcm (net/kcm/kcmsock.c l.1187) and tls (net/tls/tls_sw.c l.2393)",
    flaggable: true,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      if (!skb) return null;
      if (skb.destructor?.fn === "netlink_skb_destructor")
        return `${skb.name} is a netlink message (queued by netlink_unicast): netlink has no splice_read, so a splice() of its socket copies through netlink_recvmsg()`;
      const on = queueOf(state, skb.name);
      return on && state.socks.get(on)?.family === "packet"
        ? `${skb.name} is on packet socket ${on}'s queue (a tap's clone): packet sockets have no splice_read, so a splice() of ${on} copies through packet_recvmsg()`
        : null;
    },
  },
  {
    id: "socket-family",
    fns: Object.keys(FAMILY_OF),
    rule: "one socket receives one way: local delivery to an inet socket, a tap's clone to a packet socket, an upcall to a netlink socket",
    source:
      "net/socket.c __sock_create() (6.1 l.1479) fixes a socket's family, and its ops, at socket(2); __sock_queue_rcv_skb() (net/core/sock.c l.480) queues for inet sockets, packet_rcv() (net/packet/af_packet.c l.2287) for AF_PACKET ones, netlink_unicast() (net/netlink/af_netlink.c l.1327) for netlink ones",
    flaggable: false,
    broken(state, args, fn) {
      const sock = state.socks.get(args[0] as SockId);
      const wanted = FAMILY_OF[fn];
      return receivesAs(sock, wanted)
        ? null
        : `${sock!.name} is ${sock!.family === "inet" ? "an" : "a"} ${sock!.family} socket; ${fn} queues to ${wanted} sockets`;
    },
  },
  {
    id: "split-inside-skb",
    fns: ["skb_split"],
    rule: "0 < len < skb->len",
    source:
      "net/ipv4/tcp_output.c: tcp_fragment() (6.1 l.1535; WARN_ON(len > skb->len) l.1546) is called only when skb->len > len (tcp_write_xmit l.2707, __tcp_retransmit_skb l.3264, tcp_input.c tcp_match_skb_to_sack l.1343), len at least one mss; tso_fragment() likewise (l.2129)",
    flaggable: true,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      const len = args[1] as number;
      if (!skb || len < 0 || len > skb.len) return null; // out of range: the op says so
      if (len === 0) return `len 0: TCP never splits off the whole skb (tcp_fragment is called with 0 < len)`;
      if (len === skb.len) return `len ${len} is skb->len: TCP splits only when skb->len > len, so the new skb is never empty`;
      return null;
    },
  },
  {
    id: "split-unclone-first",
    fns: ["skb_split"],
    rule: "the skb is not cloned",
    source: "net/ipv4/tcp_output.c: tcp_fragment() calls skb_unclone_keeptruesize() before skb_split() (6.1 l.1567)",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      return skb && cloned(state, skb) ? `${skb.name} is cloned; tcp_fragment() calls skb_unclone() first` : null;
    },
  },
  {
    id: "split-no-frag-list",
    fns: ["skb_split"],
    rule: "the skb has no frag_list",
    source:
      "net/core/skbuff.c: skb_split() (6.1 l.3643) moves only the head and frags; its callers (tcp_fragment, batadv_frag_create) split TCP and batman skbs, which have none",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      const data = skb && dataOf(state, skb);
      return data && data.frag_list.length > 0 ? `${skb!.name} has a frag_list; TCP skbs never do` : null;
    },
  },
  {
    id: "fill-at-nr-frags",
    fns: ["skb_fill_page_desc", "skb_add_rx_frag"],
    rule: "i == skb_shinfo(skb)->nr_frags",
    source:
      "include/linux/skbuff.h: skb_fill_page_desc() (6.1 l.2504) sets nr_frags = i + 1 unchecked; callers pass nr_frags (skb_append_pagefrags, skbuff.c l.3996; skb_try_coalesce l.5523; tcp_build_frag, tcp.c l.1030; drivers' skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, ...))",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      const data = skb && dataOf(state, skb);
      const i = args[1] as number;
      if (!data || i === data.frags.length) return null;
      return `i ${i} is not nr_frags (${data.frags.length}); another index would overwrite a descriptor or leave a hole`;
    },
  },
  {
    id: "fill-uncloned",
    fns: ["skb_fill_page_desc", "skb_add_rx_frag"],
    rule: "the skb is not cloned",
    source:
      "include/linux/skbuff.h: __skb_fill_page_desc() writes the shared shinfo; its callers build skbs they alone hold (tcp_sendmsg_locked after skb_unclone, drivers on fresh rx skbs)",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      return skb && cloned(state, skb) ? `${skb.name} is cloned; the frag would appear in every clone's Data` : null;
    },
  },
  {
    id: "frag-list-own",
    fns: ["skb_frag_add_head"],
    rule: "the member is another skb, on no frag_list, with its own Data, and the head skb is not cloned",
    source:
      "include/linux/skbuff.h: skb_frag_add_head() (6.1) links frag->next unchecked; callers (GRO skb_gro_receive_list, ip_fragment's fraglist build) own both skbs",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      const member = skbAt(state, args[1]);
      if (!skb || !member) return null;
      if (skb.name === member.name) return "an skb cannot be on its own frag_list";
      if (cloned(state, skb)) return `${skb.name} is cloned`;
      for (const d of state.datas.values()) if (d.frag_list.includes(member.name)) return `${member.name} is already on a frag_list`;
      if (member.head === skb.head) return `${member.name} shares ${skb.name}'s Data`;
      return null;
    },
  },
  {
    id: "queue-once",
    fns: ["sock_queue_rcv_skb"],
    rule: "the skb is on no receive queue and no frag_list",
    source:
      "include/linux/skbuff.h: __skb_queue_tail() links skb->next/prev unchecked; an skb is on one list at a time, and a frag_list chains its members through skb->next",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[1]);
      if (!skb) return null;
      const on = queueOf(state, skb.name);
      if (on) return `${skb.name} is already on ${on}'s receive queue (an skb is on one list at a time)`;
      for (const d of state.datas.values()) if (d.frag_list.includes(skb.name)) return `${skb.name} is on a frag_list; its head skb is what is delivered`;
      return null;
    },
  },
  {
    id: "xmit-unqueued",
    fns: ["dev_queue_xmit"],
    rule: "the skb is on no queue and no frag_list",
    source:
      "net/core/dev.c: __dev_queue_xmit() (6.1 l.4295) links skb->next into the qdisc; an skb is on one list at a time, and a frag_list member is sent by its head",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      if (!skb) return null;
      if (state.devq.has(skb.name)) return `${skb.name} is already on the device's transmit queue`;
      const on = queueOf(state, skb.name);
      if (on) return `${skb.name} is on ${on}'s receive queue`;
      for (const d of state.datas.values()) if (d.frag_list.includes(skb.name)) return `${skb.name} is on a frag_list; its head skb is what is sent`;
      return null;
    },
  },
  {
    id: "xmit-completes-queued",
    fns: ["dev_consume_skb_any"],
    rule: "the skb is on the device's transmit queue",
    source:
      "include/linux/netdevice.h: dev_consume_skb_any() (6.1 l.3866); a driver's TX completion frees the skbs of its ring (e.g. drivers/net/ethernet/intel/e1000e/netdev.c e1000_clean_tx_irq() l.1213 -> e1000_put_txbuf() l.1079)",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      return skb && !state.devq.has(skb.name) ? `${skb.name} is not on the device's transmit queue; only a transmitted skb is completed` : null;
    },
  },
  {
    id: "eat-own-queue",
    fns: ["sk_eat_skb"],
    rule: "the skb is on this socket's receive queue",
    source: "include/net/sock.h: sk_eat_skb() (6.1 l.2935) __skb_unlink()s it from sk->sk_receive_queue unchecked",
    flaggable: false,
    broken(state, args) {
      const sock = state.socks.get(args[0] as SockId);
      const skb = skbAt(state, args[1]);
      return sock && skb && !sock.queue.includes(skb.name) ? `${skb.name} is not on ${sock.name}'s receive queue` : null;
    },
  },
  {
    id: "header-release-before-clone",
    fns: ["__skb_header_release"],
    rule: "6.1: the skb is not cloned yet",
    source:
      "include/linux/skbuff.h: __skb_header_release() (6.1 l.1986) sets dataref = 1 + (1 << SKB_DATAREF_SHIFT); callers (tcp_queue_skb, tcp_fragment) run it before any clone exists",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      if (state.kernel !== "6.1" || !skb || !cloned(state, skb)) return null;
      return `${skb.name} is cloned; 6.1 sets dataref = 0x10001, assuming no clone exists yet`;
    },
  },
  {
    id: "zerocopy-fresh-to",
    fns: ["skb_zerocopy"],
    rule: "to is a fresh skb, unshared (not cloned), with no frags, distinct from from; from has no frag_list",
    source:
      "net/core/skbuff.c: skb_zerocopy() (6.1) fills to's frags from index 0 and writes its head; both in-tree callers pass a skb they just allocated, never cloned (net/openvswitch/datapath.c: queue_userspace_packet() genlmsg_new() l.462 -> skb_zerocopy() l.550; net/netfilter/nfnetlink_queue.c: nfqnl_build_packet_message() alloc_skb() l.584 -> skb_zerocopy() l.733), and skb_zerocopy_headlen() makes them copy a frag_list skb whole",
    flaggable: false,
    broken(state, args) {
      const to = skbAt(state, args[0]);
      const from = skbAt(state, args[1]);
      if (!to || !from) return null;
      if (to.name === from.name) return "to and from are the same skb";
      if (cloned(state, to)) return `${to.name} is cloned; callers pass a newly allocated, unshared skb`;
      if (dataOf(state, to)?.frags.length) return `${to.name} already has frags; callers pass a fresh skb`;
      if (dataOf(state, from)?.frag_list.length) return `${from.name} has a frag_list; skb_zerocopy_headlen() makes callers copy it all (hlen = len)`;
      return null;
    },
  },
  {
    id: "coalesce-two-skbs",
    fns: ["skb_try_coalesce"],
    rule: "to and from are different skbs",
    source: "net/core/skbuff.c: skb_try_coalesce() (6.1 l.5468); tcp_try_coalesce() passes the queue's tail and a new skb",
    flaggable: false,
    broken(state, args) {
      return args[0] === args[1] && skbAt(state, args[0]) ? "to and from are the same skb" : null;
    },
  },
  {
    id: "sendpages-uncloned",
    fns: ["do_tcp_sendpages"],
    rule: "the skb at the tail of the write queue is not cloned",
    source:
      "net/ipv4/tcp.c: tcp_build_frag() appends to the write queue's tail only when tcp_skb_can_collapse_to() (a sent, hence cloned, skb is not appended to)",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[0]);
      return skb && cloned(state, skb) ? `${skb.name} is cloned; tcp_skb_can_collapse_to() would start a new skb` : null;
    },
  },
  {
    id: "in-flight",
    fns: ["dev_queue_xmit_nit", "queue_userspace_packet"],
    rule: "the skb is one the stack is passing on: on no receive queue and no frag_list",
    source:
      "net/core/dev.c: xmit_one() (6.1 l.3695) taps the skb it hands to the driver; net/openvswitch/datapath.c: queue_userspace_packet() (6.1 l.409) gets the skb the datapath is processing; neither sees an skb a socket has queued, and a frag_list member travels with its head",
    flaggable: false,
    broken(state, args) {
      const skb = skbAt(state, args[1]);
      if (!skb) return null;
      const on = queueOf(state, skb.name);
      if (on) return `${skb.name} is on ${on}'s receive queue: a reader has it, not the stack`;
      for (const d of state.datas.values())
        if (d.frag_list.includes(skb.name)) return `${skb.name} is on a frag_list; its head skb is what the stack passes on`;
      return null;
    },
  },
];

const BY_FN = new Map<string, Contract[]>();
for (const c of CONTRACTS) for (const fn of c.fns) BY_FN.set(fn, [...(BY_FN.get(fn) ?? []), c]);

/** The contracts guarding one operation. */
export function contractsOf(fn: string): readonly Contract[] {
  return BY_FN.get(fn) ?? [];
}

export interface BrokenContract {
  readonly contract: Contract;
  readonly why: string;
}

/** The first contract this call breaks in this state, or null. */
export function brokenContract(state: State, fn: string, args: readonly ArgValue[]): BrokenContract | null {
  for (const contract of contractsOf(fn)) {
    const why = contract.broken(state, args, fn);
    if (why) return { contract, why };
  }
  return null;
}

/** The step error's message: the function, why, and the contract by name. */
export function contractMessage(fn: string, b: BrokenContract): string {
  return `${fn}: ${b.why} (caller contract ${b.contract.id}: ${b.contract.rule})`;
}
