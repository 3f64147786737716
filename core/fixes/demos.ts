// SPDX-License-Identifier: GPL-2.0-only
/**
 * Minimal traces for the catalogued fixes that today's ops can show: the
 * verdict row with the fix and the row without it. The `without` rows were
 * first measured by removing the fix's guard from the op module in a
 * scratch copy of the engine (docs/fixes.md says which lines); they are now
 * expectation data that the engine's own `without` runs
 * (core/fixes/fixed.ts) must give, checked by catalogue.test.ts under
 * every policy.
 */
import type { Verdict } from "../check/checker";
import type { PolicyId } from "../model/types";

export type VerdictRow = Readonly<Record<PolicyId, Verdict>>;

export interface FixDemo {
  /** A 6.1 trace; it names no policy, so it runs under every one. */
  readonly trace: string;
  readonly with: VerdictRow;
  readonly without: VerdictRow;
  /** The guard removed from the engine to measure `without`. */
  readonly reverted: string;
  /**
   * Policies under which the kernel refuses a step of the trace (a failed
   * step, not a finding), with the function that refuses: their row says
   * what the rest of the trace gives.
   */
  readonly refusedUnder?: Partial<Record<PolicyId, string>>;
}

/**
 * `pagePool` defaults to ok: a trace with no page_pool page arms a
 * page-pool buffer that holds no page (zerocopy_arm warns), so that
 * policy has nothing to judge; catalogue.test.ts checks it all the same.
 * io-uring-notif's notif is a DONT_ORPHAN ubuf like msg-zerocopy's:
 * unless told, its verdict is msg-zerocopy's.
 */
const row = (
  pageRefs: Verdict,
  destructor: Verdict,
  shinfo: Verdict,
  ubuf: Verdict,
  msgzc: Verdict,
  pagePool: Verdict = "ok",
  notif: Verdict = msgzc,
): VerdictRow => ({
  "page-refs": pageRefs,
  destructor,
  "shinfo-release": shinfo,
  "ubuf-orphan": ubuf,
  "msg-zerocopy": msgzc,
  "page-pool": pagePool,
  "io-uring-notif": notif,
});

const lines = (...l: string[]) => `# kernel: 6.1\n${l.join("\n")}\n`;

/** A zero-copy skb `a` holding the owner's page g as frags[0]. */
const ARMED = ["g = alloc_page(guest)", "a = alloc_skb(256)", "skb_fill_page_desc(a, 0, g, 0, 4096)", "zerocopy_arm(a)"];

/** A driver's RX skb `a` (no linear room) holding page_pool page p as frags[0], marked for recycling, armed. */
const POOL_RX = ["p = page_pool_alloc(pool)", "a = alloc_skb(0)", "skb_add_rx_frag(a, 0, p, 0, 1500, 4096)", "skb_mark_for_recycle(a)", "zerocopy_arm(a)"];
/** One verdict under every policy (a shared write is no policy's doing). */
const ALL = (v: Verdict): VerdictRow => row(v, v, v, v, v, v, v);

/** sendfile: a file's page f, spliced into pipe q, then into skb `skb` (SKBFL_SHARED_FRAG). */
const SENDFILE = (skb: string, len: number) => [
  "f = find_or_create_page()",
  `q = generic_file_splice_read(f, 0, ${len})`,
  "put_page(f)",
  `${skb} = alloc_skb(256)`,
  `do_tcp_sendpages(${skb}, q)`,
];
/** io_uring sends the user's page g from a registered buffer: a's frag holds no page reference. */
const SEND_ZC = ["g = alloc_page(guest)", "a = alloc_skb(0)", "io_send_zc(a, g, 0, 4096)"];

const SPLIT = lines(...ARMED, "b = skb_split(a, 1000)", "kfree_skb(a)", "owner_reuse(g)", "kfree_skb(b)");

export const DEMOS: ReadonlyMap<string, FixDemo> = new Map<string, FixDemo>([
  [
    "split-zerocopy-clone",
    {
      trace: SPLIT,
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "premature", "premature"),
      reverted: "core/ops/skb_split.ts: the zerocopyClone(tx, skb1, skb) call",
    },
  ],
  [
    "vhost-complete-once",
    {
      trace: SPLIT,
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "premature", "ok"),
      reverted: "core/policy/completion.ts ubufCallback: a vhost ubuf completes on every callback call, not at refcnt 0",
    },
  ],
  [
    "expand-head-uarg-ref",
    {
      trace: lines(...ARMED, "b = skb_clone(a)", "pskb_expand_head(a, 0, 0)", "kfree_skb(b)", "owner_reuse(g)", "kfree_skb(a)"),
      with: row("ok", "ok", "premature", "ok", "ok"),
      without: row("ok", "ok", "premature", "ok", "premature"),
      reverted: "core/ops/pskb_expand_head.ts: if (cur.zcopy) ubufGet(...)",
    },
  ],
  [
    "pskb-copy-uarg-clone",
    {
      trace: lines(...ARMED, "c = pskb_copy(a)", "kfree_skb(a)", "owner_reuse(g)", "kfree_skb(c)"),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "ok", "premature"),
      reverted: "core/ops/pskb_copy.ts: the zerocopyClone(tx, n, src) after orphanFrags",
    },
  ],
  [
    "segment-uarg-clone",
    {
      trace: lines(
        "g = alloc_page(guest)",
        "a = alloc_skb(256)",
        "skb_fill_page_desc(a, 0, g, 0, 3000)",
        "zerocopy_arm(a)",
        "segs = skb_segment(a, 1500)",
        "kfree_skb(a)",
        "owner_reuse(g)",
        "kfree_skb_list(segs)",
      ),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "ok", "premature"),
      reverted: "core/ops/skb_segment.ts: the per-segment zerocopyClone",
    },
  ],
  ...(["zerocopy-orphan-frags", "zerocopy-uarg-clone"] as const).map((id): [string, FixDemo] => [
    id,
    {
      trace: lines(
        "g = alloc_page(guest)",
        "a = napi_alloc_skb(256)",
        "skb_put(a, 100)",
        "skb_fill_page_desc(a, 0, g, 0, 4096)",
        "zerocopy_arm(a)",
        "t = alloc_skb(64)",
        "skb_zerocopy(t, a, 4196, 64)",
        "kfree_skb(a)",
        "owner_reuse(g)",
        "kfree_skb(t)",
      ),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without:
        id === "zerocopy-orphan-frags" ? row("ok", "premature", "premature", "premature", "premature") : row("ok", "premature", "premature", "ok", "premature"),
      reverted:
        id === "zerocopy-orphan-frags"
          ? "core/ops/skb_zerocopy.ts: both orphanFrags(from) and zerocopyClone (the pre-3.14 code had neither)"
          : "core/ops/skb_zerocopy.ts: zerocopyClone only (orphanFrags kept)",
    },
  ]),
  [
    "shift-refuse-zcopy",
    {
      trace: lines(
        "g = alloc_page(guest)",
        "h = alloc_page(host)",
        "t = alloc_skb(256)",
        "skb_fill_page_desc(t, 0, h, 0, 1000)",
        "a = alloc_skb(256)",
        "skb_fill_page_desc(a, 0, g, 0, 4096)",
        "zerocopy_arm(a)",
        "skb_shift(t, a, 4096)",
        "kfree_skb(a)",
        "owner_reuse(g)",
        "kfree_skb(t)",
      ),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "premature", "premature"),
      reverted: "core/ops/skb_shift.ts: the zero-copy refusal",
    },
  ],
  [
    "coalesce-refuse-zcopy",
    {
      trace: lines(
        "g = alloc_page(guest)",
        "h = alloc_page(host)",
        "t = alloc_skb(0)",
        "skb_fill_page_desc(t, 0, h, 0, 1000)",
        "a = alloc_skb(0)",
        "skb_fill_page_desc(a, 0, g, 0, 4096)",
        "zerocopy_arm(a)",
        "skb_try_coalesce(t, a)",
        "kfree_skb_partial(a, false)",
        "owner_reuse(g)",
        "kfree_skb(t)",
      ),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "premature", "premature"),
      reverted: "core/ops/skb_try_coalesce.ts: the zero-copy refusal",
    },
  ],
  [
    "gro-refuse-zcopy",
    {
      trace: lines(
        "h = alloc_page(host)",
        "p = alloc_skb(0)",
        "skb_fill_page_desc(p, 0, h, 0, 1000)",
        "g = alloc_page(guest)",
        "b = alloc_skb(0)",
        "skb_fill_page_desc(b, 0, g, 0, 4096)",
        "zerocopy_arm(b)",
        "skb_gro_receive(p, b)",
        "kfree_skb(p)",
      ),
      with: row("ok", "premature", "premature", "ok", "ok"),
      without: row("ok", "premature", "premature", "premature", "premature"),
      reverted: "core/ops/skb_gro_receive.ts: the skb_zcopy refusal (measured with the engine's own without run; the op came with its guard)",
    },
  ],
  [
    "tx-error-cloned",
    {
      trace: lines(...ARMED, "b = skb_clone(a)", "skb_tx_error(b)", "kfree_skb(a)"),
      with: row("ok", "ok", "ok", "ok", "ok"),
      without: row("ok", "ok", "ok", "ok", "premature"),
      reverted: "core/ops/skb_tx_error.ts: the !skb_cloned(skb) test (measured with the engine's own without run; the op came with its guard)",
    },
  ],
  // --- SKBFL_MANAGED_FRAG_REFS: page-reference bugs, seen by the page-refs oracle ---
  [
    "managed-skip-unref",
    {
      trace: lines(...SEND_ZC, "kfree_skb(a)"),
      with: row("ok", "missed", "missed", "missed", "missed", "missed", "ok"),
      without: row("premature", "missed", "missed", "missed", "missed", "missed", "ok"),
      reverted: "core/ops/kfree_skb.ts releaseWholeData: the skip_unref test (every frag page is put)",
    },
  ],
  [
    "managed-downgrade-split",
    {
      trace: lines(
        "g = alloc_page(guest)",
        "a = alloc_skb(256)",
        "skb_put(a, 100)",
        "io_send_zc(a, g, 0, 4096)",
        "b = skb_split(a, 100)",
        "kfree_skb(b)",
        "kfree_skb(a)",
      ),
      with: row("ok", "missed", "missed", "missed", "missed", "missed", "ok"),
      without: row("premature", "missed", "missed", "missed", "missed", "missed", "ok"),
      reverted: "core/ops/skb_split.ts: the skb_zcopy_downgrade_managed call",
    },
  ],
  [
    "managed-downgrade-expand",
    {
      // Without the fix a page reference leaks (a conservation finding): g
      // never goes idle, so the owners io_uring never arms are no longer
      // found "missed". The leak, not a completion, is the bug here.
      trace: lines(...SEND_ZC, "b = skb_clone(a)", "pskb_expand_head(a, 0, 0)", "kfree_skb(b)", "kfree_skb(a)"),
      with: row("ok", "missed", "missed", "missed", "missed", "missed", "ok"),
      without: row("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
      reverted: "core/kernel/skbuff.ts pskb_expand_head: the skb_zcopy_downgrade_managed call",
    },
  ],
  [
    "rx-orphan-frags",
    {
      trace: lines(...ARMED, "s = sock_create()", "sock_queue_rcv_skb(s, a)"),
      with: row("late", "premature", "late", "ok", "ok"),
      without: row("late", "premature", "late", "ok", "late"),
      reverted: "core/ops/sock_queue_rcv_skb.ts: orphanFrags(tx, skb, true) made orphanFrags(tx, skb, false)",
    },
  ],
  [
    "pp-recycle-last-clone",
    {
      trace: lines(...POOL_RX, "c = skb_clone(a)", "pskb_expand_head(c, 0, 0)", "kfree_skb(c)", "kfree_skb(a)"),
      with: row("ok", "ok", "ok", "ok", "ok", "ok"),
      without: row("ok", "ok", "ok", "ok", "ok", "premature"),
      reverted:
        "core/ops/kfree_skb.ts ppRecycleExit: the clone keeps pp_recycle on skb_release_data's early exit (measured with the engine's own without run; the mechanism came with its guard)",
    },
  ],
  [
    "coalesce-pp-recycle",
    {
      trace: lines(
        "h = alloc_page(host)",
        "t = alloc_skb(0)",
        "skb_fill_page_desc(t, 0, h, 0, 1000)",
        ...POOL_RX,
        "skb_try_coalesce(t, a)",
        "kfree_skb_partial(a, false)",
        "kfree_skb(t)",
      ),
      with: row("ok", "ok", "ok", "ok", "ok", "ok"),
      without: row("ok", "ok", "ok", "ok", "ok", "missed"),
      reverted: "core/ops/skb_try_coalesce.ts: the pp_recycle test (measured with the engine's own without run; the mechanism came with its guard)",
    },
  ],
  [
    "zerocopy-realloc-dgram-ref",
    {
      // A corked UDP send: a second sendmsg(MSG_ZEROCOPY | MSG_MORE) appends h
      // to a. skb_orphan_frags(a) leaves a MSG_ZEROCOPY skb alone and copies a
      // vhost one, whose ubuf msg_zerocopy_realloc would refuse (-ENOBUFS):
      // so the trace runs under every policy.
      trace: lines(
        ...ARMED,
        "skb_orphan_frags(a)",
        "h = alloc_page(guest)",
        "skb_fill_page_desc(a, 1, h, 0, 4096)",
        "msg_zerocopy_realloc(a, a, false)",
        "kfree_skb(a)",
        "owner_reuse(g)",
        "owner_reuse(h)",
      ),
      with: row("ok", "ok", "ok", "ok", "ok"),
      without: row("ok", "ok", "ok", "ok", "missed", "ok", "ok"),
      reverted: "core/ops/msg_zerocopy_realloc.ts: the datagram extension takes a reference and extra_uref is always true",
      // io_uring's notification is not MSG_ZEROCOPY's: msg_zerocopy_realloc
      // will not extend it (uarg->callback != msg_zerocopy_callback, -ENOBUFS).
      refusedUnder: { "io-uring-notif": "msg_zerocopy_realloc" },
    },
  ],
  [
    "pskb-copy-shared-frag",
    {
      trace: lines(...SENDFILE("a", 1000), "c = pskb_copy(a)", "esp_input(c)"),
      with: ALL("ok"),
      without: ALL("shared-write"),
      reverted: "core/ops/pskb_copy.ts: the copy's SKBFL_SHARED_FRAG (measured with the engine's own without run; the flag came with its guard)",
    },
  ],
  [
    "shift-shared-frag",
    {
      trace: lines(...SENDFILE("b", 1000), "t = alloc_skb(256)", "skb_put(t, 40)", "skb_shift(t, b, 1000)", "esp_input(t)"),
      with: ALL("ok"),
      without: ALL("shared-write"),
      reverted: "core/ops/skb_shift.ts: tgt's SKBFL_SHARED_FRAG (measured with the engine's own without run; the flag came with its guard)",
    },
  ],
  [
    "coalesce-shared-frag",
    {
      trace: lines(
        ...SENDFILE("b", 1000),
        "p = alloc_page(host)",
        "t = alloc_skb(256)",
        "skb_put(t, 40)",
        "skb_add_rx_frag(t, 0, p, 0, 100, 4096)",
        "skb_try_coalesce(t, b)",
        "esp_input(t)",
      ),
      with: ALL("ok"),
      without: ALL("shared-write"),
      reverted: "core/ops/skb_try_coalesce.ts: to's SKBFL_SHARED_FRAG (measured with the engine's own without run; the flag came with its guard)",
    },
  ],
  [
    "segment-shared-frag-fraglist",
    {
      trace: lines(
        ...SENDFILE("m", 1000),
        "a = alloc_skb(256)",
        "skb_put(a, 100)",
        "skb_frag_add_head(a, m)",
        "segs = skb_segment(a, 500)",
        "esp_input(segs[1])",
      ),
      with: ALL("ok"),
      without: ALL("shared-write"),
      reverted: "core/ops/skb_segment.ts: frag_skb's SKBFL_SHARED_FRAG (measured with the engine's own without run; the flag came with its guard)",
    },
  ],
]);
