// SPDX-License-Identifier: GPL-2.0-only
/**
 * Sockets: sock_create, and socket(2) of one family: inet_create,
 * packet_create, netlink_create.
 *
 * Models net/socket.c __sock_create() (6.1 l.1479), which calls the
 * family's create (l.1550: pf->create()) and so fixes the socket's ops for
 * good: inet_create() (net/ipv4/af_inet.c l.245, sock->ops l.311),
 * packet_create() (net/packet/af_packet.c l.3424, packet_ops l.3445,
 * packet_rcv l.3473), netlink_create() (net/netlink/af_netlink.c l.652,
 * netlink_ops l.627). What the model keeps of it is Sock.family: which
 * way the socket receives (contracts.ts socket-family) and what a splice of
 * it does (splice-stream-sockets). sock_create() names no family: the
 * first skb the socket receives sets it, as the receiving operations do.
 * Every socket starts with an empty receive queue.
 */
import { assertNewName } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { SockFamily, SockId } from "../model/types";
import { defineOp } from "./spec";

export function sock_create(tx: Tx, result: string, family?: SockFamily, fn = "sock_create"): void {
  assertNewName(tx, result, fn);
  tx.set("socks", result, family ? { name: result as SockId, queue: [], family } : { name: result as SockId, queue: [] });
}

// --- the registry's entries ----------------------------------------------------

export const sock_create_spec = defineOp({
  fn: "sock_create",
  params: [],
  names: [],
  ctypes: [],
  result: "sock",
  summary: "a local socket",
  group: "leave the stack",
  opcode: 35,
  docs: [
    {
      call: "s = sock_create()",
      models:
        "a socket with a receive queue; its family (inet, packet, netlink) is set by the first skb it receives: local delivery, a tap, an upcall (`inet_create()`, `packet_create()`, `netlink_create()` say it from the start)",
    },
  ],
  search: { notSearchable: "a socket alone changes no lifetime: the menu creates one within sock_queue_rcv_skb's step" },
  fuzz: { weight: 1, make: (c, _d, fn) => ({ fn, result: c.fresh("k"), args: [] }) },
  oracle: "sock_create",
  run: (tx, r) => sock_create(tx, r!),
});

/**
 * What makes a new socket of a family where a trace or the search menu
 * needs one: a tap's and an upcall's say their family; local delivery's is
 * the plain sock_create(), as traces have always written it.
 */
export const NEW_SOCKET: Readonly<Record<SockFamily, string>> = { inet: "sock_create", packet: "packet_create", netlink: "netlink_create" };

/** A socket(2) of one family: the trace says what the socket is before it receives anything. */
function familyCreate(fn: string, family: SockFamily, opcode: number, summary: string, models: string, oracle: string | { readonly notRecordable: string }) {
  return defineOp({
    fn,
    params: [],
    names: [],
    ctypes: [],
    result: "sock",
    summary,
    group: "leave the stack",
    opcode,
    docs: [{ call: `s = ${fn}()`, models }],
    search: { notSearchable: "the menu makes a receiver's socket within the receiving step, its family set by what it receives" },
    fuzz: { weight: 1, make: (c, _d, f) => ({ fn: f, result: c.fresh("k"), args: [] }) },
    oracle,
    run: (tx, r) => sock_create(tx, r!, family, fn),
  });
}

export const inet_create_spec = familyCreate(
  "inet_create",
  "inet",
  69,
  "a local inet socket",
  "socket(AF_INET): an inet socket (UDP or TCP) for local delivery (`sock_queue_rcv_skb`); a `splice()` of it takes its skbs' pages",
  "sock_create",
);

export const packet_create_spec = familyCreate(
  "packet_create",
  "packet",
  70,
  "an AF_PACKET socket",
  "socket(AF_PACKET): a tap's socket (`dev_queue_xmit_nit`); `packet_ops` has no `splice_read`, so a `splice()` of it copies",
  { notRecordable: "skboracle creates AF_INET sockets only (sock_create_kern(AF_INET)); an AF_PACKET socket would need a bound device to tap" },
);

export const netlink_create_spec = familyCreate(
  "netlink_create",
  "netlink",
  71,
  "a netlink socket",
  "socket(AF_NETLINK): the ovs daemon's socket for upcalls (`queue_userspace_packet`); a `splice()` of it copies",
  { notRecordable: "skboracle creates AF_INET sockets only (sock_create_kern(AF_INET)); an upcall needs an openvswitch datapath" },
);
