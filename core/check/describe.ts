// SPDX-License-Identifier: GPL-2.0-only
/**
 * Holders in words a kernel developer reads at a glance:
 * "h2.frags[0]" -> "skb_shinfo(c)->frags[0]".
 */
import { skbsOfData } from "../model/lookup";
import type { DataId, State } from "../model/types";

export function describeHolder(state: Pick<State, "skbs">, holder: string): string {
  if (holder === "caller") return "the caller's own reference";
  if (holder === "owner") return "its owner (the guest or user process that mapped it)";
  if (holder === "pagecache") return "the page cache (the file's data)";
  const frag = /^(h\d+)\.frags\[(\d+)\]$/.exec(holder);
  if (frag) return `${dataName(state, frag[1] as DataId)}->frags[${frag[2]}]`;
  const head = /^(h\d+)\.head$/.exec(holder);
  if (head) return `the head of ${dataName(state, head[1] as DataId)}`;
  const buf = /^(.+)\.bufs\[(\d+)\]$/.exec(holder);
  if (buf) return `pipe buffer ${buf[2]} of ${buf[1]}`;
  const pfrag = /^(.+)\.pfrag$/.exec(holder);
  if (pfrag) return `the page frag behind pipe ${pfrag[1]}`;
  const ring = /^(.+)\.ring$/.exec(holder);
  if (ring) return `the ring of page_pool ${ring[1]}`;
  const pin = /^(u\d+)\.pin$/.exec(holder);
  if (pin) return `the registered buffer's pin, kept by io_uring notification ${pin[1]}`;
  return holder;
}

/** skb_shinfo(c), or the Data's id when no skb points at it any more. */
export function dataName(state: Pick<State, "skbs">, data: DataId): string {
  const skbs = skbsOfData(state, data);
  return skbs.length ? `skb_shinfo(${skbs.join("/")})` : `Data ${data}`;
}

/** "p1 held by skb_shinfo(c)->frags[0]" from "p1:h2.frags[0]". */
export function describePageHolder(state: Pick<State, "skbs">, entry: string): string {
  const at = entry.indexOf(":");
  const page = entry.slice(0, at);
  return `${page} is held by ${describeHolder(state, entry.slice(at + 1))}`;
}
