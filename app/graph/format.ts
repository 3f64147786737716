// SPDX-License-Identifier: GPL-2.0-only
/**
 * Counter text in the kernel's terms.
 *
 * dataref is one atomic int: the low 16 bits count every skb on the Data,
 * the high 16 the payload-only (nohdr) ones (core/model/README.md). Shown
 * as "2" when no reference is payload-only, else "header+payload", e.g.
 * "1+1" for 0x10002: two references, one of them payload-only.
 */
const MASK = 0xffff;
const SHIFT = 16;

export function datarefHalves(raw: number): { all: number; payload: number } {
  return { all: raw & MASK, payload: raw >>> SHIFT };
}

export function datarefText(raw: number): string {
  const { all, payload } = datarefHalves(raw);
  return payload === 0 ? String(all) : `${all - payload}+${payload}`;
}

/** "0x10002 (dataref & 0xffff = 2, dataref >> 16 = 1)" for the inspector. */
export function datarefExplained(raw: number): string {
  const { all, payload } = datarefHalves(raw);
  return `0x${raw.toString(16)} (dataref & 0xffff = ${all}, dataref >> 16 = ${payload})`;
}

/** A socket's family (Sock.family) and what it means for a splice() of it (core/ops/contracts.ts splice-stream-sockets). */
export const FAMILY_WORDS = {
  inet: "inet: local delivery (sock_queue_rcv_skb); a splice() takes its skbs' pages, as TCP's does",
  packet: "AF_PACKET: a tap's (packet_rcv); no splice_read, so a splice() copies",
  netlink: "netlink: an upcall's (netlink_unicast); no splice_read, so a splice() copies",
} as const;

/** A socket node's subtitle. */
export function sockTitle(family: keyof typeof FAMILY_WORDS | undefined): string {
  return family === "packet" ? "AF_PACKET sock" : family ? `${family} sock` : "struct sock";
}
