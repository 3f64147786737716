// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_get, kfree_skb, consume_skb, kfree_skb_list, __kfree_skb: references
 * to the struct, and what the last one releases.
 *
 * Models net/core/skbuff.c (6.1): skb_unref (skbuff.h l.1231),
 * kfree_skb_reason l.885, consume_skb l.1032, __kfree_skb l.868,
 * skb_release_head_state l.838, skb_release_data l.766, skb_free_head
 * l.753, kfree_skbmem l.808. 2.6.32: kfree_skb l.446, consume_skb l.466,
 * skb_release_head_state l.396, skb_release_data l.339, kfree_skbmem l.360.
 *
 * Order on the last reference: the destructor, then the Data (only if this
 * was its last skb: dataref minus 1, or minus 0x10001 for a nohdr skb, and
 * only when skb->cloned; an uncloned skb releases its Data outright), then
 * the struct (fclone pairs free together).
 * Releasing a Data, 6.1: zero-copy callback, frag pages, frag_list, head.
 * 2.6.32: frag pages, frag_list, [seed patch: release()], head.
 */
import { DATAREF_SHIFT, skbOf } from "../model/lookup";
import { queuesHolding } from "../model/queues";
import type { Tx } from "../model/tx";
import type { BufferId, Data, Skb, SkbId, State } from "../model/types";
import { complete, destructorRan, ubufCallback } from "../policy/completion";
import { pagePut } from "./alloc_page";
import { skbFragUnref } from "../kernel/page_pool";
import { fixed } from "../fixes/fixed";
import { defineOp, eachFree, fuzzOneSkb, ref, step, type FuzzSpec } from "./spec";

/**
 * skb_release_head_state(): the destructor runs, once. With `deferred`, a
 * zero-copy completion it owes is returned for the caller to judge later.
 */
export function skbReleaseHeadState(tx: Tx, skb: Skb, deferred = false): { skb: Skb; owed: BufferId | null } {
  if (!skb.destructor) return { skb, owed: null };
  const owed = destructorRan(tx, skb.name, deferred);
  const after = { ...skb, destructor: null, sk: null };
  tx.set("skbs", skb.name, after);
  return { skb: after, owed };
}

/**
 * skb_release_data(): drop this skb's reference on its Data; release the
 * Data when it was the last one. Returns whether the Data was released.
 */
export function skbReleaseData(tx: Tx, skb: Skb, why = "skb_release_data"): boolean {
  const data = tx.get("datas", skb.head);
  if (!data) return false;
  if (skb.cloned) {
    const dataref = (data.dataref - (skb.nohdr ? (1 << DATAREF_SHIFT) + 1 : 1)) >>> 0;
    if (dataref !== 0) {
      tx.set("datas", data.id, { ...data, dataref });
      ppRecycleExit(tx, skb.name);
      return false;
    }
  }
  releaseWholeData(tx, data, skb.name, why);
  return true;
}

/**
 * The `exit:` label of skb_release_data() (6.1 l.792-802): a clone that is
 * not the last gives up pp_recycle, so that only the skb that drops the
 * last dataref recycles the frags ("skbuff: Fix a potential race while
 * recycling page_pool packets"). The kernel clears the bit after a full
 * release too; there the skb is being freed (6.1 callers: kfree, and
 * pskb_expand_head, which releases a shared Data only), so the model
 * clears it on this path alone.
 *
 * Without the fix the early exit was a plain `return;` and the clone kept
 * pp_recycle. What the model shows then is the sequential state the patch
 * describes: after pskb_expand_head() of such a clone, two Datas map the
 * page and both their skbs would recycle it; the first to drop it sees
 * an elevated refcount and releases the page from the pool while the
 * other still maps it with pp_recycle set (a `premature` finding under
 * the page-pool policy). Not modelled: the concurrent interleaving itself
 * (both CPUs reading page_ref_count() before either put), which the model
 * cannot express because its steps do not overlap.
 */
function ppRecycleExit(tx: Tx, name: SkbId): void {
  const skb = tx.get("skbs", name);
  if (!skb?.pp_recycle || !fixed(tx, "pp-recycle-last-clone")) return;
  tx.set("skbs", name, { ...skb, pp_recycle: false });
}

/** The Data's last reference is gone: free everything it holds. */
export function releaseWholeData(tx: Tx, data: Data, skb: SkbId, why: string): void {
  // Detach first, so the holders seen by any completion are those left.
  tx.delete("datas", data.id);
  tx.emit({ kind: "data_released", data: data.id });
  if (data.head_stolen) {
    tx.emit({
      kind: "dangling",
      object: data.id,
      holder: "skb_try_coalesce",
      text: `${skb}'s head was stolen by skb_try_coalesce and is now another skb's frag; only kfree_skb_partial(${skb}, true) may free ${skb}`,
    });
  }
  if (tx.kernel === "6.1" && data.zcopy) {
    tx.emit({
      kind: "substep",
      fn: "skb_zcopy_clear",
      text: `${why}: the zero-copy callback runs before the page puts; judged after them, as the puts never read the data`,
    });
  }
  // __skb_frag_unref(frag, skb->pp_recycle): page_pool pages go back to their pool.
  const recycle = tx.kernel === "6.1" && tx.get("skbs", skb)?.pp_recycle === true;
  // skip_unref (6.1 l.776-781): managed frags took no page reference, so
  // none is put; before the managed-frags patch every frag was put.
  const skipUnref = tx.kernel === "6.1" && !!data.zcopy && !!data.managed_frag_refs && fixed(tx, "managed-skip-unref");
  if (skipUnref) tx.emit({ kind: "substep", fn: "skb_release_data", text: `${data.id} has SKBFL_MANAGED_FRAG_REFS: skip_unref, no frag page is put` });
  else data.frags.forEach((f, i) => skbFragUnref(tx, f.page, recycle, `${data.id}.frags[${i}]`));
  for (const member of data.frag_list) kfreeSkbRef(tx, member, `${data.id}.frag_list`);
  if (data.release) {
    // Seed patch (2.6.32 l.352+): release(skb) after the frag_list drop,
    // before kfree(skb->head).
    tx.emit({ kind: "release", data: data.id, buffer: data.release });
    complete(tx, data.release, `skb_shinfo(${skb})->release`);
  }
  if (data.head_page) pagePut(tx, data.head_page, `${data.id}.head`);
  if (tx.kernel === "6.1" && data.zcopy) ubufCallback(tx, data.zcopy.ubuf, true);
}

/** kfree_skbmem(): the struct goes; an fclone pair goes with its last half. */
function kfreeSkbmem(tx: Tx, skb: Skb): void {
  reportDangling(tx, skb.name);
  if (skb.fclonePair) {
    const ref = tx.get("fclones", skb.fclonePair) ?? 1;
    if (ref <= 1) tx.delete("fclones", skb.fclonePair);
    else tx.set("fclones", skb.fclonePair, ref - 1);
  }
  tx.delete("skbs", skb.name);
  tx.set("graves", skb.name, { kind: "skb", step: tx.step });
  tx.emit({ kind: "skb_freed", skb: skb.name });
}

/**
 * A struct freed while a frag_list or a receive queue still links it: the
 * kernel would leave a dangling pointer there (and use it later).
 */
export function reportDangling(tx: Tx, name: SkbId): void {
  for (const d of tx.all("datas").values()) {
    if (d.frag_list.includes(name)) {
      tx.emit({ kind: "dangling", object: name, holder: `${d.id}.frag_list`, text: `${name} is freed while the frag_list of ${d.id} still links it` });
    }
  }
  for (const sock of queuesHolding(tx.all("socks"), name)) {
    tx.emit({ kind: "dangling", object: name, holder: `${sock}.queue`, text: `${name} is freed while ${sock}'s receive queue still holds it` });
  }
  if (tx.has("devq", name)) {
    tx.emit({ kind: "dangling", object: name, holder: "dev.queue", text: `${name} is freed while the device's transmit queue still holds it` });
  }
}

/** __kfree_skb(): free now, whatever users says. */
export function freeSkbNow(tx: Tx, skb: Skb): void {
  const { skb: after, owed } = skbReleaseHeadState(tx, skb, true);
  skbReleaseData(tx, after);
  kfreeSkbmem(tx, after);
  if (owed) {
    tx.emit({
      kind: "substep",
      fn: "__kfree_skb",
      text: `${skb.name}->destructor ran before skb_release_data(); judged after it, in the same free`,
    });
    complete(tx, owed, `${skb.name}->destructor`);
  }
}

/** kfree_skb()/consume_skb() on an skb we hold by name (frag_list, queues). */
export function kfreeSkbRef(tx: Tx, name: SkbId, by: string): void {
  const skb = tx.get("skbs", name);
  if (!skb) {
    tx.emit({ kind: "warn", fn: "kfree_skb", text: `${by} drops ${name}, which is already freed` });
    return;
  }
  // skb_unref(): users == 1 frees without decrementing.
  if (skb.users !== 1) {
    tx.set("skbs", name, { ...skb, users: skb.users - 1 });
    return;
  }
  freeSkbNow(tx, skb);
}

// --- trace operations --------------------------------------------------------

export function skb_get(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "skb_get");
  tx.set("skbs", name, { ...skb, users: skb.users + 1 });
}

export function kfree_skb(tx: Tx, name: string): void {
  kfreeSkbRef(tx, skbOf(tx, name, "kfree_skb").name, "kfree_skb");
}

export function consume_skb(tx: Tx, name: string): void {
  kfreeSkbRef(tx, skbOf(tx, name, "consume_skb").name, "consume_skb");
}

/** kfree_skb_list(segs): kfree_skb on each segment in list order. */
export function kfree_skb_list(tx: Tx, list: string): void {
  const members = segmentNames(tx, list);
  if (members.length === 0) skbOf(tx, `${list}[0]`, "kfree_skb_list");
  for (const m of members) kfreeSkbRef(tx, skbOf(tx, m, "kfree_skb_list").name, "kfree_skb_list");
}

/** The names skb_segment gave: list[0], list[1], ... */
export function segmentNames(tx: Pick<Tx, "has" | "get" | "step">, list: string): string[] {
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const name = `${list}[${i}]`;
    const grave = tx.get("graves", name);
    if (!tx.has("skbs", name) && !(grave && grave.step <= tx.step)) break;
    out.push(name);
  }
  return out;
}

// --- the registry's entries ----------------------------------------------------

const skbOnly = { params: ["skb"], names: ["skb"], ctypes: [null], result: null } as const;
/** A free of a caller's skb; one time in sixteen an unknown name (error paths). */
const freeFuzz = (weight: number): FuzzSpec => ({
  weight,
  make: (c, d, fn) => {
    const name = d[1] % 16 === 15 ? "zz" : c.freeable(d[1]);
    return name ? { fn, args: [ref(name)] } : null;
  },
});

export const skb_get_spec = defineOp({
  ...skbOnly,
  fn: "skb_get",
  summary: "users + 1",
  group: "reference",
  opcode: 14,
  docs: [{ call: "skb_get(a)", models: "`skb_get()`" }],
  search: { role: "base", order: 1, steps: eachFree },
  fuzz: fuzzOneSkb(1),
  oracle: "skb_get",
  run: (tx, _r, a) => skb_get(tx, a[0]),
});

export const kfree_skb_spec = defineOp({
  ...skbOnly,
  fn: "kfree_skb",
  summary: "drop a reference; free at the last",
  group: "reference",
  opcode: 15,
  docs: [{ call: "kfree_skb(a)", models: "`kfree_skb()`: drop a reference; free at the last" }],
  search: { role: "base", order: 2, steps: eachFree },
  fuzz: freeFuzz(3),
  oracle: "kfree_skb",
  run: (tx, _r, a) => kfree_skb(tx, a[0]),
});

export const consume_skb_spec = defineOp({
  ...skbOnly,
  fn: "consume_skb",
  summary: "drop a reference; free at the last",
  group: "reference",
  opcode: 16,
  docs: [{ call: "consume_skb(a)", models: "`consume_skb()`: as `kfree_skb()`, for an skb that was not dropped" }],
  search: { notSearchable: "the same lifetime as kfree_skb, which the menu tries" },
  fuzz: freeFuzz(1),
  oracle: "consume_skb",
  run: (tx, _r, a) => consume_skb(tx, a[0]),
});

/** Segment lists of a state (name -> member names, dead members included). */
function segmentLists(state: State): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  // By name, not table order: a step's index among the candidates must
  // depend on the state alone (the search names steps by that index).
  for (const name of [...state.skbs.keys()].sort()) {
    const m = /^(.+)\[(\d+)\]$/.exec(name);
    if (!m || lists.has(m[1])) continue;
    const members: string[] = [];
    for (let i = 0; ; i++) {
      const member = `${m[1]}[${i}]`;
      if (!state.skbs.has(member as SkbId) && !state.graves.has(member)) break;
      members.push(member);
    }
    lists.set(m[1], members);
  }
  return lists;
}

export const kfree_skb_list_spec = defineOp({
  fn: "kfree_skb_list",
  params: ["list"],
  names: ["segs"],
  ctypes: [null],
  result: null,
  summary: "kfree_skb each segment of a list",
  group: "reference",
  opcode: 17,
  docs: [{ call: "kfree_skb_list(segs)", models: "`kfree_skb_list()` on a segment list" }],
  search: {
    role: "base",
    order: 3,
    steps: (m, fn) =>
      [...segmentLists(m.state)]
        .filter(([, members]) => members.every((x) => m.state.skbs.has(x as SkbId) && !m.queuedOn.has(x as SkbId) && !m.listed.has(x as SkbId)))
        .map(([list]) => step(fn, [ref(list)])),
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const list = c.pick([...segmentLists(c.state).keys()], d[1]);
      return list ? { fn, args: [ref(list)] } : null;
    },
  },
  oracle: "kfree_skb_list",
  run: (tx, _r, a) => kfree_skb_list(tx, a[0]),
});
