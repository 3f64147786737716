// SPDX-License-Identifier: GPL-2.0-only
/**
 * The skbscope model: flat tables of kernel objects keyed by branded ids.
 *
 * Field names are skbuff.h's (snake_case); our own ideas are camelCase.
 * Records are immutable: an operation replaces a record, never edits it,
 * so a snapshot can share every record the step did not touch.
 */

import type { PolicyId } from "./policies";

export type SkbId = string & { readonly __brand: "SkbId" };
export type DataId = string & { readonly __brand: "DataId" };
export type PageId = string & { readonly __brand: "PageId" };
export type PipeId = string & { readonly __brand: "PipeId" };
export type SockId = string & { readonly __brand: "SockId" };
export type UbufId = string & { readonly __brand: "UbufId" };
export type BufferId = string & { readonly __brand: "BufferId" };

export type { KernelId } from "./kernels";
import type { KernelId } from "./kernels";
export const KERNELS: readonly KernelId[] = ["6.1", "2.6.32"];

// The policies are a registry: core/model/policies.ts (data) and
// core/policy/ (behaviour). Re-exported here for the names everyone uses.
export { POLICIES, type PolicyId } from "./policies";

/** skb->fclone: where the struct lives (kfree_skbmem), never the data. */
export type Fclone = "unavailable" | "orig" | "clone";

/** skb->destructor, by what it means for a lifetime. */
export type Destructor =
  | null
  | { readonly fn: "sock_rfree"; readonly sk: SockId }
  // A netlink message's (netlink_skb_set_owner_r, af_netlink.c 6.1 l.385): sock_rfree() for a kmalloc'd head (l.372-383).
  | { readonly fn: "netlink_skb_destructor"; readonly sk: SockId }
  | { readonly fn: "zerocopy_complete"; readonly buffer: BufferId };

/** struct sk_buff, as far as lifetimes go. */
export interface Skb {
  readonly name: SkbId;
  readonly users: number;
  readonly cloned: boolean;
  readonly nohdr: boolean;
  readonly fclone: Fclone;
  /** The fclone pair this struct belongs to (shared fclone_ref). */
  readonly fclonePair: string | null;
  /** Identity of the head buffer, i.e. of the Data (head + shinfo). */
  readonly head: DataId;
  /** skb->data - skb->head: skb_headroom(). */
  readonly data: number;
  readonly len: number;
  readonly data_len: number;
  readonly truesize: number;
  readonly hdr_len: number;
  /** 6.1: the head is a page fragment (build_skb, napi_alloc_skb). */
  readonly head_frag: boolean;
  readonly destructor: Destructor;
  readonly sk: SockId | null;
  /**
   * 6.1 skb->pp_recycle (skb_mark_for_recycle): frag puts try the page's
   * page_pool first (__skb_frag_unref). Absent means 0.
   */
  readonly pp_recycle?: boolean;
}

/** One frag descriptor (skb_frag_t). */
export interface Frag {
  readonly page: PageId;
  readonly offset: number;
  readonly size: number;
}

/** Zero-copy state of a shinfo (6.1 shinfo->flags + destructor_arg). */
export interface Zcopy {
  readonly ubuf: UbufId;
  /** SKBFL_DONT_ORPHAN copied from the ubuf by skb_zcopy_init(). */
  readonly dont_orphan: boolean;
}

/**
 * The Data: one head buffer plus the skb_shared_info at its end.
 * Clones share a Data; every other sharing goes through page references.
 */
export interface Data {
  readonly id: DataId;
  /** skb_end_offset(): where skb_shared_info sits. */
  readonly end: number;
  /** 6.1 head_frag: the page holding the head (one reference). */
  readonly head_page: PageId | null;
  /** Where the head starts inside head_page (page-fragment caches carve pages). */
  readonly head_offset: number;
  /** Raw atomic dataref: low 16 bits all refs, high 16 payload-only. */
  readonly dataref: number;
  readonly frags: readonly Frag[];
  readonly frag_list: readonly SkbId[];
  readonly zcopy: Zcopy | null;
  /** The seed patch's shinfo->release (with priv): the armed buffer. */
  readonly release: BufferId | null;
  /** skb_try_coalesce() stole this head: it is now a frag of another skb. */
  readonly head_stolen: boolean;
  /**
   * 6.1 shinfo->flags SKBFL_SHARED_FRAG: some frag may be written by an
   * outside entity (vmsplice()/sendfile() pages); skb_has_shared_frag()
   * reads it, and in-place writers (esp_input) copy first when it is set.
   * Who sets, keeps or loses it: core/model/README.md "SKBFL_SHARED_FRAG".
   */
  readonly shared_frag: boolean;
  /**
   * SKBFL_MANAGED_FRAG_REFS (6.1 skbuff.h l.527): the frags hold no page
   * reference; the ubuf_info pins the pages (io_uring's io_sg_from_iter).
   * Absent means clear.
   */
  readonly managed_frag_refs?: boolean;
  /**
   * SKBFL_PURE_ZEROCOPY (6.1 skbuff.h l.520): every byte is the user's
   * (tcp_sendmsg_locked sets it on a fragless skb); only socket memory
   * accounting reads it. Absent means clear.
   */
  readonly pure_zerocopy?: boolean;
}

/**
 * "file": a page-cache page (find_or_create_page); like a guest page, the
 * owner's own hold (the page cache's reference) is a baseline not counted.
 */
export type PageOwner = "guest" | "host" | "file";
/** Why a host page exists: the trace allocated it, or the kernel did. */
export type PageOrigin = "alloc" | "copy" | "napi" | "pfrag" | "pool" | "pagecache";

export interface Page {
  readonly name: PageId;
  readonly owner: PageOwner;
  readonly origin: PageOrigin;
  /** References held by kernel objects (the owner's mapping is not counted). */
  readonly refcount: number;
  /** References the trace's caller holds (alloc_page, get_page). */
  readonly caller: number;
  /** A host page whose count reached zero went back to the allocator. */
  readonly freed: boolean;
  /**
   * 6.1 page->pp: the page_pool the page belongs to (pp_magic ==
   * PP_SIGNATURE); absent for other pages and after page_pool_release_page.
   */
  readonly pp?: string;
  /**
   * Recycled: the pool's ring holds the page (its one reference) for the
   * driver's next RX buffer (page_pool_recycle_in_ring). Absent means no.
   */
  readonly pp_in_pool?: boolean;
}

export interface PipeBuffer {
  readonly page: PageId;
  readonly offset: number;
  readonly len: number;
}

export interface Pipe {
  readonly name: PipeId;
  readonly bufs: readonly PipeBuffer[];
}

export interface Sock {
  readonly name: SockId;
  /** sk_receive_queue: each entry holds one skb reference. */
  readonly queue: readonly SkbId[];
  /**
   * The family, fixed at socket(2) in Linux: by inet_create,
   * packet_create or netlink_create (core/ops/sock_create.ts); a
   * sock_create() socket takes it from the first skb it receives: "inet" by
   * local delivery (sock_queue_rcv_skb), "packet" by a tap
   * (dev_queue_xmit_nit), "netlink" by an upcall (queue_userspace_packet).
   * Absent: a sock_create() socket that has received nothing yet. It decides what a splice() of the socket does
   * (contracts.ts splice-stream-sockets).
   */
  readonly family?: SockFamily;
}

export type SockFamily = "inet" | "packet" | "netlink";

/**
 * An skb handed to the device (dev_queue_xmit): the qdisc and the driver's
 * TX ring hold it until the driver's completion (dev_consume_skb_any). The
 * model has one device; `since` is the step it was queued at.
 */
export interface DevQueued {
  readonly skb: SkbId;
  readonly since: number;
}

/** struct ubuf_info (6.1), with what the owner was told. */
export interface Ubuf {
  readonly name: UbufId;
  readonly kind: "vhost" | "msgzc" | "io-notif";
  readonly refcnt: number;
  readonly dont_orphan: boolean;
  readonly buffer: BufferId;
  /** msg_zerocopy_callback ANDs each success into ->zerocopy. */
  readonly zerocopy: boolean;
  readonly callbacks: number;
  /**
   * MSG_ZEROCOPY uarg->len: how many sendmsg calls (notification ids) the
   * uarg covers, extended by msg_zerocopy_realloc(); absent means 1.
   */
  readonly len?: number;
  /**
   * io-notif: the registered-buffer pages this notification keeps pinned
   * (io_req_set_rsrc_node: the rsrc node lives until io_notif_complete).
   * Each pin is one page reference, held by the ubuf. Absent: none.
   */
  readonly pins?: readonly PageId[];
  /**
   * io-notif under a policy that does not listen to io_uring's CQE: the
   * refcount still runs and the pins still drop, but the owner is not told
   * here (its own policy tells it). Absent: the callback tells the owner.
   */
  readonly silent?: boolean;
}

/** A zero-copy buffer the owner armed with zerocopy_arm(). */
export interface ZBuffer {
  readonly id: BufferId;
  readonly skb: SkbId;
  readonly pages: readonly PageId[];
  readonly armedAt: number;
  readonly completions: readonly number[];
}

/** What a freed name was, and when it went. */
export interface Grave {
  readonly kind: "skb" | "pipe" | "sock" | "page";
  readonly step: number;
}

/** A page-fragment cache: the page it carves and where it is. */
export interface FragCache {
  readonly page: PageId;
  /** 6.1 NAPI caches carve downward from the end; the task frag upward. */
  readonly offset: number;
  readonly size: number;
}

/**
 * The page-fragment caches the model has: 6.1's per-CPU NAPI caches (a
 * 32 KiB page, and 1 KiB slices of an order-0 page), whose own references
 * are not counted (like a guest's mapping), and the page frag that splice
 * copies linear bytes into (6.1 current->task_frag, 2.6.32
 * sk->sk_sndmsg_page), which holds one counted reference.
 */
export interface FragCaches {
  readonly napi: FragCache | null;
  readonly napi_small: FragCache | null;
  readonly pfrag: FragCache | null;
}

export interface Counters {
  readonly data: number;
  /** skbs the kernel creates itself (frag_list clones): ~s1, ~s2, ... */
  readonly kskb: number;
  readonly kpage: number;
  readonly ubuf: number;
  readonly buffer: number;
  readonly fclone: number;
}

export interface Tables {
  readonly skbs: ReadonlyMap<SkbId, Skb>;
  readonly datas: ReadonlyMap<DataId, Data>;
  readonly pages: ReadonlyMap<PageId, Page>;
  readonly pipes: ReadonlyMap<PipeId, Pipe>;
  readonly socks: ReadonlyMap<SockId, Sock>;
  /** The device's transmit queue (qdisc + driver ring), in queue order. */
  readonly devq: ReadonlyMap<SkbId, DevQueued>;
  readonly ubufs: ReadonlyMap<UbufId, Ubuf>;
  readonly buffers: ReadonlyMap<BufferId, ZBuffer>;
  /** Freed names (skbs, pipes, sockets, host pages) with the step that freed them. */
  readonly graves: ReadonlyMap<string, Grave>;
  /** fclone pairs: fclone_ref of each sk_buff_fclones. */
  readonly fclones: ReadonlyMap<string, number>;
}

/** The whole model after some step. */
export interface State extends Tables {
  readonly kernel: KernelId;
  readonly policy: PolicyId;
  /**
   * Catalogued kernel fixes (core/fixes/catalogue.ts ids) reverted for this
   * run: their guards run the pre-fix code (core/fixes/fixed.ts). Empty
   * for the kernel as shipped.
   */
  readonly without: ReadonlySet<string>;
  /** The step this state is the result of (0: nothing done yet). */
  readonly step: number;
  readonly counters: Counters;
  readonly caches: FragCaches;
}

export type TableName = keyof Tables;
