/**
 * The operation table: every trace operation, its arguments, what it
 * returns, and the module that models it. The parser, the engine, the
 * search and the UI's operation forms all read this one table.
 */
import type { Tx } from "../model/tx";
import type { KernelId } from "../model/types";
import { __pskb_pull_tail, pskb_may_pull, skb_linearize } from "./__pskb_pull_tail";
import { alloc_page, get_page, owner_reuse, put_page } from "./alloc_page";
import { alloc_skb, alloc_skb_fclone, napi_alloc_skb, skb_pull, skb_push, skb_put, skb_reserve } from "./alloc_skb";
import { dev_consume_skb_any, dev_queue_xmit } from "./dev_queue_xmit";
import { do_tcp_sendpages } from "./do_tcp_sendpages";
import { consume_skb, kfree_skb, kfree_skb_list, skb_get } from "./kfree_skb";
import { pskb_copy } from "./pskb_copy";
import { pskb_expand_head } from "./pskb_expand_head";
import { pskb_trim } from "./pskb_trim";
import { __skb_header_release, skb_clone } from "./skb_clone";
import { skb_copy } from "./skb_copy";
import { skb_copy_ubufs, skb_orphan_frags, skb_orphan_frags_rx } from "./skb_copy_ubufs";
import { skb_add_rx_frag, skb_fill_page_desc, skb_frag_add_head } from "./skb_fill_page_desc";
import { skb_orphan } from "./skb_orphan";
import { skb_recycle_check } from "./skb_recycle_check";
import { skb_segment } from "./skb_segment";
import { skb_shift } from "./skb_shift";
import { pipe_release, skb_splice_bits } from "./skb_splice_bits";
import { skb_split } from "./skb_split";
import { skb_tx_error } from "./skb_tx_error";
import { skb_gro_receive } from "./skb_gro_receive";
import { kfree_skb_partial, skb_try_coalesce } from "./skb_try_coalesce";
import { skb_zerocopy } from "./skb_zerocopy";
import { sk_eat_skb, skb_copy_datagram_iter, sock_create, sock_queue_rcv_skb } from "./sock_queue_rcv_skb";
import { zerocopy_arm } from "./zerocopy_arm";

/** What an argument must be. */
export type ParamKind = "skb" | "page" | "pipe" | "sock" | "list" | "int" | "owner" | "bool";
export type ResultKind = "skb" | "page" | "pipe" | "sock" | "list";

/** A resolved argument: names as strings, numbers, keywords. */
export type ArgValue = string | number | boolean;

export interface OpSpec {
  readonly fn: string;
  readonly params: readonly ParamKind[];
  /** Parameter names, for messages and forms (skbuff.h's where it has them). */
  readonly names: readonly string[];
  /** How many trailing params may be left out. */
  readonly optional?: number;
  readonly result: ResultKind | null;
  /** The result is required exactly when the optional args are absent. */
  readonly resultUnlessOptional?: boolean;
  readonly kernels?: readonly KernelId[];
  /** Why the other kernel lacks it (its history), for the error. */
  readonly history?: string;
  readonly family: string;
  readonly summary: string;
  run(tx: Tx, result: string | undefined, args: readonly ArgValue[]): void;
}

const s = (v: ArgValue) => v as string;
const n = (v: ArgValue) => v as number;
const b = (v: ArgValue) => v as boolean;

const SPECS: OpSpec[] = [
  { fn: "alloc_page", params: ["owner"], names: ["owner"], result: "page", family: "alloc_page", summary: "map a guest page / allocate a host page (one reference, the caller's)", run: (tx, r, a) => alloc_page(tx, r!, s(a[0]) as "guest" | "host") },
  { fn: "get_page", params: ["page"], names: ["page"], result: null, family: "alloc_page", summary: "the caller takes a page reference", run: (tx, _r, a) => get_page(tx, s(a[0]) as never) },
  { fn: "put_page", params: ["page"], names: ["page"], result: null, family: "alloc_page", summary: "the caller drops a page reference", run: (tx, _r, a) => put_page(tx, s(a[0]) as never) },
  { fn: "owner_reuse", params: ["page"], names: ["page"], result: null, family: "alloc_page", summary: "the owner writes new data into its page", run: (tx, _r, a) => owner_reuse(tx, s(a[0]) as never) },
  { fn: "alloc_skb", params: ["int"], names: ["size"], result: "skb", family: "alloc_skb", summary: "__alloc_skb(size)", run: (tx, r, a) => alloc_skb(tx, r!, n(a[0])) },
  { fn: "alloc_skb_fclone", params: ["int"], names: ["size"], result: "skb", family: "alloc_skb", summary: "__alloc_skb(size, SKB_ALLOC_FCLONE)", run: (tx, r, a) => alloc_skb_fclone(tx, r!, n(a[0])) },
  { fn: "napi_alloc_skb", params: ["int"], names: ["len"], result: "skb", history: "page-fragment heads came after 2.6.32 (__napi_alloc_skb, 3.19)", kernels: ["6.1"], family: "alloc_skb", summary: "an skb with a page-fragment head (head_frag)", run: (tx, r, a) => napi_alloc_skb(tx, r!, n(a[0])) },
  { fn: "skb_reserve", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "alloc_skb", summary: "make headroom", run: (tx, _r, a) => skb_reserve(tx, s(a[0]), n(a[1])) },
  { fn: "skb_put", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "alloc_skb", summary: "add linear data at the tail", run: (tx, _r, a) => skb_put(tx, s(a[0]), n(a[1])) },
  { fn: "skb_push", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "alloc_skb", summary: "add data at the front (headroom)", run: (tx, _r, a) => skb_push(tx, s(a[0]), n(a[1])) },
  { fn: "skb_pull", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "alloc_skb", summary: "remove linear data from the front", run: (tx, _r, a) => skb_pull(tx, s(a[0]), n(a[1])) },
  { fn: "skb_fill_page_desc", params: ["skb", "int", "page", "int", "int"], names: ["skb", "i", "page", "off", "size"], result: null, family: "skb_fill_page_desc", summary: "attach a page as frags[i] (the caller's reference is handed over)", run: (tx, _r, a) => skb_fill_page_desc(tx, s(a[0]), n(a[1]), s(a[2]), n(a[3]), n(a[4])) },
  { fn: "skb_add_rx_frag", params: ["skb", "int", "page", "int", "int", "int"], names: ["skb", "i", "page", "off", "size", "truesize"], result: null, family: "skb_fill_page_desc", summary: "attach a received page as frags[i]", run: (tx, _r, a) => skb_add_rx_frag(tx, s(a[0]), n(a[1]), s(a[2]), n(a[3]), n(a[4]), n(a[5])) },
  { fn: "skb_frag_add_head", params: ["skb", "skb"], names: ["skb", "frag"], result: null, family: "skb_fill_page_desc", summary: "put an skb at the head of the frag_list", run: (tx, _r, a) => skb_frag_add_head(tx, s(a[0]), s(a[1])) },
  { fn: "skb_get", params: ["skb"], names: ["skb"], result: null, family: "kfree_skb", summary: "users + 1", run: (tx, _r, a) => skb_get(tx, s(a[0])) },
  { fn: "kfree_skb", params: ["skb"], names: ["skb"], result: null, family: "kfree_skb", summary: "drop a reference; free at the last", run: (tx, _r, a) => kfree_skb(tx, s(a[0])) },
  { fn: "consume_skb", params: ["skb"], names: ["skb"], result: null, family: "kfree_skb", summary: "drop a reference; free at the last", run: (tx, _r, a) => consume_skb(tx, s(a[0])) },
  { fn: "kfree_skb_list", params: ["list"], names: ["segs"], result: null, family: "kfree_skb", summary: "kfree_skb each segment of a list", run: (tx, _r, a) => kfree_skb_list(tx, s(a[0])) },
  { fn: "skb_clone", params: ["skb"], names: ["skb"], result: "skb", family: "skb_clone", summary: "a new skb sharing the Data (dataref + 1)", run: (tx, r, a) => skb_clone(tx, r!, s(a[0])) },
  { fn: "__skb_header_release", params: ["skb"], names: ["skb"], result: null, family: "skb_clone", summary: "payload-only reference (nohdr, dataref high half)", run: (tx, _r, a) => __skb_header_release(tx, s(a[0])) },
  { fn: "skb_copy", params: ["skb"], names: ["skb"], result: "skb", family: "skb_copy", summary: "a private linear copy of everything", run: (tx, r, a) => skb_copy(tx, r!, s(a[0])) },
  { fn: "pskb_copy", params: ["skb"], names: ["skb"], result: "skb", family: "pskb_copy", summary: "a private head; frags shared by page reference", run: (tx, r, a) => pskb_copy(tx, r!, s(a[0])) },
  { fn: "pskb_expand_head", params: ["skb", "int", "int"], names: ["skb", "nhead", "ntail"], result: null, family: "pskb_expand_head", summary: "a new private head", run: (tx, _r, a) => pskb_expand_head(tx, s(a[0]), n(a[1]), n(a[2])) },
  { fn: "skb_split", params: ["skb", "int"], names: ["skb", "len"], result: "skb", family: "skb_split", summary: "split at len into a new skb (tcp_fragment)", run: (tx, r, a) => skb_split(tx, r!, s(a[0]), n(a[1])) },
  { fn: "__pskb_pull_tail", params: ["skb", "int"], names: ["skb", "delta"], result: null, family: "__pskb_pull_tail", summary: "copy paged bytes into the linear area", run: (tx, _r, a) => __pskb_pull_tail(tx, s(a[0]), n(a[1])) },
  { fn: "pskb_may_pull", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "__pskb_pull_tail", summary: "make len bytes linear", run: (tx, _r, a) => pskb_may_pull(tx, s(a[0]), n(a[1])) },
  { fn: "skb_linearize", params: ["skb"], names: ["skb"], result: null, family: "__pskb_pull_tail", summary: "make everything linear", run: (tx, _r, a) => skb_linearize(tx, s(a[0])) },
  { fn: "pskb_trim", params: ["skb", "int"], names: ["skb", "len"], result: null, family: "pskb_trim", summary: "cut to len bytes", run: (tx, _r, a) => pskb_trim(tx, s(a[0]), n(a[1])) },
  { fn: "skb_try_coalesce", params: ["skb", "skb"], names: ["to", "from"], result: null, history: "added in 3.5", kernels: ["6.1"], family: "skb_try_coalesce", summary: "merge from's data into to", run: (tx, _r, a) => skb_try_coalesce(tx, s(a[0]), s(a[1])) },
  { fn: "kfree_skb_partial", params: ["skb", "bool"], names: ["skb", "head_stolen"], result: null, history: "added in 3.5", kernels: ["6.1"], family: "skb_try_coalesce", summary: "free after coalescing", run: (tx, _r, a) => kfree_skb_partial(tx, s(a[0]), b(a[1])) },
  { fn: "skb_shift", params: ["skb", "skb", "int"], names: ["tgt", "skb", "shiftlen"], result: null, family: "skb_shift", summary: "move paged bytes from skb to tgt", run: (tx, _r, a) => skb_shift(tx, s(a[0]), s(a[1]), n(a[2])) },
  { fn: "skb_zerocopy", params: ["skb", "skb", "int", "int"], names: ["to", "from", "len", "hlen"], result: null, history: "added in 3.14", kernels: ["6.1"], family: "skb_zerocopy", summary: "reference from's data in to", run: (tx, _r, a) => skb_zerocopy(tx, s(a[0]), s(a[1]), n(a[2]), n(a[3])) },
  { fn: "skb_segment", params: ["skb", "int"], names: ["skb", "mss"], result: "list", family: "skb_segment", summary: "GSO segments sharing the pages", run: (tx, r, a) => skb_segment(tx, r!, s(a[0]), n(a[1])) },
  { fn: "skb_splice_bits", params: ["skb", "int", "int", "pipe"], names: ["skb", "offset", "len", "pipe"], optional: 1, result: "pipe", resultUnlessOptional: true, family: "skb_splice_bits", summary: "splice pages into a pipe", run: (tx, r, a) => skb_splice_bits(tx, r, s(a[0]), n(a[1]), n(a[2]), a[3] === undefined ? undefined : s(a[3])) },
  { fn: "do_tcp_sendpages", params: ["skb", "pipe"], names: ["skb", "pipe"], result: null, family: "do_tcp_sendpages", summary: "splice a pipe into a TCP socket's skb (the pages move on)", run: (tx, _r, a) => do_tcp_sendpages(tx, s(a[0]), s(a[1])) },
  { fn: "pipe_release", params: ["pipe"], names: ["pipe"], result: null, family: "skb_splice_bits", summary: "close the pipe: its buffers put their pages", run: (tx, _r, a) => pipe_release(tx, s(a[0])) },
  { fn: "sock_create", params: [], names: [], result: "sock", family: "sock_queue_rcv_skb", summary: "a local socket", run: (tx, r) => sock_create(tx, r!) },
  { fn: "sock_queue_rcv_skb", params: ["sock", "skb"], names: ["sk", "skb"], result: null, family: "sock_queue_rcv_skb", summary: "local delivery to a socket's receive queue", run: (tx, _r, a) => sock_queue_rcv_skb(tx, s(a[0]), s(a[1])) },
  { fn: "skb_copy_datagram_iter", params: ["skb", "int", "int"], names: ["skb", "offset", "len"], result: null, family: "sock_queue_rcv_skb", summary: "the application reads by copy", run: (tx, _r, a) => skb_copy_datagram_iter(tx, s(a[0]), n(a[1]), n(a[2])) },
  { fn: "sk_eat_skb", params: ["sock", "skb"], names: ["sk", "skb"], result: null, family: "sock_queue_rcv_skb", summary: "the application is done with the skb", run: (tx, _r, a) => sk_eat_skb(tx, s(a[0]), s(a[1])) },
  { fn: "dev_queue_xmit", params: ["skb"], names: ["skb"], result: null, family: "dev_queue_xmit", summary: "hand the skb to the device (the caller's reference goes with it)", run: (tx, _r, a) => dev_queue_xmit(tx, s(a[0])) },
  { fn: "dev_consume_skb_any", params: ["skb"], names: ["skb"], result: null, family: "dev_queue_xmit", summary: "the driver's transmit completion frees the skb", run: (tx, _r, a) => dev_consume_skb_any(tx, s(a[0])) },
  { fn: "skb_orphan", params: ["skb"], names: ["skb"], result: null, family: "skb_orphan", summary: "run the destructor now", run: (tx, _r, a) => skb_orphan(tx, s(a[0])) },
  { fn: "zerocopy_arm", params: ["skb"], names: ["skb"], result: null, family: "zerocopy_arm", summary: "the owner arms its completion, as the policy says", run: (tx, _r, a) => zerocopy_arm(tx, s(a[0])) },
  { fn: "skb_orphan_frags", params: ["skb"], names: ["skb"], result: null, history: "ubuf_info zero-copy came in 3.1, skb_orphan_frags in 3.7", kernels: ["6.1"], family: "skb_copy_ubufs", summary: "copy zero-copy frags unless DONT_ORPHAN", run: (tx, _r, a) => skb_orphan_frags(tx, s(a[0])) },
  { fn: "skb_orphan_frags_rx", params: ["skb"], names: ["skb"], result: null, history: "added in 4.14 with MSG_ZEROCOPY", kernels: ["6.1"], family: "skb_copy_ubufs", summary: "copy zero-copy frags (toward a receiver)", run: (tx, _r, a) => skb_orphan_frags_rx(tx, s(a[0])) },
  { fn: "skb_copy_ubufs", params: ["skb"], names: ["skb"], result: null, history: "ubuf_info zero-copy came in 3.1", kernels: ["6.1"], family: "skb_copy_ubufs", summary: "copy the owner's frags to kernel pages", run: (tx, _r, a) => skb_copy_ubufs(tx, s(a[0])) },
  { fn: "skb_gro_receive", params: ["skb", "skb"], names: ["p", "skb"], result: null, history: "GRO came in 2.6.29; 6.1 has it in net/core/gro.c", kernels: ["6.1"], family: "skb_gro_receive", summary: "GRO merges skb into the held packet p (frags, stolen head or frag_list)", run: (tx, _r, a) => skb_gro_receive(tx, s(a[0]), s(a[1])) },
  { fn: "skb_tx_error", params: ["skb"], names: ["skb"], result: null, history: "added in 3.8 for zero-copy", kernels: ["6.1"], family: "skb_tx_error", summary: "a driver's xmit error: report to the ubuf owner, then free", run: (tx, _r, a) => skb_tx_error(tx, s(a[0])) },
  { fn: "skb_recycle_check", params: ["skb", "int"], names: ["skb", "skb_size"], result: null, history: "removed in 3.7", kernels: ["2.6.32"], family: "skb_recycle_check", summary: "reuse a sent skb for receive", run: (tx, _r, a) => skb_recycle_check(tx, s(a[0]), n(a[1])) },
];

export const OPS: ReadonlyMap<string, OpSpec> = new Map(SPECS.map((spec) => [spec.fn, spec]));

/** Other spellings accepted on input; the printer writes the canonical one. */
export const ALIASES: ReadonlyMap<string, string> = new Map([
  ["skb_header_release", "__skb_header_release"],
  ["guest_write", "owner_reuse"],
]);

export function opSpec(fn: string): OpSpec | undefined {
  return OPS.get(fn) ?? OPS.get(ALIASES.get(fn) ?? "");
}
