// SPDX-License-Identifier: GPL-2.0-only
/**
 * Name resolution and the derived views every operation needs:
 * skb_shinfo(), skb_headlen(), skb_cloned(), the holders of a page.
 */
import { fail, kernelCheck } from "./events";
import { mayBePinned } from "./pins";
import { queueHolding } from "./queues";
import type { Tx } from "./tx";
import type { Data, DataId, Page, PageId, Pipe, Skb, SkbId, Sock, SockId, State } from "./types";

export const DATAREF_SHIFT = 16;
export const DATAREF_MASK = 0xffff;

type Reader = Pick<Tx, "get" | "step">;

function missing(tx: Reader, name: string, kind: string, fn: string): never {
  const grave = tx.get("graves", name);
  if (grave && grave.step <= tx.step) {
    const isFree = /^(kfree_skb|consume_skb|kfree_skb_list|kfree_skb_partial|sk_eat_skb|pipe_release)$/.test(fn);
    return fail({
      kind: isFree ? "double-free" : "use-after-free",
      object: name,
      freedAtStep: grave.step,
      message: `${fn}: ${name} was freed at step ${grave.step}${isFree ? " (double free)" : " (use after free)"}`,
    });
  }
  return fail({ kind: "unknown-name", name, message: `${fn}: no ${kind} named ${name}` });
}

export function skbOf(tx: Reader, name: string, fn: string): Skb {
  return tx.get("skbs", name) ?? missing(tx, name, "skb", fn);
}

export function pageOf(tx: Reader, name: string, fn: string): Page {
  const page = tx.get("pages", name) ?? missing(tx, name, "page", fn);
  return page;
}

export function pipeOf(tx: Reader, name: string, fn: string): Pipe {
  return tx.get("pipes", name) ?? missing(tx, name, "pipe", fn);
}

export function sockOf(tx: Reader, name: string, fn: string): Sock {
  return tx.get("socks", name) ?? missing(tx, name, "socket", fn);
}

/** skb_shinfo(skb): the Data the skb's head points into. */
export function shinfo(tx: Pick<Tx, "get">, skb: Skb): Data {
  const data = tx.get("datas", skb.head);
  if (!data) throw new Error(`engine bug: ${skb.name} points at released Data ${skb.head}`);
  return data;
}

export const headlen = (skb: Skb): number => skb.len - skb.data_len;
export const tailOffset = (skb: Skb): number => skb.data + headlen(skb);
export const isNonlinear = (skb: Skb): boolean => skb.data_len > 0;
export const skbShared = (skb: Skb): boolean => skb.users !== 1;

/** skb_cloned(): cloned bit set and another skb still uses the Data. */
export function skbCloned(tx: Pick<Tx, "get">, skb: Skb): boolean {
  return skb.cloned && (shinfo(tx, skb).dataref & DATAREF_MASK) !== 1;
}

/** skb_tailroom(): zero for a nonlinear skb. */
export function tailroom(tx: Pick<Tx, "get">, skb: Skb): number {
  return isNonlinear(skb) ? 0 : shinfo(tx, skb).end - tailOffset(skb);
}

/** end - tail: the real space behind the tail, linear or not. */
export function tailSpace(tx: Pick<Tx, "get">, skb: Skb): number {
  return shinfo(tx, skb).end - tailOffset(skb);
}

/** Bytes in frags (__skb_pagelen without frag_list). */
export function pagelen(data: Data): number {
  let n = 0;
  for (const f of data.frags) n += f.size;
  return n;
}

/** A name that an assignment may introduce: never used before. */
export function assertNewName(tx: Reader & Pick<Tx, "has">, name: string, fn: string): void {
  const grave = tx.get("graves", name);
  const taken =
    tx.has("skbs", name) ||
    tx.has("pages", name) ||
    tx.has("pipes", name) ||
    tx.has("socks", name) ||
    tx.has("skbs", `${name}[0]`) ||
    (grave !== undefined && grave.step <= tx.step);
  if (taken) {
    fail({ kind: "name-taken", name, message: `${fn}: the name ${name} is already used in this trace` });
  }
}

export function assertUnshared(skb: Skb, fn: string): void {
  if (skbShared(skb)) kernelCheck(fn, "BUG_ON(skb_shared(skb))", `${skb.name} has users ${skb.users}`);
}

// ---------------------------------------------------------------------------
// Holders: every reference to a page, derived from the structure, so that the
// checker can compare it with the page's counter (conservation).

/** The holders of each page, as "caller", "h1.frags[0]", "h1.head", "q.bufs[0]". */
export function holdersIndex(state: Pick<State, "pages" | "datas" | "pipes" | "caches" | "kernel"> & Partial<Pick<State, "ubufs">>): Map<PageId, string[]> {
  const index = new Map<PageId, string[]>();
  const add = (page: PageId, holder: string) => {
    const list = index.get(page);
    if (list) list.push(holder);
    else index.set(page, [holder]);
  };
  for (const page of state.pages.values()) {
    for (let i = 0; i < page.caller; i++) add(page.name, "caller");
    if (page.pp_in_pool) add(page.name, poolHolder(page.pp));
  }
  for (const data of state.datas.values()) {
    if (data.head_page) add(data.head_page, `${data.id}.head`);
    // Managed frags (SKBFL_MANAGED_FRAG_REFS) hold no reference to count.
    if (!data.managed_frag_refs) data.frags.forEach((f, i) => add(f.page, `${data.id}.frags[${i}]`));
  }
  for (const pipe of state.pipes.values()) {
    pipe.bufs.forEach((b, i) => add(b.page, `${pipe.name}.bufs[${i}]`));
  }
  if (state.caches.pfrag) add(state.caches.pfrag.page, pfragHolder(state));
  for (const [page, holder] of pinsOf(state)) add(page, holder);
  return index;
}

/**
 * Who holds or maps the page: its counted holders, and managed frags
 * (SKBFL_MANAGED_FRAG_REFS), which map it without a reference of their own.
 */
export function holdersOf(state: HolderState, page: PageId): string[] {
  return pageHolders(state, page, true);
}

/**
 * The holders of one page as holdersIndex lists them (its counted holders:
 * managed frags left out), without indexing every page.
 */
export function countedHoldersOf(state: HolderState, page: PageId): string[] {
  return pageHolders(state, page, false);
}

type HolderState = Pick<State, "pages" | "datas" | "pipes" | "caches" | "kernel"> & Partial<Pick<State, "ubufs">>;

function pageHolders(state: HolderState, page: PageId, withManaged: boolean): string[] {
  const out: string[] = [];
  const p = state.pages.get(page);
  if (p) for (let i = 0; i < p.caller; i++) out.push("caller");
  if (p?.pp_in_pool) out.push(poolHolder(p.pp));
  for (const data of state.datas.values()) {
    if (data.head_page === page) out.push(`${data.id}.head`);
    if (withManaged || !data.managed_frag_refs)
      data.frags.forEach((f, i) => {
        if (f.page === page) out.push(`${data.id}.frags[${i}]`);
      });
  }
  for (const pipe of state.pipes.values()) {
    pipe.bufs.forEach((b, i) => {
      if (b.page === page) out.push(`${pipe.name}.bufs[${i}]`);
    });
  }
  if (state.caches.pfrag?.page === page) out.push(pfragHolder(state));
  if (state.ubufs && mayBePinned(state.ubufs, page)) for (const [p, holder] of pinsOf(state)) if (p === page) out.push(holder);
  return out;
}

/**
 * How many references the page's holders account for: holdersIndex's
 * count (managed frags hold none; an io_uring notification's pins do).
 */
export function holderCount(state: Pick<State, "pages" | "datas" | "pipes" | "caches"> & Partial<Pick<State, "ubufs">>, page: PageId): number {
  const p = state.pages.get(page);
  let n = (p?.caller ?? 0) + (p?.pp_in_pool ? 1 : 0);
  for (const data of state.datas.values()) {
    if (data.head_page === page) n++;
    if (!data.managed_frag_refs) for (const f of data.frags) if (f.page === page) n++;
  }
  if (state.ubufs && mayBePinned(state.ubufs, page)) for (const [p] of pinsOf(state)) if (p === page) n++;
  for (const pipe of state.pipes.values()) for (const b of pipe.bufs) if (b.page === page) n++;
  if (state.caches.pfrag?.page === page) n++;
  return n;
}

/** A recycled page's holder: its page_pool's ring (the pool's one reference). */
export function poolHolder(pool: string | undefined): string {
  return `${pool ?? "pool"}.ring`;
}

/** The pages io_uring notifications pin, with their holder names ("u1.pin"). */
function pinsOf(state: Partial<Pick<State, "ubufs">>): [PageId, string][] {
  const out: [PageId, string][] = [];
  if (!state.ubufs) return out;
  for (const u of state.ubufs.values()) for (const p of u.pins ?? []) out.push([p, `${u.name}.pin`]);
  return out;
}

/** The page frag splice copies linear bytes into, by its kernel name. */
export function pfragHolder(state: Pick<State, "kernel">): string {
  return state.kernel === "6.1" ? "task_frag" : "sk_sndmsg_page";
}

/** The skbs whose head is this Data. */
export function skbsOfData(state: Pick<State, "skbs">, data: DataId): SkbId[] {
  const out: SkbId[] = [];
  for (const skb of state.skbs.values()) if (skb.head === data) out.push(skb.name);
  return out;
}

/** The socket whose receive queue holds an skb, if any (the first, in table order). */
export function queueOf(state: Pick<State, "socks">, skb: SkbId): SockId | null {
  return queueHolding(state.socks, skb);
}
