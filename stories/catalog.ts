// SPDX-License-Identifier: GPL-2.0-only
/**
 * What we know about each story besides its trace: where the trace file
 * is, a one-line summary, which side of the 2009 debate it supports, the
 * claim it tests, and the verdict every policy must reach on the story's
 * kernel (checked by stories.test.ts).
 *
 * Plain data with no imports of trace files, so Node tools (the share
 * benchmark) can read it; stories/index.ts attaches the sources.
 */
import type { Verdict } from "../core/check/checker";
import { POLICIES, policyApplies, type PolicyId } from "../core/model/policies";
import type { KernelId } from "../core/model/types";

/**
 * Which side of the debate a story's trace supports.
 *   haskins    the seed patch's shinfo->release does what Haskins says
 *   objection  Tsirkin's objection, and the earlier one he quotes:
 *              release fires early or never
 *   merged     what Linux merged instead (ubuf_info, copy before escape)
 *   neutral    how the kernel works, no side taken
 */
export type Side = "haskins" | "objection" | "merged" | "neutral";

/** A claim from the seed thread, and what the trace says of it. */
export interface Claim {
  /**
   * Who says it in the thread. The metastasize objection is quoted by
   * Tsirkin from an earlier discussion without naming its author; he
   * writes only "Cc Herbert which was involved in the original discussion".
   */
  readonly who: "Haskins" | "Tsirkin" | "an earlier objection, quoted by Tsirkin" | "the RFC";
  /** The words, as in the thread. */
  readonly quote: string;
  /** The thread's own words introducing a quoted claim, verbatim. */
  readonly introduced?: string;
  readonly outcome: "holds" | "fails" | "holds in part";
}

export type Expected = Readonly<Record<PolicyId, Verdict | "n/a">>;

export interface StoryMeta {
  readonly id: string;
  /** Path of the trace file, relative to stories/. */
  readonly file: string;
  /** One line for the gallery (at most 72 columns). */
  readonly summary: string;
  readonly side: Side;
  readonly claim?: Claim;
  /** Expected verdict per policy on the story's kernel; "n/a" where the policy does not exist there. */
  readonly expected: Expected;
  /**
   * A story told from a catalogued kernel fix (core/fixes/catalogue.ts):
   * the trace runs with the fix in (`expected`: ok under the story's own
   * policy), and `without` is every policy's verdict with the fix
   * reverted (the violation under the story's own policy). The trace's
   * comments cite the fix's commit subject and narrate both runs.
   */
  readonly fix?: { readonly id: string; readonly without: Expected };
  /**
   * Policies under which the story arms no buffer holding a page of the
   * owner's (core/engine/matrix.ts `armed`): their verdict judges no
   * completion, and the gallery says so. Checked against the engine.
   */
  readonly unarmed?: readonly PolicyId[];
}

/**
 * A story's expected verdicts on a kernel older than some policies: "n/a"
 * for every policy the registry says that kernel lacks; every other policy
 * needs its verdict here.
 */
function on(kernel: KernelId, story: string, verdicts: Partial<Record<PolicyId, Verdict>>): Expected {
  const out: Partial<Record<PolicyId, Verdict | "n/a">> = {};
  for (const p of POLICIES) {
    const v = policyApplies(p, kernel) ? verdicts[p] : "n/a";
    if (v === undefined) throw new Error(`story ${story}: no expected verdict for ${p} on ${kernel}`);
    out[p] = v;
  }
  return out as Expected;
}

export const CATALOG: readonly StoryMeta[] = [
  {
    id: "sharing-basics",
    file: "modern/sharing-basics.trace",
    unarmed: ["page-pool"],
    summary: "Clones share one Data; dataref counts them, in two halves",
    side: "neutral",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "haskins-host-remote",
    file: "seed/haskins-host-remote.trace",
    summary: "Guest pages sent out, cloned for a tap, freed: release() works",
    side: "haskins",
    claim: {
      who: "Haskins",
      quote: "I do use this for guest->host and guest->host->remote, and it works quite nicely.",
      outcome: "holds",
    },
    expected: on("2.6.32", "haskins-host-remote", { "page-refs": "ok", destructor: "premature", "shinfo-release": "ok" }),
  },
  {
    id: "tsirkin-pskb-copy",
    file: "seed/tsirkin-pskb-copy.trace",
    summary: "pskb_copy takes page references, not dataref: release() is early",
    side: "objection",
    claim: {
      who: "Tsirkin",
      quote: "it seems that things like pskb_copy, skb_split and others will also be broken, won't they?",
      outcome: "holds",
    },
    expected: on("2.6.32", "tsirkin-pskb-copy", { "page-refs": "ok", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "tcp-fragment-split",
    file: "seed/tcp-fragment-split.trace",
    summary: "skb_split inside a frag gives the page to a new Data: early",
    side: "objection",
    claim: {
      who: "Tsirkin",
      quote: "it seems that things like pskb_copy, skb_split and others will also be broken, won't they?",
      // The mechanism breaks release(); but 2.6.32 splits only TCP's own
      // skbs (tcp_fragment, tso_fragment), never a guest's transmitted one.
      outcome: "holds in part",
    },
    expected: on("2.6.32", "tcp-fragment-split", { "page-refs": "ok", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "expand-uncloned",
    file: "seed/expand-uncloned.trace",
    summary: "pskb_expand_head, uncloned: release() fires inside the call",
    side: "objection",
    expected: on("2.6.32", "expand-uncloned", { "page-refs": "ok", destructor: "ok", "shinfo-release": "premature" }),
  },
  {
    id: "expand-cloned",
    file: "seed/expand-cloned.trace",
    summary: "pskb_expand_head, cloned: the old Data fires when the clone goes",
    side: "objection",
    expected: on("2.6.32", "expand-cloned", { "page-refs": "ok", destructor: "ok", "shinfo-release": "premature" }),
  },
  {
    id: "splice-pipe",
    file: "seed/splice-pipe.trace",
    summary: "A page spliced into a pipe outlives the skb and its shinfo",
    side: "objection",
    claim: {
      who: "an earlier objection, quoted by Tsirkin",
      quote: "Through mechanisms like splice, individual pages in the skb can be detached and metastasize to other locations, e.g., the VFS.",
      introduced: "Last time this was tried, this is the objection that was voiced:",
      outcome: "holds",
    },
    expected: on("2.6.32", "splice-pipe", { "page-refs": "late", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "recycle-missed",
    file: "seed/recycle-missed.trace",
    summary: "skb_recycle_check clears release() unseen: never told",
    side: "objection",
    expected: on("2.6.32", "recycle-missed", { "page-refs": "ok", destructor: "ok", "shinfo-release": "missed" }),
  },
  {
    id: "fix-ubuf-orphan",
    file: "modern/fix-ubuf-orphan.trace",
    unarmed: ["page-pool"],
    summary: "Merged fix: skb_orphan_frags copies the frags before pskb_copy",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "fix-splice",
    file: "modern/fix-splice.trace",
    unarmed: ["page-pool"],
    summary: "Merged fix: frags copied at local delivery, before any splice",
    side: "merged",
    expected: {
      "page-refs": "late",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "msg-zerocopy",
    file: "modern/msg-zerocopy.trace",
    unarmed: ["page-pool"],
    summary: "MSG_ZEROCOPY: each Data holds the ubuf; notified after the last",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "claim-destructor",
    file: "seed/claim-destructor.trace",
    summary: "skb_orphan on local delivery runs the destructor too early",
    side: "haskins",
    claim: {
      who: "the RFC",
      quote: "The skb->destructor field is reportedly unreliable for ensuring that all shinfo users have dropped their references.",
      outcome: "holds",
    },
    expected: on("2.6.32", "claim-destructor", { "page-refs": "late", destructor: "premature", "shinfo-release": "late" }),
  },
  {
    id: "claim-up-the-reference",
    file: "seed/claim-up-the-reference.trace",
    summary: "skb_clone ups dataref; pskb_copy ups the page: release() early",
    side: "objection",
    claim: { who: "Haskins", quote: "They up the reference to the shinfo before proceeding.", outcome: "holds in part" },
    expected: on("2.6.32", "claim-up-the-reference", { "page-refs": "ok", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "claim-tracks-pages",
    file: "seed/claim-tracks-pages.trace",
    summary: "release() outlives clones, but not a page spliced into a pipe",
    side: "objection",
    claim: {
      who: "Haskins",
      quote: "shinfo->release tracks the lifetime of the pages, not the skb.",
      outcome: "holds in part",
    },
    expected: on("2.6.32", "claim-tracks-pages", { "page-refs": "late", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "claim-guest-to-host",
    file: "seed/claim-guest-to-host.trace",
    summary: "Guest to host with a plain reader: release() is late, not early",
    side: "haskins",
    claim: {
      who: "Haskins",
      quote: "I do use this for guest->host and guest->host->remote, and it works quite nicely.",
      outcome: "holds in part",
    },
    expected: on("2.6.32", "claim-guest-to-host", { "page-refs": "late", destructor: "premature", "shinfo-release": "late" }),
  },
  {
    id: "claim-expand-nulling",
    file: "seed/claim-expand-nulling.trace",
    summary: "The patch's pskb_expand_head NULLing: linearize fires early",
    side: "objection",
    claim: {
      who: "Haskins",
      quote: "What I do know is that this patch seems to work",
      outcome: "fails",
    },
    expected: on("2.6.32", "claim-expand-nulling", { "page-refs": "ok", destructor: "ok", "shinfo-release": "premature" }),
  },
  {
    id: "claim-and-others",
    file: "seed/claim-and-others.trace",
    summary: "GSO segments share the page with Datas of their own: early",
    side: "objection",
    claim: {
      who: "Tsirkin",
      quote: "it seems that things like pskb_copy, skb_split and others will also be broken, won't they?",
      outcome: "holds",
    },
    expected: on("2.6.32", "claim-and-others", { "page-refs": "ok", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "claim-metastasize",
    file: "seed/claim-metastasize.trace",
    summary: "From the pipe the page moves on into a new skb, unseen",
    side: "objection",
    claim: {
      who: "an earlier objection, quoted by Tsirkin",
      quote: "Through mechanisms like splice, individual pages in the skb can be detached and metastasize to other locations, e.g., the VFS.",
      introduced: "Last time this was tried, this is the objection that was voiced:",
      outcome: "holds",
    },
    expected: on("2.6.32", "claim-metastasize", { "page-refs": "late", destructor: "premature", "shinfo-release": "premature" }),
  },
  {
    id: "vhost-head-of-line",
    file: "modern/vhost-head-of-line.trace",
    unarmed: ["page-pool"],
    summary: "A stalled device queue holds a guest buffer: completion waits",
    side: "merged",
    expected: {
      "page-refs": "late",
      destructor: "late",
      "shinfo-release": "late",
      "ubuf-orphan": "late",
      "msg-zerocopy": "late",
      "page-pool": "ok",
      "io-uring-notif": "late",
    },
  },
  // --- stories from catalogued kernel fixes (issue 10): fix on, fix off ---
  {
    id: "fix-split-zerocopy-clone",
    file: "fixes/split-zerocopy-clone.trace",
    unarmed: ["page-pool"],
    summary: "tcp_fragment's skb_split joins the MSG_ZEROCOPY ubuf_info",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "split-zerocopy-clone",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-expand-head-uarg-ref",
    file: "fixes/expand-head-uarg-ref.trace",
    unarmed: ["page-pool"],
    summary: "pskb_expand_head on a clone takes a ubuf_info reference",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "expand-head-uarg-ref",
      without: {
        "page-refs": "ok",
        destructor: "ok",
        "shinfo-release": "premature",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-pskb-copy-uarg-clone",
    file: "fixes/pskb-copy-uarg-clone.trace",
    unarmed: ["page-pool"],
    summary: "A retransmit's pskb_copy shares the pages and the ubuf_info",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "pskb-copy-uarg-clone",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-segment-uarg-clone",
    file: "fixes/segment-uarg-clone.trace",
    unarmed: ["page-pool"],
    summary: "GSO segments each join the MSG_ZEROCOPY ubuf_info",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "segment-uarg-clone",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-shift-refuse-zcopy",
    file: "fixes/shift-refuse-zcopy.trace",
    unarmed: ["page-pool"],
    summary: "SACK shifting: skb_shift refuses zero-copy skbs",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "shift-refuse-zcopy",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-coalesce-refuse-zcopy",
    file: "fixes/coalesce-refuse-zcopy.trace",
    unarmed: ["page-pool"],
    summary: "skb_try_coalesce refuses to merge zero-copy frags",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "coalesce-refuse-zcopy",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-vhost-complete-once",
    file: "fixes/vhost-complete-once.trace",
    unarmed: ["page-pool"],
    summary: "vhost tells the guest once, when the last Data goes",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "vhost-complete-once",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "ok",
        "page-pool": "ok",
        "io-uring-notif": "ok",
      },
    },
  },
  {
    id: "fix-rx-orphan-frags",
    file: "fixes/rx-orphan-frags.trace",
    unarmed: ["page-pool"],
    summary: "Looped to a local socket, MSG_ZEROCOPY frags are copied",
    side: "merged",
    expected: {
      "page-refs": "late",
      destructor: "premature",
      "shinfo-release": "late",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "rx-orphan-frags",
      without: {
        "page-refs": "late",
        destructor: "premature",
        "shinfo-release": "late",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "late",
        "page-pool": "ok",
        "io-uring-notif": "late",
      },
    },
  },
  {
    id: "fix-zerocopy-orphan-frags",
    file: "fixes/zerocopy-orphan-frags.trace",
    unarmed: ["page-pool"],
    summary: "openvswitch's skb_zerocopy orphans the guest's frags",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "zerocopy-orphan-frags",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-gro-refuse-zcopy",
    file: "fixes/gro-refuse-zcopy.trace",
    unarmed: ["page-pool"],
    summary: "GRO refuses to merge a zero-copy skb into the held packet",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "gro-refuse-zcopy",
      without: {
        "page-refs": "ok",
        destructor: "premature",
        "shinfo-release": "premature",
        "ubuf-orphan": "premature",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-tx-error-cloned",
    file: "fixes/tx-error-cloned.trace",
    unarmed: ["page-pool"],
    summary: "A driver's error on a clone leaves the shared ubuf alone",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "tx-error-cloned",
      without: {
        "page-refs": "ok",
        destructor: "ok",
        "shinfo-release": "ok",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "premature",
        "page-pool": "ok",
        "io-uring-notif": "premature",
      },
    },
  },
  {
    id: "fix-pp-recycle-last-clone",
    file: "fixes/pp-recycle-last-clone.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "io-uring-notif"],
    summary: "A page_pool page is recycled by the last skb only",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "pp-recycle-last-clone",
      without: {
        "page-refs": "ok",
        destructor: "ok",
        "shinfo-release": "ok",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "ok",
        "page-pool": "premature",
        "io-uring-notif": "ok",
      },
    },
  },
  {
    id: "fix-coalesce-pp-recycle",
    file: "fixes/coalesce-pp-recycle.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "io-uring-notif"],
    summary: "skb_try_coalesce keeps page_pool pages out of other skbs",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "coalesce-pp-recycle",
      without: {
        "page-refs": "ok",
        destructor: "ok",
        "shinfo-release": "ok",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "ok",
        "page-pool": "missed",
        "io-uring-notif": "ok",
      },
    },
  },
  {
    id: "fix-tap-orphan-frags-rx",
    file: "fixes/tap-orphan-frags-rx.trace",
    unarmed: ["page-pool"],
    summary: "A packet tap's clone of a MSG_ZEROCOPY skb holds only a copy",
    side: "merged",
    expected: {
      "page-refs": "late",
      destructor: "premature",
      "shinfo-release": "late",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "rx-orphan-frags",
      without: {
        "page-refs": "late",
        destructor: "premature",
        "shinfo-release": "late",
        "ubuf-orphan": "ok",
        "msg-zerocopy": "late",
        "page-pool": "ok",
        "io-uring-notif": "late",
      },
    },
  },
  {
    id: "ovs-upcall",
    file: "modern/ovs-upcall.trace",
    unarmed: ["page-pool"],
    summary: "An openvswitch upcall makes a MSG_ZEROCOPY sender wait on userspace",
    side: "neutral",
    expected: {
      "page-refs": "late",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "late",
      "page-pool": "ok",
      "io-uring-notif": "late",
    },
  },
  {
    id: "msg-zerocopy-shared-uarg",
    file: "modern/msg-zerocopy-shared-uarg.trace",
    unarmed: ["page-pool"],
    summary: "One MSG_ZEROCOPY sendmsg over two skbs: one notification, last",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "fix-pskb-copy-shared-frag",
    file: "fixes/pskb-copy-shared-frag.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"],
    summary: "A pskb_copy of sendfile pages keeps SKBFL_SHARED_FRAG for esp_input",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "pskb-copy-shared-frag",
      without: {
        "page-refs": "shared-write",
        destructor: "shared-write",
        "shinfo-release": "shared-write",
        "ubuf-orphan": "shared-write",
        "msg-zerocopy": "shared-write",
        "page-pool": "shared-write",
        "io-uring-notif": "shared-write",
      },
    },
  },
  {
    id: "fix-shift-shared-frag",
    file: "fixes/shift-shared-frag.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"],
    summary: "skb_shift passes SKBFL_SHARED_FRAG on with the frags it moves",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "shift-shared-frag",
      without: {
        "page-refs": "shared-write",
        destructor: "shared-write",
        "shinfo-release": "shared-write",
        "ubuf-orphan": "shared-write",
        "msg-zerocopy": "shared-write",
        "page-pool": "shared-write",
        "io-uring-notif": "shared-write",
      },
    },
  },
  {
    id: "fix-coalesce-shared-frag",
    file: "fixes/coalesce-shared-frag.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"],
    summary: "IP reassembly (skb_try_coalesce) keeps SKBFL_SHARED_FRAG",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "coalesce-shared-frag",
      without: {
        "page-refs": "shared-write",
        destructor: "shared-write",
        "shinfo-release": "shared-write",
        "ubuf-orphan": "shared-write",
        "msg-zerocopy": "shared-write",
        "page-pool": "shared-write",
        "io-uring-notif": "shared-write",
      },
    },
  },
  {
    id: "fix-segment-shared-frag-fraglist",
    file: "fixes/segment-shared-frag-fraglist.trace",
    unarmed: ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"],
    summary: "GSO segments of frag_list pages take the member's SHARED_FRAG",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "ok",
      "shinfo-release": "ok",
      "ubuf-orphan": "ok",
      "msg-zerocopy": "ok",
      "page-pool": "ok",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "segment-shared-frag-fraglist",
      without: {
        "page-refs": "shared-write",
        destructor: "shared-write",
        "shinfo-release": "shared-write",
        "ubuf-orphan": "shared-write",
        "msg-zerocopy": "shared-write",
        "page-pool": "shared-write",
        "io-uring-notif": "shared-write",
      },
    },
  },
  {
    id: "io-uring-send-zc",
    file: "modern/io-uring-send-zc.trace",
    summary: "io_uring SEND_ZC: managed frags, one notification at refcnt 0",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "missed",
      "shinfo-release": "missed",
      "ubuf-orphan": "missed",
      "msg-zerocopy": "missed",
      "page-pool": "missed",
      "io-uring-notif": "ok",
    },
  },
  {
    id: "fix-managed-skip-unref",
    file: "fixes/managed-skip-unref.trace",
    summary: "skb_release_data puts no reference for managed frags",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "missed",
      "shinfo-release": "missed",
      "ubuf-orphan": "missed",
      "msg-zerocopy": "missed",
      "page-pool": "missed",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "managed-skip-unref",
      without: {
        "page-refs": "premature",
        destructor: "missed",
        "shinfo-release": "missed",
        "ubuf-orphan": "missed",
        "msg-zerocopy": "missed",
        "page-pool": "missed",
        "io-uring-notif": "ok",
      },
    },
  },
  {
    id: "fix-managed-downgrade-split",
    file: "fixes/managed-downgrade-split.trace",
    summary: "skb_split takes real frag references before skb1 gets them",
    side: "merged",
    expected: {
      "page-refs": "ok",
      destructor: "missed",
      "shinfo-release": "missed",
      "ubuf-orphan": "missed",
      "msg-zerocopy": "missed",
      "page-pool": "missed",
      "io-uring-notif": "ok",
    },
    fix: {
      id: "managed-downgrade-split",
      without: {
        "page-refs": "premature",
        destructor: "missed",
        "shinfo-release": "missed",
        "ubuf-orphan": "missed",
        "msg-zerocopy": "missed",
        "page-pool": "missed",
        "io-uring-notif": "ok",
      },
    },
  },
];

/** What `npm start` opens: Tsirkin's objection under shinfo-release. */
export const DEFAULT_STORY_ID = "tsirkin-pskb-copy";
