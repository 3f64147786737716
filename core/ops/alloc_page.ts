// SPDX-License-Identifier: GPL-2.0-only
/**
 * alloc_page, get_page, put_page: page references, and the owner's reuse.
 *
 * Models include/linux/mm.h get_page()/put_page() (6.1; 2.6.32 the same
 * counting). A guest page's count here is the host's references only: the
 * guest's own mapping is a baseline that is not counted, so dropping to
 * zero returns the page to its owner rather than to the allocator. A host
 * page at zero goes back to the page allocator.
 */
import { fail, precondition } from "../model/events";
import { assertNewName, holdersOf, pageOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId, PageOrigin, PageOwner } from "../model/types";
import { completionPolicy } from "../policy/registry";
import { pinPut } from "../policy/completion";
import { defineOp, kw, ref } from "./spec";

/** get_page(): one more reference, for a holder the caller names. */
export function pageGet(tx: Tx, id: PageId, fn: string): void {
  const page = pageOf(tx, id, fn);
  if (page.freed) {
    fail({
      kind: "use-after-free",
      object: id,
      freedAtStep: tx.step,
      message: `${fn}: get_page(${id}) on a page already returned to the allocator`,
    });
  }
  tx.set("pages", id, { ...page, refcount: page.refcount + 1 });
}

/**
 * put_page(): drop one reference. The caller has already detached the
 * holder (descriptor, pipe buffer), so the holders seen at zero are the
 * ones still left: any of them now points at a freed page.
 */
export function pagePut(tx: Tx, id: PageId, by: string): void {
  const page = tx.get("pages", id);
  if (!page) return;
  if (page.refcount <= 0) {
    tx.emit({ kind: "refcount_underflow", page: id, by });
    return;
  }
  const refcount = page.refcount - 1;
  // A NAPI cache still carving this page keeps it (its own references are
  // not counted); a guest page goes back to its owner.
  const cached = tx.caches.napi?.page === id || tx.caches.napi_small?.page === id;
  const freed = refcount === 0 && page.owner === "host" && !cached;
  tx.set("pages", id, { ...page, refcount, freed });
  if (refcount === 0) {
    if (!freed) return page.owner === "guest" ? completionPolicy(tx.policy).onPageIdle?.(tx, id) : undefined;
    const holders = holdersOf(tx.view(), id);
    tx.emit({ kind: "page_freed", page: id, holders });
    // A freed page nobody points at leaves the model; its name is a grave.
    // One still pointed at stays, marked freed, to show the dangling holder.
    if (holders.length === 0) {
      tx.delete("pages", id);
      tx.set("graves", id, { kind: "page", step: tx.step });
    }
  }
}

// An io_uring notification's pins are put as any page reference is.
pinPut.fn = pagePut;

/** A page the kernel allocates itself (copies, head fragments). */
export function newKernelPage(tx: Tx, origin: PageOrigin, refcount = 1): PageId {
  let n = tx.counters.kpage;
  let id: PageId;
  // k1, k2, ...: skip a name the trace itself gave a page.
  do id = `k${++n}` as PageId;
  while (tx.has("pages", id));
  tx.counters = { ...tx.counters, kpage: n };
  tx.set("pages", id, { name: id, owner: "host", origin, refcount, caller: 0, freed: false });
  return id;
}

/** Hand the caller's reference over to a new holder (skb_fill_page_desc). */
export function takeCallerRef(tx: Tx, id: PageId): void {
  const page = tx.get("pages", id);
  // With no reference to hand over the descriptor holds one nobody had:
  // the checker sees the page (conservation) either way.
  tx.touch(id);
  if (page && page.caller > 0) tx.set("pages", id, { ...page, caller: page.caller - 1 });
}

// --- trace operations --------------------------------------------------------

export function alloc_page(tx: Tx, result: string, owner: PageOwner): void {
  assertNewName(tx, result, "alloc_page");
  tx.set("pages", result, {
    name: result as PageId,
    owner,
    origin: "alloc",
    refcount: 1,
    caller: 1,
    freed: false,
  });
}

export function get_page(tx: Tx, id: PageId): void {
  refuseRingPage(tx, id, "get_page");
  pageGet(tx, id, "get_page");
  const page = pageOf(tx, id, "get_page");
  tx.set("pages", id, { ...page, caller: page.caller + 1 });
}

/**
 * A page_pool page recycled into its ring is the pool's (the driver gave
 * its reference back with page_pool_put_full_page): the trace's caller
 * holds no pointer it may use, so taking or attaching the page is refused.
 */
export function refuseRingPage(tx: Tx, id: PageId, fn: string): void {
  const page = pageOf(tx, id, fn);
  if (page.pp_in_pool) precondition(fn, `${id} went back to page_pool ${page.pp}'s ring (recycled): the caller gave its reference back`);
}

export function put_page(tx: Tx, id: PageId): void {
  const page = pageOf(tx, id, "put_page");
  // The caller drops a reference it may not hold: the count still falls
  // (as in the kernel), and the checker reports the broken conservation.
  tx.set("pages", id, { ...page, caller: Math.max(0, page.caller - 1) });
  pagePut(tx, id, "put_page");
}

export function owner_reuse(tx: Tx, id: PageId): void {
  const page = pageOf(tx, id, "owner_reuse");
  tx.emit({ kind: "owner_reuse", page: id, holders: holdersOf(tx.view(), id) });
  if (page.owner !== "guest") {
    tx.emit({ kind: "warn", fn: "owner_reuse", text: `${id} is a host page; its owner is the kernel` });
  }
}

// --- the registry's entries ----------------------------------------------------

const pageOnly = { params: ["page"], names: ["page"], ctypes: [null], result: null } as const;
/** The owner's and the caller's own moves: the search's kernel paths never make them. */
const OWNER_MOVE = "the trace's caller never takes, drops or reuses pages of its own in a search: those are the owner's moves, not the kernel's";

export const alloc_page_spec = defineOp({
  fn: "alloc_page",
  params: ["owner"],
  names: ["owner"],
  ctypes: [null],
  result: "page",
  summary: "map a guest page / allocate a host page (one reference, the caller's)",
  group: "allocate",
  opcode: 0,
  docs: [
    {
      call: "p = alloc_page(guest)",
      models:
        "the host maps one guest page (`get_user_pages`: one reference, held by the caller until handed to a frag). The guest's own mapping is a baseline that is not counted.",
    },
    { call: "p = alloc_page(host)", models: "`alloc_page()`: a kernel page, one reference held by the caller" },
  ],
  search: { notSearchable: "the search starts from a prefix that maps the owner's pages; new pages would only be the caller's own" },
  fuzz: { weight: 3, make: (c, d) => ({ fn: "alloc_page", result: c.fresh("p"), args: [kw(d[1] % 3 === 0 ? "host" : "guest")] }) },
  oracle: "alloc_page",
  run: (tx, r, a) => alloc_page(tx, r!, a[0]),
});

export const get_page_spec = defineOp({
  ...pageOnly,
  fn: "get_page",
  summary: "the caller takes a page reference",
  group: "reference",
  opcode: 1,
  docs: [{ call: "get_page(p)", models: "the caller takes one reference (`get_page()`)" }],
  search: { notSearchable: OWNER_MOVE },
  fuzz: {
    weight: 2,
    make: (c, d) => {
      const p = c.page(d[1]);
      return p ? { fn: "get_page", args: [ref(p)] } : null;
    },
  },
  oracle: "get_page",
  run: (tx, _r, a) => get_page(tx, a[0]),
});

export const put_page_spec = defineOp({
  ...pageOnly,
  fn: "put_page",
  summary: "the caller drops a page reference",
  group: "reference",
  opcode: 2,
  docs: [{ call: "put_page(p)", models: "the caller drops one reference (`put_page()`)" }],
  search: { notSearchable: OWNER_MOVE },
  fuzz: {
    weight: 1,
    callerRef: 0,
    // Only a reference the caller holds: dropping another breaks conservation by design.
    make: (c, d) => {
      const p = c.page(d[1]);
      return p && c.state.pages.get(p as PageId)!.caller > 0 ? { fn: "put_page", args: [ref(p)] } : null;
    },
  },
  oracle: "put_page",
  run: (tx, _r, a) => put_page(tx, a[0]),
});

export const owner_reuse_spec = defineOp({
  ...pageOnly,
  fn: "owner_reuse",
  summary: "the owner writes new data into its page",
  group: "zero-copy",
  opcode: 3,
  docs: [{ call: "owner_reuse(p)", models: "the owner (guest or user process) writes new data into `p` (alias `guest_write`)" }],
  search: { notSearchable: "the owner never reuses a page before it is told complete: reuse is what a counterexample ends in, not a step toward one" },
  fuzz: {
    weight: 1,
    make: (c, d) => {
      const p = c.page(d[1]);
      return p ? { fn: "owner_reuse", args: [ref(p)] } : null;
    },
  },
  oracle: "owner_reuse",
  run: (tx, _r, a) => owner_reuse(tx, a[0]),
});
