// SPDX-License-Identifier: GPL-2.0-only
/**
 * The operation registry: every trace operation, in one list. Each op
 * module exports its specs (signature, C types, kernels, history, group,
 * opcode, docs rows, search menu entry, random-trace maker, form defaults,
 * oracle command, run); this list is the only place that names them all.
 * The parser, the engine, the search menu, the random-trace generators,
 * the app's forms, the permalink opcodes, the docs tables (`npm run docs`)
 * and the kernel oracle's parser all derive from it; registry.test.ts
 * fails when one of them is left out.
 *
 * The order is the app's and the search menu's order: append new ops
 * where they belong, but do not reorder (the search tries ops in it).
 */
import { __pskb_pull_tail_spec, pskb_may_pull_spec, skb_linearize_spec } from "./__pskb_pull_tail";
import { alloc_page_spec, get_page_spec, owner_reuse_spec, put_page_spec } from "./alloc_page";
import { alloc_skb_fclone_spec, alloc_skb_spec, napi_alloc_skb_spec, skb_pull_spec, skb_push_spec, skb_put_spec, skb_reserve_spec } from "./alloc_skb";
import { dev_consume_skb_any_spec, dev_queue_xmit_spec } from "./dev_queue_xmit";
import { do_tcp_sendpages_spec } from "./do_tcp_sendpages";
import { consume_skb_spec, kfree_skb_list_spec, kfree_skb_spec, skb_get_spec } from "./kfree_skb";
import { pskb_copy_spec } from "./pskb_copy";
import { pskb_expand_head_spec } from "./pskb_expand_head";
import { pskb_trim_spec } from "./pskb_trim";
import { __skb_header_release_spec, skb_clone_spec } from "./skb_clone";
import { skb_copy_spec } from "./skb_copy";
import { skb_copy_ubufs_spec, skb_orphan_frags_rx_spec, skb_orphan_frags_spec } from "./skb_copy_ubufs";
import { skb_add_rx_frag_spec, skb_fill_page_desc_spec, skb_frag_add_head_spec } from "./skb_fill_page_desc";
import { skb_orphan_spec } from "./skb_orphan";
import { skb_recycle_check_spec } from "./skb_recycle_check";
import { io_send_zc_spec } from "./io_send_zc";
import { skb_segment_spec } from "./skb_segment";
import { skb_shift_spec } from "./skb_shift";
import { pipe_release_spec, skb_splice_bits_spec } from "./skb_splice_bits";
import { skb_gro_receive_spec } from "./skb_gro_receive";
import { skb_split_spec } from "./skb_split";
import { skb_tx_error_spec } from "./skb_tx_error";
import { kfree_skb_partial_spec, skb_try_coalesce_spec } from "./skb_try_coalesce";
import { skb_zerocopy_spec } from "./skb_zerocopy";
import { sk_eat_skb_spec, skb_copy_datagram_iter_spec, sock_queue_rcv_skb_spec } from "./sock_queue_rcv_skb";
import { inet_create_spec, netlink_create_spec, packet_create_spec, sock_create_spec } from "./sock_create";
import type { OpSpec } from "./spec";
import { zerocopy_arm_spec } from "./zerocopy_arm";
import { page_pool_alloc_spec } from "./page_pool_alloc_pages";
import { skb_mark_for_recycle_spec } from "./skb_mark_for_recycle";
import { page_pool_put_full_page_spec } from "./page_pool_put_full_page";
import { dev_queue_xmit_nit_spec } from "./dev_queue_xmit_nit";
import { queue_userspace_packet_spec } from "./queue_userspace_packet";
import { msg_zerocopy_realloc_spec, skb_zcopy_set_spec } from "./msg_zerocopy_realloc";
import { vmsplice_to_pipe_spec } from "./vmsplice_to_pipe";
import { find_or_create_page_spec, generic_file_splice_read_spec } from "./generic_file_splice_read";
import { esp_input_spec } from "./esp_input";

export type { ArgValue, CType, Draw, FuzzCtx, MenuCtx, OpGroup, OpSpec, ParamKind, ResultKind, SearchSpec, Step } from "./spec";
export { OP_GROUPS } from "./spec";

const SPECS: readonly OpSpec[] = [
  alloc_page_spec,
  get_page_spec,
  put_page_spec,
  owner_reuse_spec,
  alloc_skb_spec,
  alloc_skb_fclone_spec,
  napi_alloc_skb_spec,
  skb_reserve_spec,
  skb_put_spec,
  skb_push_spec,
  skb_pull_spec,
  skb_fill_page_desc_spec,
  skb_add_rx_frag_spec,
  skb_frag_add_head_spec,
  skb_get_spec,
  kfree_skb_spec,
  consume_skb_spec,
  kfree_skb_list_spec,
  skb_clone_spec,
  __skb_header_release_spec,
  skb_copy_spec,
  pskb_copy_spec,
  pskb_expand_head_spec,
  skb_split_spec,
  __pskb_pull_tail_spec,
  pskb_may_pull_spec,
  skb_linearize_spec,
  pskb_trim_spec,
  skb_try_coalesce_spec,
  kfree_skb_partial_spec,
  skb_shift_spec,
  skb_zerocopy_spec,
  skb_segment_spec,
  skb_splice_bits_spec,
  do_tcp_sendpages_spec,
  pipe_release_spec,
  sock_create_spec,
  inet_create_spec,
  packet_create_spec,
  netlink_create_spec,
  sock_queue_rcv_skb_spec,
  skb_copy_datagram_iter_spec,
  sk_eat_skb_spec,
  dev_queue_xmit_spec,
  dev_consume_skb_any_spec,
  skb_orphan_spec,
  zerocopy_arm_spec,
  skb_orphan_frags_spec,
  skb_orphan_frags_rx_spec,
  skb_copy_ubufs_spec,
  skb_gro_receive_spec,
  skb_tx_error_spec,
  skb_recycle_check_spec,
  page_pool_alloc_spec,
  skb_mark_for_recycle_spec,
  page_pool_put_full_page_spec,
  dev_queue_xmit_nit_spec,
  queue_userspace_packet_spec,
  skb_zcopy_set_spec,
  msg_zerocopy_realloc_spec,
  vmsplice_to_pipe_spec,
  find_or_create_page_spec,
  generic_file_splice_read_spec,
  esp_input_spec,
  io_send_zc_spec,
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
