// SPDX-License-Identifier: GPL-2.0-only
/**
 * What a completion policy is, as behaviour: the one interface the
 * zerocopy_arm op and the checker call instead of switching on ids. Its
 * data (code, label, description, kernels) is its row in
 * core/model/policies.ts; the registry (./registry.ts) joins the two.
 */
import type { Tx } from "../model/tx";
import type { BufferId, Data, Page, PageId, PolicyId, Skb, State, ZBuffer } from "../model/types";

/** Where zerocopy_arm(name) arms: the skb, its Data, the new buffer. */
export interface ArmSite {
  readonly name: string;
  readonly skb: Skb;
  readonly data: Data;
  readonly buffer: BufferId;
}

/** The policy's row in the docs' policy table (markdown, one line each). */
export interface PolicyDoc {
  /** What zerocopy_arm(a) installs. */
  readonly armedBy: string;
  /** When the owner is told complete. */
  readonly toldWhen: string;
}

export interface CompletionPolicy<P extends PolicyId = PolicyId> {
  readonly id: P;
  readonly doc: PolicyDoc;
  /**
   * zerocopy_arm: install the policy's mechanism for `site.buffer` (the
   * buffer record exists already; the kernel check has passed).
   */
  arm(tx: Tx, site: ArmSite): void;
  /**
   * Whether the mechanism for zb still exists somewhere (an skb, a Data, a
   * ubuf): then a buffer not yet told is pending, not missed.
   */
  stillArmed(state: State, zb: ZBuffer): boolean;
  /**
   * Whether the completion of zb waits for this queued skb or its Data. It
   * reads zb, the skb, its Data and the ubuf that Data carries, nothing
   * else (the checker re-asks only when one of those changed: check/tracked.ts).
   */
  waitsOnSkb(state: State, zb: ZBuffer, skb: Skb, data: Data): boolean;
  /**
   * Whether the completion waits on every host reference to the pages, so
   * that a pipe holding one of them holds the completion back too.
   */
  readonly waitsOnPageHolders: boolean;
  /**
   * A guest page's host references dropped to zero (alloc_page's put
   * path): a policy that completes on page refcounts does it here.
   */
  onPageIdle?(tx: Tx, page: PageId): void;
  /**
   * Which pages of the armed skb are the owner's (the buffer's pages);
  /**
   * without it, the guest's pages.
   */
  ownsPage?(page: Page): boolean;
  /**
   * The trace call that gives the owner a page of its own, for the module
   * contract's lifetime (registry.test.ts); without it `alloc_page(guest)`.
   */
  readonly ownerPage?: string;
  /**
   * A page_pool page came back to its pool (core/kernel/page_pool.ts):
   * recycled into the ring, or released from the pool: a policy that
   * completes when the pool gets its page back does it here.
   */
  onPoolReturn?(tx: Tx, page: PageId, how: "recycled" | "released"): void;
  /**
   * io_uring's notification (io_notif_complete) is how this policy's owner
   * hears; under any other policy an io_uring notification is silent.
   */
  readonly hearsIoNotif?: boolean;
}
