// SPDX-License-Identifier: GPL-2.0-only
/**
 * The fix catalogue (issue 10 item 1): guards in the modelled Linux 6.1 code
 * (Debian linux-source-6.1 6.1.192, /usr/src/linux-source-6.1) that a named
 * upstream or stable fix added, as data. The fixes the model can revert
 * (`# without:`, `--without`) are wired in core/fixes/fixed.ts: each guard
 * asks `fixed(tx, id)` at its place, and `modelledSnippet` is that call.
 *
 * Rules the data keeps (checked by catalogue.test.ts):
 *  - `lines` are 6.1.192 `file:first-last` ranges, read in the tree; `guard`
 *    is one line of code found verbatim inside the first range.
 *  - `before` is what the code did without the guard, taken from a diff or
 *    an older tree we could read, cited in `beforeSource`; where no old code
 *    was found, `beforeSource` says "old code not found" and `before` says
 *    only what the commit message states.
 *  - `commit` is a hash only when a source we read gives it; `landed` is the
 *    upstream release only when a source gives it; `stable61` is the Debian
 *    6.1 release whose changelog lists the fix (changelog.Debian.gz).
 *  - `ops` are skbscope trace operations (core/ops/index.ts OPS) whose 6.1
 *    kernel path reaches the guard; empty when none does.
 *  - `modelled` is "yes" when the op module already contains the post-fix
 *    behaviour (`modelledAt` names the place, `modelledSnippet` is text
 *    found in that file), else "needs mechanism: ...". `withoutNeeds` says
 *    what a trace would further need to show the bug with the fix reverted
 *    (null: today's ops and policies suffice).
 * docs/fixes.md has the evidence, the trace sketches and the out-of-reach
 * cases.
 */

/** The issue's named real cases, numbered in the order the issue lists them. */
export const ISSUE_CASES: ReadonlyMap<number, string> = new Map([
  [1, "skb_segment calling the zero-copy functions before using frags"],
  [2, "skb_zerocopy_clone in skb_split for tcp_fragment"],
  [3, "pskb_expand_head taking a uarg reference on a clone"],
  [4, "skb_shift refusing zero-copy skbs"],
  [5, "skb_try_coalesce refusing zero-copy skbs"],
  [6, '"net: gro: don\'t merge zcopy skbs"'],
  [7, "pp_recycle cleared on a clone that is not the last"],
  [8, "skb_tx_error on a cloned zero-copy skb"],
  [9, "SKBFL_MANAGED_FRAG_REFS downgrades"],
  [10, "the esp_ssg_unref fix"],
  [11, "SKBFL_SHARED_FRAG lost in __pskb_copy_fclone"],
  [12, "SKBFL_SHARED_FRAG lost in skb_shift"],
  [13, '"tcp: place all zerocopy payload in frags"'],
]);

export type Modelled = "yes" | `needs mechanism: ${string}`;

export interface KernelFix {
  /** Short kebab-case name, used by `# without:` and `--without`. */
  readonly id: string;
  /** The commit subject, exactly as the changelog or the patch gives it. */
  readonly subject: string;
  /** Upstream hash (abbreviated as the source gives it), or null. */
  readonly commit: string | null;
  /** The kernel function holding the guard. */
  readonly function: string;
  /** 6.1.192 ranges, "net/core/skbuff.c:1234-1240"; the first holds `guard`. */
  readonly lines: readonly string[];
  /** One line of the guard, verbatim (whitespace-trimmed) from the first range. */
  readonly guard: string;
  /** Upstream release the fix landed in, when a source says so. */
  readonly landed: string | null;
  /** Debian linux 6.1 release listing the fix in changelog.Debian.gz, or null. */
  readonly stable61: string | null;
  /** What the code did before the fix. */
  readonly before: string;
  /** Where `before` comes from, or "old code not found: ...". */
  readonly beforeSource: string;
  /** skbscope ops whose kernel path reaches the guard. */
  readonly ops: readonly string[];
  readonly modelled: Modelled;
  /** "core/ops/file.ts:line[-line]" when modelled. */
  readonly modelledAt: string | null;
  /** Text present in the modelledAt file that carries the post-fix behaviour. */
  readonly modelledSnippet: string | null;
  /** What showing the bug with the fix reverted still needs; null if nothing. */
  readonly withoutNeeds: string | null;
  /** The issue's case (ISSUE_CASES) this answers, if any. */
  readonly issueCase: number | null;
  /** Where the subject, commit and dates were read. */
  readonly sources: readonly string[];
}

const CHANGELOG = "/usr/share/doc/linux-source-6.1/changelog.Debian.gz";
const ZC_ENABLE =
  'sock: enable MSG_ZEROCOPY (1f8b977ab32d): message read on review.shift-gmbh.com and gerrit-public.fairphone.software (msm-5.4), "Clone ubuf_info with skb_zerocopy_clone() wherever needed due to skb split, merge, resize or clone"; the 4.14 release from LWN ("The MSG_ZEROCOPY feature added in 4.14", mirrored at pipedot.org/article/3N5CZ)';
const MANAGED = "[PATCH net-next v4 07/27] net: introduce managed frags infrastructure (Pavel Begunkov, netdev 2022-07-07), full diff read in the code index";
const SHARED_FRAG_PR =
  "deepin-community/kernel PRs #1732/#1723 (FROMLIST net: skbuff: propagate shared-frag marker through frag-transfer helpers) and #1739 (skb_segment, skb_try_coalesce)";

export const FIXES: readonly KernelFix[] = [
  // --- zero-copy ubuf_info: references across split, merge, resize, clone ---
  {
    id: "segment-zerocopy-frags",
    subject: "skbuff: skb_segment, Call zero copy functions before using skbuff frags",
    commit: null,
    function: "skb_segment",
    lines: ["net/core/skbuff.c:4247-4252", "net/core/skbuff.c:4379-4386"],
    guard: "if (skb_orphan_frags(head_skb, GFP_ATOMIC))",
    landed: null,
    stable61: "6.1.55",
    before:
      "nfrags and frag were read from skb_shinfo(head_skb) (and, on moving to a frag_list member, from list_skb) before skb_orphan_frags()/skb_zerocopy_clone() ran inside the per-segment loop. skb_copy_ubufs() may change nr_frags and the frags, so nfrags went stale: the loop then moved to list_skb too early (NULL dereference in the reported panic, vhost + netem) or walked descriptors that no longer matched the frags.",
    beforeSource:
      'pre-fix skb_segment text in the code index (the orphan/clone call after skb_copy_from_linear_data_offset, nfrags read in the i >= nfrags branch before it), and the v1 patch "skbuff: skb_segment, Update nfrags after calling zero copy functions" (Mohamed Khalfella, bpf list 2023-08-28), which quotes the old lines and names Fixes: bf5c25d60861 ("skbuff: in skb_segment, call zerocopy functions once per nskb")',
    ops: ["skb_segment"],
    modelled: "yes",
    modelledAt: "core/ops/skb_segment.ts:51-56",
    modelledSnippet: "const err = kernel.skb_orphan_frags(tx, src);",
    withoutNeeds:
      "frags larger than one page (compound pages): in the model every frag lies in one 4 KiB page, so skb_copy_ubufs never raises nr_frags and the stale count never bites; and zero-copy frag_list members, which skb_segment refuses today",
    issueCase: 1,
    sources: [`${CHANGELOG} (6.1.55-1)`, "bpf/netdev list 2023-08-28 (code index id 40557289682)"],
  },
  {
    id: "segment-uarg-clone",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "skb_segment",
    lines: ["net/core/skbuff.c:4374-4375", "net/core/skbuff.c:4379-4382"],
    guard: "if (skb_zerocopy_clone(nskb, frag_skb, GFP_ATOMIC))",
    landed: "4.14",
    stable61: null,
    before:
      "Segments referenced the frag pages of a MSG_ZEROCOPY skb (page +1 each) without joining its ubuf_info: the notification could fire when the source's Data was released while segments still mapped the user pages.",
    beforeSource:
      'old code not found (the 4.13 skb_segment was not retrieved); modelled from the commit message, which adds skb_zerocopy_clone() "wherever needed due to skb split, merge, resize or clone". bf5c25d60861 later moved the call to once per nskb (its subject is read in the Fixes: tag of the skb_segment patch above)',
    ops: ["skb_segment"],
    modelled: "yes",
    modelledAt: "core/ops/skb_segment.ts:75-78",
    modelledSnippet: 'fixed(tx, "segment-uarg-clone")',
    withoutNeeds: null,
    issueCase: null,
    sources: [ZC_ENABLE],
  },
  {
    id: "split-zerocopy-clone",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "skb_split",
    lines: ["net/core/skbuff.c:3651-3651"],
    guard: "skb_zerocopy_clone(skb1, skb, 0);",
    landed: "4.14",
    stable61: null,
    before:
      "skb_split (tcp_fragment, tso_fragment) moved frag descriptors to skb1, and shared a straddling one with skb_frag_ref, without skb1 joining skb's ubuf_info: skb1 carried the user's pages with no uarg reference.",
    beforeSource:
      'old code not found (no pre-4.14 skb_split retrieved); modelled from the commit message ("skb split"). Every later skb_split retrieved (4.19-5.x diffs in the code index) has the call',
    ops: ["skb_split"],
    modelled: "yes",
    modelledAt: "core/ops/skb_split.ts:55-58",
    modelledSnippet: 'fixed(tx, "split-zerocopy-clone")',
    withoutNeeds: null,
    issueCase: 2,
    sources: [ZC_ENABLE],
  },
  {
    id: "expand-head-uarg-ref",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "pskb_expand_head",
    lines: ["net/core/skbuff.c:1874-1875", "net/core/skbuff.c:1871-1882"],
    guard: "refcount_inc(&skb_uarg(skb)->refcnt);",
    landed: "4.14",
    stable61: null,
    before:
      "A cloned skb given a private head copied the shinfo (destructor_arg and the zero-copy flags included) into the new head and took page and frag_list references, but no ubuf_info reference: two Datas each released the one reference, so the notification came when the first went, while the other still mapped the pages (and the second release underflowed refcnt).",
    beforeSource: 'old code not found (the 4.13 pskb_expand_head was not retrieved); attributed to 1f8b977ab32d from its message ("resize"), not from its diff',
    ops: ["pskb_expand_head", "__pskb_pull_tail", "pskb_may_pull", "skb_linearize", "pskb_trim", "skb_shift", "skb_copy_ubufs"],
    modelled: "yes",
    modelledAt: "core/kernel/skbuff.ts:62",
    modelledSnippet: 'fixed(tx, "expand-head-uarg-ref")',
    withoutNeeds: null,
    issueCase: 3,
    sources: [ZC_ENABLE],
  },
  {
    id: "pskb-copy-uarg-clone",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "__pskb_copy_fclone",
    lines: ["net/core/skbuff.c:1793-1798"],
    guard: "if (skb_orphan_frags(skb, gfp_mask) ||",
    landed: "4.14",
    stable61: null,
    before:
      "The copy shared the frag pages (skb_frag_ref) but did not join the ubuf_info (before 4.14 only skb_orphan_frags(), i.e. skb_copy_ubufs() for every zero-copy skb, ran here): a DONT_ORPHAN (MSG_ZEROCOPY) skb's copy held the user pages with no uarg reference.",
    beforeSource:
      'old code not found (no pre-4.14 __pskb_copy_fclone retrieved); modelled from the commit message ("clone"), and from the message\'s statement that it split skb_orphan_frags into the DONT_ORPHAN-aware variant',
    ops: ["pskb_copy"],
    modelled: "yes",
    modelledAt: "core/ops/pskb_copy.ts:35",
    modelledSnippet: 'fixed(tx, "pskb-copy-uarg-clone")',
    withoutNeeds: null,
    issueCase: null,
    sources: [ZC_ENABLE],
  },
  {
    id: "zerocopy-orphan-frags",
    subject: "core, nfqueue, openvswitch: Orphan frags in skb_zerocopy and handle errors",
    commit: null,
    function: "skb_zerocopy",
    lines: ["net/core/skbuff.c:3359-3360"],
    guard: "if (unlikely(skb_orphan_frags(from, GFP_ATOMIC)))",
    landed: null,
    stable61: null,
    before:
      "skb_zerocopy (openvswitch and nfqueue upcalls) copied frag descriptors from `from` into `to` with skb_frag_ref and no orphaning: `to`, which has no ubuf_info, kept the guest's pages after `from` was freed and the guest told.",
    beforeSource:
      'commit message (Zoltan Kiss, CVE-2014-2568) read in the code index: "skb_zerocopy can copy elements of the frags array between skbs, but it doesn\'t orphan them"; old code itself not found',
    ops: ["skb_zerocopy", "queue_userspace_packet"],
    modelled: "yes",
    modelledAt: "core/ops/skb_zerocopy.ts:61-64",
    modelledSnippet: 'fixed(tx, "zerocopy-orphan-frags")',
    withoutNeeds: null,
    issueCase: null,
    sources: ["code index: CVE-2014-2568 entry and the commit message (ids 36410128636, 41043602)"],
  },
  {
    id: "zerocopy-uarg-clone",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "skb_zerocopy",
    lines: ["net/core/skbuff.c:3362-3362"],
    guard: "skb_zerocopy_clone(to, from, GFP_ATOMIC);",
    landed: "4.14",
    stable61: null,
    before: "After skb_orphan_frags(from) (a no-op for DONT_ORPHAN MSG_ZEROCOPY skbs) `to` referenced from's frag pages without joining from's ubuf_info.",
    beforeSource:
      "pre-4.14 skb_zerocopy text in the code index (orphan, then the frag loop, no skb_zerocopy_clone; id 122564714) against the later text with the call (id 18955125)",
    ops: ["skb_zerocopy", "queue_userspace_packet"],
    modelled: "yes",
    modelledAt: "core/ops/skb_zerocopy.ts:64",
    modelledSnippet: 'fixed(tx, "zerocopy-uarg-clone")',
    withoutNeeds: null,
    issueCase: null,
    sources: [ZC_ENABLE, "code index ids 122564714, 18955125"],
  },
  {
    id: "shift-refuse-zcopy",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "skb_shift",
    lines: ["net/core/skbuff.c:3695-3696"],
    guard: "if (skb_zcopy(tgt) || skb_zcopy(skb))",
    landed: "4.14",
    stable61: null,
    before:
      "skb_shift (TCP SACK shifting, tcp_collapse_retrans) moved paged bytes of a zero-copy skb into tgt, which holds no reference on the skb's ubuf_info: the user's pages outlived the skb that owed the notification.",
    beforeSource:
      'old code not found (no pre-4.14 skb_shift retrieved); attributed to 1f8b977ab32d from its message, which names skb_shift among the paths it makes safe and leaves "to be refined to avoid copying"',
    ops: ["skb_shift"],
    modelled: "yes",
    modelledAt: "core/ops/skb_shift.ts:68",
    modelledSnippet: 'fixed(tx, "shift-refuse-zcopy")',
    withoutNeeds: null,
    issueCase: 4,
    sources: [ZC_ENABLE],
  },
  {
    id: "coalesce-refuse-zcopy",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "skb_try_coalesce",
    lines: ["net/core/skbuff.c:5504-5505"],
    guard: "if (skb_zcopy(to) || skb_zcopy(from))",
    landed: "4.14",
    stable61: null,
    before:
      "skb_try_coalesce appended a zero-copy skb's frag descriptors to `to` (moved, or page +1 when `from` is cloned) with no ubuf_info reference for `to`.",
    beforeSource:
      'old code not found (no pre-4.14 skb_try_coalesce retrieved); attributed to 1f8b977ab32d from its message ("merge", and skb_try_coalesce named)',
    ops: ["skb_try_coalesce", "kfree_skb_partial"],
    modelled: "yes",
    modelledAt: "core/ops/skb_try_coalesce.ts:56",
    modelledSnippet: 'fixed(tx, "coalesce-refuse-zcopy")',
    withoutNeeds: null,
    issueCase: 5,
    sources: [ZC_ENABLE],
  },
  {
    id: "gro-refuse-zcopy",
    subject: "net: gro: don't merge zcopy skbs",
    commit: null,
    function: "skb_gro_receive",
    lines: ["net/core/gro.c:174-175"],
    guard: "if (skb_zcopy(p) || skb_zcopy(skb))",
    landed: null,
    stable61: "6.1.176",
    before:
      "Without the test skb_gro_receive merged a zero-copy skb's frags (or linked the skb itself on p's frag_list) into p, which holds no reference on the ubuf_info.",
    beforeSource:
      "old code not found (the fix's diff was not retrieved; Debian lists it with CVE-2026-46323); `before` is the 6.1 function read without the two lines, not a retrieved pre-fix text",
    ops: ["skb_gro_receive"],
    modelled: "yes",
    modelledAt: "core/ops/skb_gro_receive.ts:56",
    modelledSnippet: 'fixed(tx, "gro-refuse-zcopy")',
    withoutNeeds: null,
    issueCase: 6,
    sources: [`${CHANGELOG} (6.1.176-1, CVE-2026-46323)`],
  },
  {
    id: "rx-orphan-frags",
    subject: "sock: enable MSG_ZEROCOPY",
    commit: "1f8b977ab32d",
    function: "__netif_receive_skb_core",
    lines: ["net/core/dev.c:5602-5604", "net/core/dev.c:2260-2261", "net/core/dev.c:2370-2373"],
    guard: "if (unlikely(skb_orphan_frags_rx(skb, GFP_ATOMIC)))",
    landed: "4.14",
    stable61: null,
    before:
      "Receive paths called skb_orphan_frags(), which the same commit taught to skip SKBFL_DONT_ORPHAN (MSG_ZEROCOPY) skbs: such an skb looped to a local socket would have been queued with the user's pages, so the notification waited on the reader without bound.",
    beforeSource:
      'commit message: "Add skb_orphan_frags_rx for paths that may loop packets to receive sockets. That is not allowed, as it may cause unbounded latency. Deep copy all zerocopy copy buffers, ref-counted or not, in this path"; its skbuff.h hunk (skb_orphan_frags / skb_orphan_frags_rx) read on gerrit-public.fairphone.software',
    ops: ["sock_queue_rcv_skb", "dev_queue_xmit_nit"],
    modelled: "yes",
    modelledAt: "core/ops/sock_queue_rcv_skb.ts:34-36",
    modelledSnippet: 'fixed(tx, "rx-orphan-frags")',
    withoutNeeds: null,
    issueCase: null,
    sources: [ZC_ENABLE],
  },
  {
    id: "vhost-complete-once",
    subject: "vhost/net: complete zerocopy ubufs only once",
    commit: null,
    function: "vhost_zerocopy_callback",
    lines: ["drivers/vhost/net.c:397-399"],
    guard: "if (!refcount_dec_and_test(&ubuf_base->refcnt))",
    landed: null,
    stable61: "6.1.180",
    before:
      "vhost_zerocopy_callback marked the descriptor done and put vhost_net_ubuf_ref on every call, whatever the ubuf's refcnt: when skb_zerocopy_clone() had given a second Data the same vhost ubuf (skb_split never orphans), the first release completed the guest's buffer while the other Data still mapped it, and the second completed it again.",
    beforeSource:
      "the 6.1-era callback body quoted in the ubuf_info_msgzc conversion diff (code index id 30120847507: uarg_to_msgzc, ctx, vq, no refcount test)",
    ops: [
      "kfree_skb",
      "consume_skb",
      "kfree_skb_list",
      "sk_eat_skb",
      "kfree_skb_partial",
      "skb_copy_ubufs",
      "skb_orphan_frags",
      "skb_orphan_frags_rx",
      "__pskb_pull_tail",
      "pskb_trim",
    ],
    modelled: "yes",
    modelledAt: "core/policy/completion.ts:63-70",
    modelledSnippet: 'fixed(tx, "vhost-complete-once")',
    withoutNeeds: null,
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.180-1)`],
  },
  {
    id: "zerocopy-no-tx-error-source",
    subject: "net: skbuff: don't skb_tx_error() the source skb in skb_zerocopy()",
    commit: null,
    function: "skb_zerocopy",
    lines: ["net/core/skbuff.c:3359-3360"],
    guard: "return -ENOMEM;",
    landed: null,
    stable61: "6.1.190",
    before:
      "When skb_orphan_frags(from) failed, skb_zerocopy called skb_tx_error(from) before returning -ENOMEM: skb_zcopy_clear(from, true) ran the ubuf callback (success) and stripped the zero-copy flags while from still held the guest's frags, which the caller then freed or kept.",
    beforeSource:
      "pre-fix upstream text in the code index: `if (unlikely(skb_orphan_frags(from, GFP_ATOMIC))) { skb_tx_error(from); return -ENOMEM; }` (ids 40070581959, 18955125)",
    ops: ["skb_zerocopy"],
    modelled: "yes",
    modelledAt: "core/ops/skb_zerocopy.ts:65-66",
    modelledSnippet: 'if (err) kernelCheck("skb_zerocopy", `returned ${err}`, "-ENOMEM");',
    withoutNeeds:
      "an error return whose side effects persist: today skb_zerocopy's -ENOMEM is a kernel-check error that rolls the step back, which would also undo skb_tx_error's callback",
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.190-1)`],
  },
  {
    id: "tx-error-cloned",
    subject: "net: skbuff: don't touch shared zerocopy state in skb_tx_error()",
    commit: null,
    function: "skb_tx_error",
    lines: ["net/core/skbuff.c:1014-1020"],
    guard: "if (skb && !skb_cloned(skb)) {",
    landed: null,
    stable61: "6.1.190",
    before:
      'skb_tx_error(skb) downgraded managed frags and ran skb_zcopy_clear(skb, true) on any non-NULL skb: on a clone the ubuf callback ran and the zero-copy flags were cleared in the shinfo that the other clones share, so the owner could hear "done" while those clones still mapped its pages, and the shared Data lost its zcopy state.',
    beforeSource: `\`if (skb) { skb_zcopy_downgrade_managed(skb); skb_zcopy_clear(skb, true); }\` — the post-managed-frags text in ${MANAGED}`,
    ops: ["skb_tx_error"],
    modelled: "yes",
    modelledAt: "core/ops/skb_tx_error.ts:47",
    modelledSnippet: 'fixed(tx, "tx-error-cloned")',
    withoutNeeds: null,
    issueCase: 8,
    sources: [`${CHANGELOG} (6.1.190-1)`, MANAGED],
  },
  {
    id: "ovs-tx-error-drop",
    subject: "openvswitch: only skb_tx_error() a packet we are about to drop",
    commit: null,
    function: "ovs_dp_process_packet",
    lines: ["net/openvswitch/datapath.c:255-265"],
    guard: "skb_tx_error(skb);",
    landed: null,
    stable61: "6.1.190",
    before: "Old code not found; by its subject the upcall path called skb_tx_error() on packets it did not drop.",
    beforeSource: "old code not found (only the Debian changelog line was read)",
    ops: [],
    modelled:
      "needs mechanism: the upcall's error path (skb_tx_error and queue_userspace_packet are modelled, but a failed step is rolled back whole, so an error whose side effects persist cannot be shown)",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "failed steps whose side effects persist (queue_userspace_packet's -ENOMEM after skb_tx_error)",
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.190-1)`],
  },

  // --- page_pool ---
  {
    id: "pp-recycle-last-clone",
    subject: "skbuff: Fix a potential race while recycling page_pool packets",
    commit: null,
    function: "skb_release_data",
    lines: ["net/core/skbuff.c:792-802"],
    guard: "skb->pp_recycle = 0;",
    landed: null,
    stable61: null,
    before:
      "skb_release_data() returned at once when other references to the Data remained (`return;`), leaving pp_recycle set on a clone that was not the last: a clone that was later expanded or whose frags were referenced elsewhere still tried to recycle page_pool pages that the original also released, racing it.",
    beforeSource:
      '[PATCH 1/1 v3] skbuff: Fix a potential race while recycling page_pool packets (Ilias Apalodimas, netdev 2021-07-16; Fixes: 6a5bcd84e886 "page_pool: Allow drivers to hint on SKB recycling"), diff read in the code index (id 28192605647)',
    ops: ["kfree_skb", "consume_skb", "kfree_skb_list", "pskb_expand_head"],
    modelled: "yes",
    modelledAt: "core/ops/kfree_skb.ts:81",
    modelledSnippet: 'fixed(tx, "pp-recycle-last-clone")',
    withoutNeeds: null,
    issueCase: 7,
    sources: ["netdev 2021-07-16 (code index ids 28192605647, 11272146498)"],
  },
  {
    id: "coalesce-pp-recycle",
    subject: "page_pool: Allow drivers to hint on SKB recycling",
    commit: "6a5bcd84e886",
    function: "skb_try_coalesce",
    lines: ["net/core/skbuff.c:5489-5491"],
    guard: "if (to->pp_recycle != from->pp_recycle ||",
    landed: null,
    stable61: null,
    before:
      "Without the test skb_try_coalesce moved page_pool frags into a non-recycling skb (or the reverse), so they were later put_page()d instead of returned to the pool, or recycled while still held. The `from->pp_recycle && skb_cloned(from)` half came later; its commit was not found.",
    beforeSource:
      "a revert of the page_pool recycling series read in the code index (id 1918345364) removes this test together with the skb_release_data pp_recycle hunk, showing the series added it; the hash comes from the Fixes: tag of the pp-recycle-last-clone patch",
    ops: ["skb_try_coalesce"],
    modelled: "yes",
    modelledAt: "core/ops/skb_try_coalesce.ts:45",
    modelledSnippet: 'fixed(tx, "coalesce-pp-recycle")',
    withoutNeeds: null,
    issueCase: null,
    sources: ["code index ids 1918345364, 28192605647"],
  },
  {
    id: "esp-pp-unref",
    subject: "net: esp: fix bad handling of pages from page_pool",
    commit: null,
    function: "esp_ssg_unref",
    lines: ["net/ipv4/esp4.c:112-117", "net/ipv6/esp6.c:129-134"],
    guard: "skb_page_unref(skb, sg_page(sg), false);",
    landed: null,
    stable61: "6.1.192",
    before:
      "Old code not found; by its subject esp_ssg_unref released source-scatterlist pages without regard to page_pool (skb_page_unref checks skb->pp_recycle).",
    beforeSource: "old code not found (only the Debian changelog line, CVE-2024-26953, was read)",
    ops: [],
    modelled: "needs mechanism: ESP output (esp_output_head / esp_ssg_unref over the source scatterlist; page_pool pages and esp_input are modelled)",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "an esp_output op",
    issueCase: 10,
    sources: [`${CHANGELOG} (6.1.192-1, CVE-2024-26953)`],
  },

  // --- SKBFL_MANAGED_FRAG_REFS (io_uring zero-copy send) ---
  {
    id: "managed-downgrade-expand",
    subject: "net: introduce managed frags infrastructure",
    commit: null,
    function: "pskb_expand_head",
    lines: ["net/core/skbuff.c:1847-1847"],
    guard: "skb_zcopy_downgrade_managed(skb);",
    landed: null,
    stable61: null,
    before:
      "No such flag existed: every frag held a page reference. The patch adds SKBFL_MANAGED_FRAG_REFS (frags hold no page reference; the ubuf_info pins the pages) and the downgrade that takes the references back before pskb_expand_head's skb_frag_ref()/skb_release_data() count them.",
    beforeSource: MANAGED,
    ops: ["pskb_expand_head", "__pskb_pull_tail", "pskb_may_pull", "skb_linearize", "pskb_trim", "skb_shift", "skb_copy_ubufs", "io_send_zc"],
    modelled: "yes",
    modelledAt: "core/kernel/skbuff.ts:41",
    modelledSnippet: 'fixed(tx, "managed-downgrade-expand")',
    withoutNeeds: null,
    issueCase: 9,
    sources: [MANAGED],
  },
  {
    id: "managed-downgrade-split",
    subject: "net: introduce managed frags infrastructure",
    commit: null,
    function: "skb_split",
    lines: ["net/core/skbuff.c:3648-3648"],
    guard: "skb_zcopy_downgrade_managed(skb);",
    landed: null,
    stable61: null,
    before:
      "skb_split shared a straddling frag with skb_frag_ref and moved the rest, honouring no managed mode: with managed frags skb1 would be a second holder of pages nobody had referenced.",
    beforeSource: MANAGED,
    ops: ["skb_split", "io_send_zc"],
    modelled: "yes",
    modelledAt: "core/ops/skb_split.ts:43",
    modelledSnippet: 'fixed(tx, "managed-downgrade-split")',
    withoutNeeds: null,
    issueCase: 9,
    sources: [MANAGED],
  },
  {
    id: "managed-skip-unref",
    subject: "net: introduce managed frags infrastructure",
    commit: null,
    function: "skb_release_data",
    lines: ["net/core/skbuff.c:776-781"],
    guard: "bool skip_unref = shinfo->flags & SKBFL_MANAGED_FRAG_REFS;",
    landed: null,
    stable61: null,
    before:
      "skb_release_data ran skb_zcopy_clear(skb, true) and then __skb_frag_unref() on every frag: for managed frags that would put page references the skb never took.",
    beforeSource: MANAGED,
    ops: ["kfree_skb", "consume_skb", "kfree_skb_list", "sk_eat_skb", "io_send_zc"],
    modelled: "yes",
    modelledAt: "core/ops/kfree_skb.ts:109",
    modelledSnippet: 'fixed(tx, "managed-skip-unref")',
    withoutNeeds: null,
    issueCase: 9,
    sources: [MANAGED],
  },
  {
    id: "esp-downgrade-managed",
    subject: "esp: downgrade zerocopy managed frags before mutating skb frags",
    commit: null,
    function: "esp_output_head",
    lines: ["net/ipv4/esp4.c:441-445", "net/ipv6/esp6.c:476-480"],
    guard: "skb_zcopy_downgrade_managed(skb);",
    landed: null,
    stable61: "6.1.190",
    before:
      "Old code not found; by its subject and the 6.1 comment, esp_output_head appended its trailer page frag to an skb whose frags were still managed, so the per-frag unref later was unbalanced.",
    beforeSource: "old code not found (only the Debian changelog line and the 6.1 comment were read)",
    ops: [],
    modelled: "needs mechanism: an ESP output op (esp_output_head; SKBFL_MANAGED_FRAG_REFS is modelled, io_send_zc sets it)",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "ESP op",
    issueCase: 10,
    sources: [`${CHANGELOG} (6.1.190-1)`],
  },

  // --- SKBFL_SHARED_FRAG (frags an outside writer may change) ---
  {
    id: "pskb-copy-shared-frag",
    subject: "net: skbuff: propagate shared-frag marker through frag-transfer helpers",
    commit: null,
    function: "__pskb_copy_fclone",
    lines: ["net/core/skbuff.c:1804-1804"],
    guard: "skb_shinfo(n)->flags |= skb_shinfo(skb)->flags & SKBFL_SHARED_FRAG;",
    landed: null,
    stable61: "6.1.174",
    before:
      "The copy took the frag descriptors but not SKBFL_SHARED_FRAG (skb_copy_header() copies only the gso fields of the shinfo): skb_has_shared_frag() was false on a copy of splice/sendfile pages, so an in-place writer (esp_input) skipped skb_cow_data() and wrote into page-cache pages.",
    beforeSource: `fix description in ${SHARED_FRAG_PR}; the old line itself is the 6.1 function without line 1804 (no pre-fix text retrieved)`,
    ops: ["pskb_copy"],
    modelled: "yes",
    modelledAt: "core/ops/pskb_copy.ts:43",
    modelledSnippet: 'fixed(tx, "pskb-copy-shared-frag")',
    withoutNeeds: null,
    issueCase: 11,
    sources: [`${CHANGELOG} (6.1.174-1, CVE-2026-43503)`, SHARED_FRAG_PR],
  },
  {
    id: "shift-shared-frag",
    subject: "net: skbuff: propagate shared-frag marker through frag-transfer helpers",
    commit: null,
    function: "skb_shift",
    lines: ["net/core/skbuff.c:3795-3795"],
    guard: "skb_shinfo(tgt)->flags |= skb_shinfo(skb)->flags & SKBFL_SHARED_FRAG;",
    landed: null,
    stable61: "6.1.174",
    before: "skb_shift moved frag descriptors into tgt and left tgt's flags untouched: tgt carried shared pages with skb_has_shared_frag() false.",
    beforeSource: `fix description in ${SHARED_FRAG_PR} (\"skb_shift() moves frag descriptors directly and leaves flags untouched\")`,
    ops: ["skb_shift"],
    modelled: "yes",
    modelledAt: "core/ops/skb_shift.ts:140",
    modelledSnippet: 'fixed(tx, "shift-shared-frag")',
    withoutNeeds: null,
    issueCase: 12,
    sources: [`${CHANGELOG} (6.1.174-1, CVE-2026-43503)`, SHARED_FRAG_PR],
  },
  {
    id: "coalesce-shared-frag",
    subject: "net: skbuff: preserve shared-frag marker during coalescing",
    commit: null,
    function: "skb_try_coalesce",
    lines: ["net/core/skbuff.c:5540-5541"],
    guard: "to_shinfo->flags |= from_shinfo->flags & SKBFL_SHARED_FRAG;",
    landed: null,
    stable61: "6.1.174",
    before: "skb_try_coalesce appended from's frags to `to` without SKBFL_SHARED_FRAG.",
    beforeSource: `deepin-community/kernel PR #1739 summary (\"Ensure skb_try_coalesce propagates SKBFL_SHARED_FRAG when merging\"); no pre-fix text retrieved`,
    ops: ["skb_try_coalesce"],
    modelled: "yes",
    modelledAt: "core/ops/skb_try_coalesce.ts:72",
    modelledSnippet: 'fixed(tx, "coalesce-shared-frag")',
    withoutNeeds: null,
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.174-1, CVE-2026-46300)`, SHARED_FRAG_PR],
  },
  {
    id: "segment-shared-frag-fraglist",
    subject: "net: skbuff: preserve shared-frag marker during coalescing",
    commit: null,
    function: "skb_segment",
    lines: ["net/core/skbuff.c:4370-4372", "net/core/skbuff.c:4389-4389"],
    guard: "skb_shinfo(nskb)->flags |= (skb_shinfo(head_skb)->flags |",
    landed: null,
    stable61: "6.1.174",
    before:
      "Segments took SKBFL_SHARED_FRAG from head_skb only: frags pulled from frag_list members (frag_skb) did not mark the segment. `skb_shinfo(nskb)->flags |= skb_shinfo(head_skb)->flags & SKBFL_SHARED_FRAG;`",
    beforeSource:
      "pre-fix line in the code index (skb_segment text id 7485790992) and the added line in the review threads of deepin-community/kernel PRs #1738/#1739; attribution to this Debian entry is from PR #1739's summary",
    ops: ["skb_segment"],
    modelled: "yes",
    modelledAt: "core/ops/skb_segment.ts:84",
    modelledSnippet: 'fixed(tx, "segment-shared-frag-fraglist")',
    withoutNeeds: null,
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.174-1)`, SHARED_FRAG_PR],
  },
  {
    id: "split-pure-zerocopy",
    subject: "tcp: fix mem under-charging with zerocopy sendmsg()",
    commit: null,
    function: "skb_split",
    lines: ["net/core/skbuff.c:3646-3650"],
    guard: "const int zc_flags = SKBFL_SHARED_FRAG | SKBFL_PURE_ZEROCOPY;",
    landed: null,
    stable61: null,
    before: "skb_split passed on SKBFL_SHARED_FRAG only: `skb_shinfo(skb1)->flags |= skb_shinfo(skb)->flags & SKBFL_SHARED_FRAG;`",
    beforeSource:
      "skb_split text in the SKBTX_SHARED_FRAG -> SKBFL_SHARED_FRAG rename diff in the code index (id 49150605910); that SKBFL_PURE_ZEROCOPY and this line came with this commit is from its subject and the Debian 5.16.7-1 changelog entry, not from its diff",
    ops: ["skb_split"],
    modelled:
      "needs mechanism: socket memory accounting. SKBFL_PURE_ZEROCOPY itself is modelled (io_send_zc sets it on an empty skb, skb_split passes it on), but only sk_mem_charge()/sk_mem_uncharge() read it (tcp_downgrade_zcopy_pure, io_sg_from_iter, sk_wmem_free_skb): dropping it in skb_split changes sk_forward_alloc, never a page's, an skb's or a ubuf_info's lifetime",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "socket memory accounting (sk_forward_alloc charged and uncharged per skb truesize); no lifetime in the model differs without the fix",
    issueCase: null,
    sources: [`${CHANGELOG} (5.16.7-1)`],
  },

  // --- sizes and the TCP send path ---
  {
    id: "copy-ubufs-big-tcp",
    subject: "tcp: fix skb_copy_ubufs() vs BIG TCP",
    commit: null,
    function: "skb_copy_ubufs",
    lines: ["net/core/skbuff.c:1565-1567"],
    guard: "while ((PAGE_SIZE << order) * MAX_SKB_FRAGS < __skb_pagelen(skb))",
    landed: null,
    stable61: "6.1.37",
    before:
      "Old code not found; by its subject skb_copy_ubufs sized its copy for legacy GSO lengths, so a BIG TCP skb (more than MAX_SKB_FRAGS pages of payload) overflowed the frag array.",
    beforeSource: "old code not found (only the Debian changelog line was read)",
    ops: [
      "skb_copy_ubufs",
      "skb_orphan_frags",
      "skb_orphan_frags_rx",
      "skb_clone",
      "pskb_copy",
      "pskb_expand_head",
      "skb_segment",
      "skb_zerocopy",
      "sock_queue_rcv_skb",
    ],
    modelled: "yes",
    modelledAt: "core/kernel/skbuff.ts:194-195",
    modelledSnippet: "while (PAGE_SIZE * 2 ** order * max < total && order < MAX_ORDER) order++;",
    withoutNeeds: "frags larger than one page (BIG TCP payloads): the model caps an skb at MAX_SKB_FRAGS single-page frags, so the order is always 0",
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.37-1)`],
  },
  {
    id: "tcp-mixed-splice-zerocopy",
    subject: "tcp: take care of mixed splice()/sendmsg(MSG_ZEROCOPY) case",
    commit: null,
    function: "tcp_build_frag",
    lines: ["net/ipv4/tcp.c:1019-1020", "net/ipv4/tcp.c:951-964"],
    guard: "if (tcp_downgrade_zcopy_pure(sk, skb))",
    landed: null,
    stable61: null,
    before:
      "Old code not found; by its subject, pages spliced into an skb that held only MSG_ZEROCOPY data (SKBFL_PURE_ZEROCOPY, not charged to the socket) were appended without charging it.",
    beforeSource: "old code not found (only the Debian 5.16.10-1 changelog line was read)",
    ops: ["do_tcp_sendpages"],
    modelled:
      "needs mechanism: socket memory charging. do_tcp_sendpages onto a zero-copy skb runs the fixed path (tcp_downgrade_zcopy_pure clears SKBFL_PURE_ZEROCOPY), but the fix changes only sk_mem_charge(), never a page's, an skb's or a ubuf_info's lifetime",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "PURE_ZEROCOPY flag; socket memory accounting",
    issueCase: null,
    sources: [`${CHANGELOG} (5.16.10-1)`],
  },
  {
    id: "tcp-zerocopy-all-frags",
    subject: "tcp: place all zerocopy payload in frags",
    commit: null,
    function: "tcp_sendmsg_locked",
    lines: ["net/ipv4/tcp.c:1336-1337"],
    guard: "skb = tcp_stream_alloc_skb(sk, 0, sk->sk_allocation,",
    landed: null,
    stable61: null,
    before:
      "The first skb of a send could carry payload in its linear area; with MSG_ZEROCOPY that payload was copied from the user but counted as zero-copy, and as skb_orphan_frags_rx only copies frags, loopback notifications for small sends lacked SO_EE_CODE_ZEROCOPY_COPIED.",
    beforeSource:
      "commit message read on review.tizen.org (linux-rpi3 tree, its commit 02583adeff12); old code not found. In 6.1 every sendmsg skb is allocated with no linear payload (size 0), which subsumes the fix; which commit made that unconditional was not found",
    ops: [],
    modelled: "needs mechanism: a tcp_sendmsg(MSG_ZEROCOPY) op that builds the skb from user memory, and the ZEROCOPY_COPIED bit in the verdict",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "tcp_sendmsg op; COPIED notification in the checker",
    issueCase: 13,
    sources: ["https://review.tizen.org/git/?a=commit&h=02583adeff12fa0a4d72558853a926867afb226c&p=platform%2Fkernel%2Flinux-rpi3.git"],
  },
  {
    id: "pskb-carve-zcopy-ref",
    subject: "net: skbuff: fix missing zerocopy reference in pskb_carve helpers",
    commit: null,
    function: "pskb_carve_inside_header",
    lines: ["net/core/skbuff.c:6275-6276", "net/core/skbuff.c:6426-6427"],
    guard: "if (skb_zcopy(skb))",
    landed: null,
    stable61: "6.1.176",
    before:
      "pskb_carve_inside_header (cloned case) and pskb_carve_inside_nonlinear copied the shinfo, zero-copy state included, into a new head and then skb_release_data()'d the old one without taking a ubuf_info reference: two Datas released one reference (as expand-head-uarg-ref, in pskb_extract()).",
    beforeSource:
      "the fix's diff (Minh Nguyen; Fixes: 6fa01ccd8830 \"skbuff: Add pskb_extract() helper function\"), including Salvatore Bonaccorso's 6.1.y backport, read in the code index (ids 60457451538, 57607761765)",
    ops: [],
    modelled: "needs mechanism: a pskb_extract op (RDS TCP receive)",
    modelledAt: null,
    modelledSnippet: null,
    withoutNeeds: "pskb_extract op",
    issueCase: null,
    sources: [`${CHANGELOG} (6.1.176-1)`, "code index ids 60457451538, 57607761765"],
  },
  {
    id: "zerocopy-realloc-dgram-ref",
    subject: "net: correct zerocopy refcnt with udp MSG_MORE",
    commit: "100f6d8e0990",
    function: "msg_zerocopy_realloc",
    lines: ["net/core/skbuff.c:1366-1368", "net/ipv4/ip_output.c:1050-1050"],
    guard: "if (sk->sk_type == SOCK_STREAM)",
    landed: "5.2",
    stable61: null,
    before:
      "sock_zerocopy_realloc() took a uarg reference on every extension, and __ip_append_data() / __ip6_append_data() set extra_uref = true on every call: a UDP send with MSG_MORE appending to the corked skb, which already carries the uarg, attached no new skb to hand the reference to, so refcnt stayed one too high and the notification never came.",
    beforeSource:
      'the fix\'s diff and message (Willem de Bruijn, 2019-05-30; Fixes: 52900d22288e7 "udp: elide zerocopy operation in hot path"): "sock_zerocopy_realloc takes this extra reference at the start of every call. With MSG_MORE, no new skb may be generated to attach the extra_uref to, so refcnt is incorrectly 2 with only one skb", read in its 5.1.7 stable review mail in the code index (id 33341240963)',
    ops: ["msg_zerocopy_realloc"],
    modelled: "yes",
    modelledAt: "core/ops/msg_zerocopy_realloc.ts:114",
    modelledSnippet: 'fixed(tx, "zerocopy-realloc-dgram-ref")',
    withoutNeeds: null,
    issueCase: null,
    sources: [
      "code index id 33341240963 (the [PATCH 5.1 37/40] stable review mail, upstream commit 100f6d8e09905c59be45b6316f8f369c0be1b2d8)",
      "code index id 49610903215 (davem's net pull of 2019-05-30, during the 5.2 cycle, ending at 100f6d8e0990)",
    ],
  },
];

export const FIX_IDS: ReadonlySet<string> = new Set(FIXES.map((f) => f.id));

export function fixById(id: string): KernelFix | undefined {
  return FIXES.find((f) => f.id === id);
}
