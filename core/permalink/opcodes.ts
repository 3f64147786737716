/**
 * The permalink op tables (format 1). A link names each operation by its
 * index in OPCODES, so the table only ever grows at the end: a link made
 * today decodes in every later version (core/permalink/golden.test.ts
 * holds links made before the codec moved to core).
 *
 * Kept in a file of its own so the op registry (core/ops/index.ts) can
 * later carry each op's code and this table be read from it.
 */
/** Append-only: the op code is the index. Never reorder or remove. */
export const OPCODES: readonly string[] = [
  "alloc_page", "get_page", "put_page", "owner_reuse", "alloc_skb", "alloc_skb_fclone", "napi_alloc_skb",
  "skb_reserve", "skb_put", "skb_push", "skb_pull", "skb_fill_page_desc", "skb_add_rx_frag", "skb_frag_add_head",
  "skb_get", "kfree_skb", "consume_skb", "kfree_skb_list", "skb_clone", "__skb_header_release", "skb_copy",
  "pskb_copy", "pskb_expand_head", "skb_split", "__pskb_pull_tail", "pskb_may_pull", "skb_linearize", "pskb_trim",
  "skb_try_coalesce", "kfree_skb_partial", "skb_shift", "skb_zerocopy", "skb_segment", "skb_splice_bits",
  "pipe_release", "sock_create", "sock_queue_rcv_skb", "skb_copy_datagram_iter", "sk_eat_skb", "skb_orphan",
  "zerocopy_arm", "skb_orphan_frags", "skb_orphan_frags_rx", "skb_copy_ubufs", "skb_recycle_check",
  "do_tcp_sendpages", "dev_queue_xmit", "dev_consume_skb_any", "skb_tx_error", "skb_gro_receive",
];
/** The eight commonest operations, 4 bits each (fixed for format 1); the rest take 7. */
export const SHORT_OPS: readonly string[] = [
  "alloc_page", "alloc_skb", "skb_fill_page_desc", "zerocopy_arm", "kfree_skb", "skb_clone", "pskb_copy", "pskb_expand_head",
];
