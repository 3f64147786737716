/**
 * alloc_page, get_page, put_page: page references, and the owner's reuse.
 *
 * Models include/linux/mm.h get_page()/put_page() (6.1; 2.6.32 the same
 * counting). A guest page's count here is the host's references only: the
 * guest's own mapping is a baseline that is not counted, so dropping to
 * zero returns the page to its owner rather than to the allocator. A host
 * page at zero goes back to the page allocator.
 */
import { fail } from "../model/events";
import { assertNewName, holdersOf, pageOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId, PageOrigin, PageOwner } from "../model/types";
import { completionPolicy } from "../policy/registry";

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
  pageGet(tx, id, "get_page");
  const page = pageOf(tx, id, "get_page");
  tx.set("pages", id, { ...page, caller: page.caller + 1 });
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
