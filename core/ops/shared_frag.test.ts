// SPDX-License-Identifier: GPL-2.0-only
/**
 * SKBFL_SHARED_FRAG across every operation (core/model/README.md): a table
 * with a row per op of the registry saying what the op does to the flag of
 * the skb it makes or changes, starting from skb `a` whose frags are a
 * file's page spliced in by do_tcp_sendpages (flag set). A new op fails
 * here until it has its row. Read in 6.1.192: net/core/skbuff.c (l.1804
 * __pskb_copy_fclone, l.3646-3650 skb_split, l.3795 skb_shift, l.4370-4389
 * skb_segment, l.5540 skb_try_coalesce), net/core/gro.c l.288, l.293,
 * net/ipv4/tcp.c l.1033, include/linux/skbuff.h l.1724 skb_zcopy_init,
 * l.1780 skb_zcopy_clear.
 */
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";
import type { KernelId, PolicyId, SkbId, State } from "../model/types";
import { FIXES } from "../fixes/catalogue";
import { isRevertible } from "../fixes/fixed";
import { OPS } from "./index";

/** a: 2000 bytes of a file's page f, paged only, SKBFL_SHARED_FRAG set. */
const SENDFILE = `f = find_or_create_page()
q = generic_file_splice_read(f, 0, 2000)
put_page(f)
a = alloc_skb(256)
do_tcp_sendpages(a, q)
`;
/** b: a guest page, armed as a zero-copy buffer. */
const ARMED = `g = alloc_page(guest)
b = alloc_skb(256)
skb_fill_page_desc(b, 0, g, 0, 4096)
zerocopy_arm(b)
`;

interface Row {
  /** The trace after SENDFILE; its last line is the op. */
  readonly then: string;
  /** The skb whose shinfo flag is read after it, and the flag expected. */
  readonly skb: string;
  readonly flag: boolean;
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  /** Replaces SENDFILE. */
  readonly from?: string;
}
type Entry = Row | { readonly untouched: string };

const PAGE_ONLY = "touches pages, not an skb's shinfo";
const TABLE: Record<string, Entry> = {
  alloc_page: { untouched: PAGE_ONLY },
  get_page: { untouched: PAGE_ONLY },
  put_page: { untouched: PAGE_ONLY },
  owner_reuse: { untouched: "the owner writes its page: no shinfo changes" },
  alloc_skb: { then: "c = alloc_skb(100)", skb: "c", flag: false },
  alloc_skb_fclone: { then: "c = alloc_skb_fclone(100)", skb: "c", flag: false },
  napi_alloc_skb: { then: "c = napi_alloc_skb(100)", skb: "c", flag: false },
  skb_reserve: { then: "c = alloc_skb(100)\nskb_reserve(c, 10)\nskb_reserve(a, 0)", skb: "a", flag: true },
  skb_put: { then: "c = alloc_skb(100)\nskb_put(c, 10)", skb: "c", flag: false },
  skb_push: { then: "c = alloc_skb(100)\nskb_reserve(c, 10)\nskb_push(c, 10)", skb: "c", flag: false },
  skb_pull: { then: "skb_pull(a, 0)", skb: "a", flag: true },
  // __skb_fill_page_desc sets no flag: a frag the caller adds is the caller's business.
  skb_fill_page_desc: { then: "p = alloc_page(host)\nc = alloc_skb(100)\nskb_fill_page_desc(c, 0, p, 0, 100)", skb: "c", flag: false },
  skb_add_rx_frag: { then: "p = alloc_page(host)\nskb_add_rx_frag(a, 1, p, 0, 100, 4096)", skb: "a", flag: true },
  // skb_frag_add_head touches frag_list only: the head keeps its own flag.
  skb_frag_add_head: { then: "c = alloc_skb(100)\nskb_frag_add_head(c, a)", skb: "c", flag: false },
  skb_get: { then: "skb_get(a)", skb: "a", flag: true },
  kfree_skb: { then: "c = skb_clone(a)\nkfree_skb(a)", skb: "c", flag: true },
  consume_skb: { then: "c = skb_clone(a)\nconsume_skb(a)", skb: "c", flag: true },
  kfree_skb_list: { then: "segs = skb_segment(a, 1000)\nc = skb_clone(segs[1])\nkfree_skb_list(segs)", skb: "c", flag: true },
  // Clones share the shinfo, so its flags.
  skb_clone: { then: "c = skb_clone(a)", skb: "c", flag: true },
  __skb_header_release: { then: "__skb_header_release(a)", skb: "a", flag: true },
  // skb_copy_header() copies no shinfo flags: a private linear copy.
  skb_copy: { then: "c = skb_copy(a)", skb: "c", flag: false },
  pskb_copy: { then: "c = pskb_copy(a)", skb: "c", flag: true },
  // The whole shinfo is copied into the new head.
  pskb_expand_head: { then: "pskb_expand_head(a, 64, 0)", skb: "a", flag: true },
  skb_split: { then: "c = skb_split(a, 1000)", skb: "c", flag: true },
  // Pulls and trims keep the bit (skb_has_shared_frag is false once linear).
  __pskb_pull_tail: { then: "__pskb_pull_tail(a, 100)", skb: "a", flag: true },
  pskb_may_pull: { then: "pskb_may_pull(a, 100)", skb: "a", flag: true },
  skb_linearize: { then: "skb_linearize(a)", skb: "a", flag: true },
  pskb_trim: { then: "pskb_trim(a, 1000)", skb: "a", flag: true },
  skb_try_coalesce: { then: "p = alloc_page(host)\nt = alloc_skb(256)\nskb_add_rx_frag(t, 0, p, 0, 100, 4096)\nskb_try_coalesce(t, a)", skb: "t", flag: true },
  kfree_skb_partial: {
    then: "p = alloc_page(host)\nt = alloc_skb(256)\nskb_add_rx_frag(t, 0, p, 0, 100, 4096)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, false)",
    skb: "t",
    flag: true,
  },
  skb_shift: { then: "t = alloc_skb(256)\nskb_put(t, 10)\nskb_shift(t, a, 1000)", skb: "t", flag: true },
  // skb_zerocopy() passes on no flags; only skb_zerocopy_clone's uarg flags.
  skb_zerocopy: {
    from: SENDFILE.replace("alloc_skb(256)", "napi_alloc_skb(100)"),
    then: "t = alloc_skb(256)\nskb_zerocopy(t, a, 2000, 0)",
    skb: "t",
    flag: false,
  },
  skb_segment: { then: "segs = skb_segment(a, 1000)", skb: "segs[1]", flag: true },
  skb_splice_bits: { then: "s = sock_create()\nsock_queue_rcv_skb(s, a)\nr = skb_splice_bits(a, 0, 2000)", skb: "a", flag: true },
  do_tcp_sendpages: { then: "", skb: "a", flag: true },
  pipe_release: { then: "s = sock_create()\nsock_queue_rcv_skb(s, a)\nr = skb_splice_bits(a, 0, 2000)\npipe_release(r)", skb: "a", flag: true },
  sock_create: { untouched: "makes a socket" },
  inet_create: { untouched: "makes a socket" },
  packet_create: { untouched: "makes a socket" },
  netlink_create: { untouched: "makes a socket" },
  sock_queue_rcv_skb: { then: "s = sock_create()\nsock_queue_rcv_skb(s, a)", skb: "a", flag: true },
  skb_copy_datagram_iter: { then: "s = sock_create()\nsock_queue_rcv_skb(s, a)\nskb_copy_datagram_iter(a, 0, 100)", skb: "a", flag: true },
  sk_eat_skb: { then: "c = skb_clone(a)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\nsk_eat_skb(s, a)", skb: "c", flag: true },
  dev_queue_xmit: { then: "dev_queue_xmit(a)", skb: "a", flag: true },
  dev_consume_skb_any: { then: "c = skb_clone(a)\ndev_queue_xmit(a)\ndev_consume_skb_any(a)", skb: "c", flag: true },
  skb_orphan: { then: "skb_orphan(a)", skb: "a", flag: true },
  // skb_zcopy_init(): flags |= uarg->flags (SKBFL_ZEROCOPY_FRAG holds SHARED_FRAG).
  zerocopy_arm: { from: ARMED, then: "", skb: "b", flag: true, policy: "msg-zerocopy" },
  // skb_copy_ubufs() ends in skb_zcopy_clear(): SKBFL_ALL_ZEROCOPY cleared.
  skb_orphan_frags: { from: ARMED, then: "skb_orphan_frags(b)", skb: "b", flag: false, policy: "ubuf-orphan" },
  skb_orphan_frags_rx: { from: ARMED, then: "skb_orphan_frags_rx(b)", skb: "b", flag: false, policy: "msg-zerocopy" },
  skb_copy_ubufs: { from: ARMED, then: "skb_copy_ubufs(b)", skb: "b", flag: false, policy: "msg-zerocopy" },
  // On a clone the shared zero-copy state (flags included) is left alone;
  // an uncloned skb is freed by the driver with its Data.
  skb_tx_error: { from: ARMED, then: "c = skb_clone(b)\nskb_tx_error(b)", skb: "c", flag: true, policy: "msg-zerocopy" },
  skb_gro_receive: { then: "p = alloc_skb(256)\nskb_put(p, 10)\nskb_gro_receive(p, a)", skb: "p", flag: true },
  // 2.6.32 has no SKBFL_SHARED_FRAG at all.
  skb_recycle_check: { from: "a = alloc_skb(256)\nskb_put(a, 10)\n", then: "skb_recycle_check(a, 100)", skb: "a", flag: false, kernel: "2.6.32" },
  vmsplice_to_pipe: { then: "h = alloc_page(guest)\nr = vmsplice_to_pipe(h, 0, 100)\nc = alloc_skb(100)\ndo_tcp_sendpages(c, r)", skb: "c", flag: true },
  find_or_create_page: { untouched: PAGE_ONLY },
  generic_file_splice_read: { then: "r = generic_file_splice_read(f, 0, 100)\nc = alloc_skb(100)\ndo_tcp_sendpages(c, r)", skb: "c", flag: true },
  // skb_cow_data's pskb_expand_head copies the shinfo whole: the bit stays on a now linear skb.
  esp_input: { then: "esp_input(a)", skb: "a", flag: true },
  page_pool_alloc: { untouched: PAGE_ONLY },
  page_pool_put_full_page: { untouched: PAGE_ONLY },
  // skb->pp_recycle is a bit of the sk_buff, not of the shinfo.
  skb_mark_for_recycle: { then: "skb_mark_for_recycle(a)", skb: "a", flag: true },
  // The tap's clone shares the shinfo (a is not zero-copy: nothing orphaned).
  dev_queue_xmit_nit: { then: "k = sock_create()\nt = dev_queue_xmit_nit(k, a)", skb: "t", flag: true },
  // skb_zerocopy() passes on no flags to the netlink skb.
  queue_userspace_packet: { then: "k = sock_create()\nu = queue_userspace_packet(k, a, true)", skb: "u", flag: false },
  // skb_zcopy_init(): flags |= uarg->flags, whose SKBFL_ZEROCOPY_FRAG holds SHARED_FRAG.
  skb_zcopy_set: { from: ARMED, then: "c = alloc_skb(256)\nskb_zcopy_set(c, b)", skb: "c", flag: true, policy: "msg-zerocopy" },
  // io_alloc_notif's uarg->flags (SKBFL_ZEROCOPY_FRAG) reach the shinfo through skb_zcopy_init.
  io_send_zc: { from: "g = alloc_page(guest)\nc = alloc_skb(0)\n", then: "io_send_zc(c, g, 0, 4096)", skb: "c", flag: true },
  msg_zerocopy_realloc: { from: ARMED, then: "c = alloc_skb(256)\nmsg_zerocopy_realloc(c, b)", skb: "c", flag: true, policy: "msg-zerocopy" },
};

function flagOf(state: State, skb: string): boolean {
  const s = state.skbs.get(skb as SkbId);
  if (!s) throw new Error(`no skb ${skb}`);
  return state.datas.get(s.head)!.shared_frag;
}

describe("SKBFL_SHARED_FRAG through every op", () => {
  it("has a row for every op of the registry, and no other", () => {
    expect(Object.keys(TABLE).sort()).toEqual([...OPS.keys()].sort());
  });

  for (const [fn, row] of Object.entries(TABLE)) {
    if ("untouched" in row) continue;
    it(`${fn}: ${row.skb} has the flag ${row.flag ? "set" : "clear"}`, () => {
      const src = `${row.from ?? SENDFILE}${row.then}`;
      expect(src, "the row's trace ends in the op").toMatch(new RegExp(`(^|\\n)(\\w+ = )?${fn}\\(`));
      const run = clean(trace(src, { kernel: row.kernel ?? "6.1", policy: row.policy ?? "page-refs" }));
      expect(flagOf(run.final, row.skb)).toBe(row.flag);
    });
  }

  it("each SKBFL_SHARED_FRAG fix, reverted, loses the flag where its row keeps it", () => {
    const rows: Record<string, string> = {
      "pskb-copy-shared-frag": "pskb_copy",
      "shift-shared-frag": "skb_shift",
      "coalesce-shared-frag": "skb_try_coalesce",
      "segment-shared-frag-fraglist": "skb_segment",
    };
    const fixes = FIXES.filter((f) => f.id.includes("shared-frag") && isRevertible(f.id)).map((f) => f.id);
    expect(fixes.sort()).toEqual(Object.keys(rows).sort());
    for (const [id, fn] of Object.entries(rows)) {
      const row = TABLE[fn] as Row;
      // skb_segment's fix is about frag_list members: a's pages go on m's list first.
      const src =
        fn === "skb_segment"
          ? `${SENDFILE.replace(/\ba\b/g, "m")}a = alloc_skb(256)\nskb_put(a, 100)\nskb_frag_add_head(a, m)\nsegs = skb_segment(a, 1000)`
          : `${SENDFILE}${row.then}`;
      expect(flagOf(clean(trace(src)).final, row.skb), id).toBe(true);
      expect(flagOf(clean(trace(`# without: ${id}\n${src}`)).final, row.skb), id).toBe(false);
    }
  });
});
