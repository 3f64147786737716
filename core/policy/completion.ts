// SPDX-License-Identifier: GPL-2.0-only
/**
 * Completion hooks: the places where a policy's mechanism tells the owner
 * that a zero-copy buffer is done. Each hook records a "completion" event
 * with the host holders of the buffer's pages at that very instant, so a
 * completion in the middle of a composite operation (2.6.32
 * __pskb_pull_tail: expand, release fires, then the copy reads the page)
 * is judged at the moment it happens, not at the end of the step.
 */
import { holdersOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import { fixed } from "../fixes/fixed";
import type { BufferId, PageId, SkbId, UbufId } from "../model/types";

export function hostHolders(tx: Tx, buffer: BufferId): string[] {
  const zb = tx.get("buffers", buffer);
  if (!zb) return [];
  const view = tx.view();
  const out: string[] = [];
  for (const page of zb.pages) {
    for (const h of holdersOf(view, page)) out.push(`${page}:${h}`);
  }
  return out;
}

export function complete(tx: Tx, buffer: BufferId, via: string, success = true, holders?: readonly string[]): void {
  const zb = tx.get("buffers", buffer);
  if (!zb) return;
  tx.emit({ kind: "completion", buffer, via, success, holders: holders ?? hostHolders(tx, buffer) });
  tx.set("buffers", buffer, { ...zb, completions: [...zb.completions, tx.step] });
}

/**
 * skb->destructor ran (skb_release_head_state, skb_orphan). When the skb is
 * being freed, the caller judges the completion after skb_release_data()
 * of the same free (`deferred`): those puts never read the data. Returns
 * the buffer whose completion is owed, if any.
 */
export function destructorRan(tx: Tx, skb: SkbId, deferred = false): BufferId | null {
  const rec = tx.get("skbs", skb);
  const d = rec?.destructor;
  if (!d) return null;
  tx.emit({ kind: "destructor", skb, fn: d.fn });
  if (d.fn !== "zerocopy_complete") return null;
  if (!deferred) complete(tx, d.buffer, `${skb}->destructor`);
  return d.buffer;
}

/**
 * One call of uarg->callback(skb, uarg, success): in 6.1 every call drops
 * one reference (msg_zerocopy_callback; vhost_zerocopy_callback since
 * 6.1.180), and the owner hears at zero.
 */
export function ubufCallback(tx: Tx, ubuf: UbufId, success: boolean): void {
  const u = tx.get("ubufs", ubuf);
  if (!u) return;
  const refcnt = u.refcnt - 1;
  const zerocopy = u.zerocopy && success;
  tx.set("ubufs", ubuf, { ...u, refcnt, zerocopy, callbacks: u.callbacks + 1 });
  tx.emit({ kind: "ubuf_callback", ubuf, success, refcnt });
  // Before "vhost/net: complete zerocopy ubufs only once" (6.1.180) the
  // vhost callback completed on every call, whatever the refcnt.
  const vhostEveryCall = u.kind === "vhost" && !fixed(tx, "vhost-complete-once");
  if (u.kind === "io-notif") {
    if (refcnt === 0) ioNotifComplete(tx, ubuf, zerocopy);
    else if (refcnt < 0) tx.emit({ kind: "warn", fn: "refcount_t", text: `${ubuf}->refcnt underflow` });
    return;
  }
  if (refcnt === 0 || vhostEveryCall) {
    const via = u.kind === "vhost" ? "vhost_zerocopy_callback" : "msg_zerocopy_callback";
    complete(tx, u.buffer, zerocopy ? via : `${via} (COPIED)`, zerocopy);
  } else if (refcnt < 0) {
    tx.emit({ kind: "warn", fn: "refcount_t", text: `${ubuf}->refcnt underflow` });
  }
}

/**
 * io_uring_tx_zerocopy_callback() reached refcnt zero (6.1 io_uring/notif.c
 * l.28-46): __io_notif_complete_tw posts the notification CQE and
 * io_req_task_complete() frees the request, dropping its rsrc node and with
 * it the registered buffer's pins (the model's registered buffer lives as
 * long as the notifications that use it). Both happen in one task work
 * before the user runs, so the CQE is judged after the pins are gone. A
 * silent notif (another policy) drops its pins without telling the owner.
 */
function ioNotifComplete(tx: Tx, ubuf: UbufId, zerocopy: boolean): void {
  const u = tx.get("ubufs", ubuf)!;
  const { pins = [], ...rest } = u;
  if (pins.length) {
    tx.set("ubufs", ubuf, rest);
    tx.emit({ kind: "substep", fn: "io_req_task_complete", text: `${ubuf}'s rsrc node goes: the registered buffer's pins on ${pins.join(", ")} are dropped` });
    for (const p of pins) pinPut.fn?.(tx, p, `${ubuf}.pin`);
  }
  if (!u.silent) complete(tx, u.buffer, zerocopy ? "io_notif_complete" : "io_notif_complete (IORING_NOTIF_USAGE_ZC_COPIED)", zerocopy);
}

/** io_notif_flush() (6.1 notif.c l.74-83): the master reference goes; no callback call. */
export function ioNotifFlush(tx: Tx, ubuf: UbufId): void {
  const u = tx.get("ubufs", ubuf);
  if (!u) return;
  const refcnt = u.refcnt - 1;
  tx.set("ubufs", ubuf, { ...u, refcnt });
  if (refcnt === 0) ioNotifComplete(tx, ubuf, u.zerocopy);
}

/**
 * put_page() for a notification's pins, bound by core/ops/alloc_page.ts
 * when it loads (it imports the policy registry, which imports this file,
 * so this file cannot import it back).
 */
export const pinPut: { fn: ((tx: Tx, page: PageId, by: string) => void) | null } = { fn: null };

export function ubufGet(tx: Tx, ubuf: UbufId): void {
  const u = tx.get("ubufs", ubuf);
  if (u) tx.set("ubufs", ubuf, { ...u, refcnt: u.refcnt + 1 });
}
