// SPDX-License-Identifier: GPL-2.0-only
/**
 * Plain-data views of a state, in the kernel's field names: what the CLI
 * prints as JSON, what the worker sends to the UI, and what the kernel
 * oracle records. Stable field names are a public interface.
 */
import { DATAREF_MASK, DATAREF_SHIFT, holdersOf, queueOf, skbsOfData } from "../model/lookup";
import type { SockFamily, State } from "../model/types";

export interface FragView {
  readonly page: string;
  readonly offset: number;
  readonly size: number;
}

export interface SkbView {
  readonly name: string;
  readonly users: number;
  readonly cloned: boolean;
  readonly nohdr: boolean;
  readonly fclone: string;
  readonly len: number;
  readonly data_len: number;
  readonly headlen: number;
  readonly headroom: number;
  readonly tailroom: number;
  readonly truesize: number;
  readonly head: string;
  readonly head_frag: boolean;
  /** Raw atomic value: low 16 bits all references, high 16 payload-only. */
  readonly dataref: number;
  readonly nr_frags: number;
  readonly frags: readonly FragView[];
  readonly frag_list: readonly string[];
  readonly destructor: string | null;
  readonly sk: string | null;
  /** The receive queue holding this skb, if any. */
  readonly queue: string | null;
  /** 6.1 skb->pp_recycle; present only when set. */
  readonly pp_recycle?: true;
  /** skb_has_shared_frag(): nonlinear and shinfo->flags & SKBFL_SHARED_FRAG. */
  readonly shared_frag: boolean;
}

export interface DataView {
  readonly head: string;
  readonly skbs: readonly string[];
  readonly dataref: number;
  readonly end: number;
  readonly nr_frags: number;
  readonly frags: readonly FragView[];
  readonly frag_list: readonly string[];
  readonly head_page: string | null;
  readonly head_offset: number;
  readonly ubuf: string | null;
  readonly dont_orphan: boolean;
  readonly release: string | null;
  /** shinfo->flags & SKBFL_SHARED_FRAG. */
  readonly shared_frag: boolean;
  /** SKBFL_MANAGED_FRAG_REFS, present only when set: the frags hold no page reference. */
  readonly managed_frag_refs?: true;
  /** SKBFL_PURE_ZEROCOPY, present only when set. */
  readonly pure_zerocopy?: true;
}

export interface PageView {
  readonly name: string;
  readonly owner: "guest" | "host" | "file";
  readonly origin: string;
  readonly refcount: number;
  readonly holders: readonly string[];
  readonly freed: boolean;
  /** page->pp, the page_pool it belongs to; present only for a pool page. */
  readonly pp?: string;
  /** Present (true) only while the pool's ring holds it (recycled). */
  readonly pp_in_pool?: true;
}

export interface StateView {
  readonly step: number;
  readonly kernel: string;
  readonly policy: string;
  readonly skbs: readonly SkbView[];
  readonly datas: readonly DataView[];
  readonly pages: readonly PageView[];
  readonly pipes: readonly { name: string; bufs: readonly { page: string; offset: number; len: number }[] }[];
  /** `family` once the socket has received (Sock.family). */
  readonly sockets: readonly { name: string; queue: readonly string[]; family?: SockFamily }[];
  /** Skbs the device's transmit queue holds (dev_queue_xmit), in order. */
  readonly devq: readonly string[];
  readonly ubufs: readonly {
    name: string;
    kind: string;
    refcnt: number;
    dont_orphan: boolean;
    buffer: string;
    callbacks: number;
    zerocopy: boolean;
    /** MSG_ZEROCOPY uarg->len, only once msg_zerocopy_realloc extended it past 1. */
    len?: number;
  }[];
  readonly caches: State["caches"];
  readonly buffers: readonly { name: string; skb: string; pages: readonly string[]; armedAt: number; completions: readonly number[] }[];
}

export function dataref(raw: number): { all: number; payload: number } {
  return { all: raw & DATAREF_MASK, payload: raw >>> DATAREF_SHIFT };
}

export function stateView(state: State): StateView {
  const skbs: SkbView[] = [];
  for (const skb of state.skbs.values()) {
    const d = state.datas.get(skb.head);
    const headlen = skb.len - skb.data_len;
    skbs.push({
      name: skb.name,
      users: skb.users,
      cloned: skb.cloned,
      nohdr: skb.nohdr,
      fclone: skb.fclone,
      len: skb.len,
      data_len: skb.data_len,
      headlen,
      headroom: skb.data,
      // skb_tailroom(): zero for a nonlinear skb
      tailroom: d && skb.data_len === 0 ? d.end - skb.data - headlen : 0,
      truesize: skb.truesize,
      head: skb.head,
      head_frag: skb.head_frag,
      dataref: d?.dataref ?? 0,
      nr_frags: d?.frags.length ?? 0,
      frags: d?.frags.map((f) => ({ page: f.page, offset: f.offset, size: f.size })) ?? [],
      frag_list: d?.frag_list ?? [],
      destructor: skb.destructor?.fn ?? null,
      sk: skb.sk,
      queue: queueOf(state, skb.name),
      ...(skb.pp_recycle ? { pp_recycle: true as const } : {}),
      shared_frag: skb.data_len > 0 && (d?.shared_frag ?? false),
    });
  }
  const datas: DataView[] = [...state.datas.values()].map((d) => ({
    head: d.id,
    skbs: skbsOfData(state, d.id),
    dataref: d.dataref,
    end: d.end,
    nr_frags: d.frags.length,
    frags: d.frags.map((f) => ({ page: f.page, offset: f.offset, size: f.size })),
    frag_list: d.frag_list,
    head_page: d.head_page,
    head_offset: d.head_offset,
    ubuf: d.zcopy?.ubuf ?? null,
    dont_orphan: d.zcopy?.dont_orphan ?? false,
    release: d.release,
    shared_frag: d.shared_frag,
    ...(d.managed_frag_refs ? { managed_frag_refs: true as const } : {}),
    ...(d.pure_zerocopy ? { pure_zerocopy: true as const } : {}),
  }));
  const pages: PageView[] = [...state.pages.values()].map((p) => ({
    name: p.name,
    owner: p.owner,
    origin: p.origin,
    refcount: p.refcount,
    holders: holdersOf(state, p.name),
    freed: p.freed,
    ...(p.pp !== undefined ? { pp: p.pp } : {}),
    ...(p.pp_in_pool ? { pp_in_pool: true as const } : {}),
  }));
  return {
    step: state.step,
    kernel: state.kernel,
    policy: state.policy,
    skbs,
    datas,
    pages,
    pipes: [...state.pipes.values()].map((p) => ({ name: p.name, bufs: p.bufs.map((b) => ({ ...b })) })),
    caches: state.caches,
    sockets: [...state.socks.values()].map((s) => ({ name: s.name, queue: [...s.queue], ...(s.family ? { family: s.family } : {}) })),
    devq: [...state.devq.keys()],
    ubufs: [...state.ubufs.values()].map((u) => ({
      name: u.name,
      kind: u.kind,
      refcnt: u.refcnt,
      dont_orphan: u.dont_orphan,
      buffer: u.buffer,
      callbacks: u.callbacks,
      zerocopy: u.zerocopy,
      ...(u.len !== undefined ? { len: u.len } : {}),
    })),
    buffers: [...state.buffers.values()].map((b) => ({
      name: b.id,
      skb: b.skb,
      pages: [...b.pages],
      armedAt: b.armedAt,
      completions: [...b.completions],
    })),
  };
}
