// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_zcopy_set, msg_zerocopy_realloc - several skbs sharing one
 * MSG_ZEROCOPY ubuf_info: one sendmsg spread over several skbs, and a
 * later sendmsg extending the uarg of the write queue's tail. 6.1 only.
 *
 * Models net/ipv4/tcp.c tcp_sendmsg_locked() (6.1): uarg =
 * msg_zerocopy_realloc(sk, size, skb_zcopy(tail)) (l.1246), then for each
 * skb the loop fills (new_segment, l.1326) skb_zerocopy_iter_stream()
 * (l.1416; net/core/skbuff.c l.1473) -> skb_zcopy_set(skb, uarg, NULL)
 * (include/linux/skbuff.h l.1727: +1 unless the skb is zero-copy already),
 * and net_zcopy_put(uarg) when sendmsg returns (l.1469: one callback call,
 * -1). net/core/skbuff.c msg_zerocopy_realloc() (l.1329): a uarg whose
 * callback is not msg_zerocopy_callback gives NULL (-ENOBUFS); one whose
 * ids end at sk->sk_zckey is extended: uarg->len++ (the notification's id
 * range [id, id + len - 1] grows by one), sk_zckey++, and for SOCK_STREAM
 * net_zcopy_get() (+1: this sendmsg's own reference); otherwise
 * msg_zerocopy_alloc() (l.1292: refcnt 1, a new id).
 * __msg_zerocopy_callback() (l.1399) runs once, at refcnt zero: one
 * notification for the whole range, after the LAST skb released the uarg.
 *
 * The model's zerocopy_arm (policy msg-zerocopy) is the first sendmsg
 * whole: msg_zerocopy_alloc, skb_zcopy_set on its skb and net_zcopy_put at
 * once. skb_zcopy_set(b, a) continues that sendmsg into b: the refcounts
 * come out as the kernel's because a, which carries the uarg, is still
 * alive (TCP keeps it on the write queue until it is ACKed, and the ACK is
 * processed only after sendmsg releases the socket lock).
 * msg_zerocopy_realloc(b, a) is a later sendmsg(MSG_ZEROCOPY) whose bytes
 * go into b (b may be a itself, the tail skb): +1, skb_zcopy_set(b), -1.
 * Not modelled: the 512 KiB byte limit and a send in between (the caller
 * contract: the ids are contiguous), UDP's extra_uref (net/ipv4/
 * ip_output.c l.1050), mm_account_pinned_pages.
 *
 * Under a policy with no ubuf_info (page-refs, destructor,
 * shinfo-release) there is nothing to count: the owner's buffer armed on a
 * covers b's pages too (for both ops), and the policy's own mechanism,
 * armed on a alone, says whether that is enough.
 *
 * msg_zerocopy_realloc(b, a, false) is a datagram socket's extension
 * (UDP with MSG_MORE, __ip_append_data() net/ipv4/ip_output.c l.1047-1058):
 * no reference for the extension (l.1366: SOCK_STREAM only), extra_uref =
 * !skb_zcopy(skb) is false, skb_zcopy_set(b) takes one unless b carries
 * the uarg already, and nothing is put at the end. Catalogued fix
 * zerocopy-realloc-dgram-ref ("net: correct zerocopy refcnt with udp
 * MSG_MORE", 100f6d8e0990): before it the extension always took a
 * reference and extra_uref was always true, so an append to the corked
 * skb left one reference that no skb holds: the notification never came.
 */
import { armedOn } from "../model/armed";
import { kernelCheck, precondition } from "../model/events";
import { shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Skb, ZBuffer } from "../model/types";
import { ubufCallback } from "../policy/completion";
import { addOwnerPages, skbZcopySet } from "../policy/ubuf_info";
import { zerocopy_arm } from "./zerocopy_arm";
import { ownerOwns } from "../policy/registry";
import { fixed } from "../fixes/fixed";
import { defineOp, kw, type FuzzSpec } from "./spec";

/** The buffer the owner armed with the sendmsg that built `a`. */
const armedBuffer = (tx: Tx, a: Skb): ZBuffer | undefined => armedOn(tx.all("buffers"), a.name);

/** Whether a ubuf_info counts the buffer's notifications (one pass, no copy of a table a long trace grows). */
function hasUbuf(tx: Tx, zb: ZBuffer): boolean {
  for (const u of tx.all("ubufs").values()) if (u.buffer === zb.id) return true;
  return false;
}

export function skb_zcopy_set(tx: Tx, bName: string, aName: string): void {
  const a = skbOf(tx, aName, "skb_zcopy_set");
  skbOf(tx, bName, "skb_zcopy_set");
  const z = shinfo(tx, a).zcopy;
  if (z) {
    // skb_zcopy_set() itself is the same for any uarg; only MSG_ZEROCOPY's
    // sendmsg calls it over several skbs (tun gives each skb its own ubuf).
    skbZcopySet(tx, bName, z.ubuf);
    return;
  }
  const zb = armedBuffer(tx, a);
  if (!zb) precondition("skb_zcopy_set", `no sendmsg armed ${aName} (zerocopy_arm): there is no uarg to continue`);
  if (hasUbuf(tx, zb)) {
    precondition(
      "skb_zcopy_set",
      `${aName} no longer carries its sendmsg's uarg (its frags were copied): the model's sendmsg has already dropped its own reference`,
    );
  }
  tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `no ubuf_info under this policy: ${zb.id} now covers ${bName}'s pages too` });
  addOwnerPages(tx, zb.id, shinfo(tx, tx.get("skbs", bName)!), ownerOwns(tx.policy));
}

export function msg_zerocopy_realloc(tx: Tx, bName: string, aName: string, stream = true): void {
  const a = skbOf(tx, aName, "msg_zerocopy_realloc");
  skbOf(tx, bName, "msg_zerocopy_realloc");
  const z = shinfo(tx, a).zcopy;
  if (!z) {
    const zb = armedBuffer(tx, a);
    if (zb && !hasUbuf(tx, zb)) {
      // A policy with no ubuf_info: nothing to count, the owner's buffer covers b too.
      tx.emit({ kind: "substep", fn: "msg_zerocopy_realloc", text: `no ubuf_info under this policy: ${zb.id} now covers ${bName}'s pages too` });
      addOwnerPages(tx, zb.id, shinfo(tx, tx.get("skbs", bName)!), ownerOwns(tx.policy));
      return;
    }
    // skb_zcopy(tail) is NULL: new_alloc, a sendmsg of its own.
    tx.emit({ kind: "substep", fn: "msg_zerocopy_realloc", text: `${aName} carries no uarg to extend: a new one (msg_zerocopy_alloc), armed on ${bName}` });
    zerocopy_arm(tx, bName);
    return;
  }
  const u = tx.get("ubufs", z.ubuf)!;
  if (u.kind !== "msgzc") kernelCheck("msg_zerocopy_realloc", "uarg->callback != msg_zerocopy_callback", "returns NULL: sendmsg fails with -ENOBUFS");
  const len = (u.len ?? 1) + 1;
  // l.1366: "no extra ref when appending to datagram (MSG_MORE)"; before
  // 100f6d8e0990 the reference was taken for every socket type.
  const get = stream || !fixed(tx, "zerocopy-realloc-dgram-ref");
  tx.set("ubufs", u.name, { ...u, len, refcnt: u.refcnt + (get ? 1 : 0) });
  tx.emit({
    kind: "substep",
    fn: "msg_zerocopy_realloc",
    text: `${u.name} extended: uarg->len ${len} (one notification for ${len} sends), sk_zckey++${get ? `; net_zcopy_get: refcnt ${u.refcnt + 1}` : ""}`,
  });
  if (stream) {
    skbZcopySet(tx, bName, u.name);
    tx.emit({ kind: "substep", fn: "net_zcopy_put", text: "sendmsg returns: its own reference on the uarg is dropped" });
    ubufCallback(tx, u.name, true);
    return;
  }
  // __ip_append_data() (net/ipv4/ip_output.c 6.1 l.1050): extra_uref =
  // !skb_zcopy(skb), false here; before 100f6d8e0990 always true. The
  // extra reference passes to the first skb that joins; an append to the
  // corked skb itself joins nothing, and a datagram send puts nothing at
  // the end: a reference no skb holds stays behind.
  const extraUref = get;
  const bData = shinfo(tx, tx.get("skbs", bName)!);
  if (extraUref && !bData.zcopy) {
    tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${bName} takes the extra reference (have_ref): no net_zcopy_get` });
    skbZcopySet(tx, bName, u.name, true);
  } else {
    skbZcopySet(tx, bName, u.name);
    if (extraUref) tx.emit({ kind: "warn", fn: "__ip_append_data", text: `extra_uref is left over: ${u.name} keeps a reference that no skb holds` });
  }
}

// --- the registry's entries ----------------------------------------------------

/** Two skbs of the trace, the second the one that carries the uarg. */
const fuzzPair = (weight: number): FuzzSpec => ({
  weight,
  make: (c, d, fn) => {
    const b = c.skbArg(d[1]);
    const a = c.skbArg(d[2]);
    return a && b && c.state.kernel === "6.1" ? { fn, args: [b, a] } : null;
  },
});

const SENDMSG = "a sendmsg's move, as zerocopy_arm: the owner's, made in the trace's prefix";

export const skb_zcopy_set_spec = defineOp({
  fn: "skb_zcopy_set",
  params: ["skb", "skb"],
  names: ["skb", "with"],
  // void skb_zcopy_set(struct sk_buff *skb, struct ubuf_info *uarg, bool *have_ref): no integer.
  ctypes: [null, null],
  result: null,
  history: "MSG_ZEROCOPY since 4.14",
  kernels: ["6.1"],
  summary: "the same sendmsg goes on into another skb: it shares the uarg",
  group: "zero-copy",
  opcode: 67,
  docs: [
    {
      call: "skb_zcopy_set(b, a)",
      models:
        "6.1 only: `tcp_sendmsg_locked()` fills `b` too under the uarg that `a` carries: `skb_zcopy_set()` (+1 unless `b` is zero-copy already; another uarg: `-EEXIST`); the owner's buffer covers `b`'s pages",
    },
  ],
  search: { notSearchable: SENDMSG },
  fuzz: fuzzPair(1),
  oracle: "skb_zcopy_set",
  run: (tx, _r, a) => skb_zcopy_set(tx, a[0], a[1]),
});

export const msg_zerocopy_realloc_spec = defineOp({
  fn: "msg_zerocopy_realloc",
  params: ["skb", "skb", "bool"],
  names: ["skb", "tail", "stream"],
  // The bool is sk->sk_type == SOCK_STREAM (TCP); false: a datagram socket corked with MSG_MORE (__ip_append_data).
  ctypes: [null, null, "bool"],
  optional: 1,
  result: null,
  history: "MSG_ZEROCOPY since 4.14",
  kernels: ["6.1"],
  summary: "a later MSG_ZEROCOPY sendmsg extends the tail skb's uarg",
  group: "zero-copy",
  opcode: 68,
  docs: [
    {
      call: "msg_zerocopy_realloc(b, a)",
      models:
        "6.1 only: a later `sendmsg(MSG_ZEROCOPY)` on TCP: `msg_zerocopy_realloc()` extends the uarg `a` carries (`len`+1, +1), `skb_zcopy_set(b)`, `net_zcopy_put()` (-1): one notification after the last skb; no uarg on `a`: a new one, as `zerocopy_arm(b)`",
    },
    {
      call: "msg_zerocopy_realloc(b, a, false)",
      models:
        "a UDP `sendmsg(MSG_ZEROCOPY | MSG_MORE)` appending to the corked datagram: `len`+1 with no reference (`SOCK_STREAM` only takes one), `skb_zcopy_set(b)` (+1 unless `b` carries the uarg already), nothing put at the end",
    },
  ],
  search: { notSearchable: SENDMSG },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const b = c.skbArg(d[1]);
      const a = c.skbArg(d[2]);
      return a && b && c.state.kernel === "6.1" ? { fn, args: [b, a, ...(d[3] % 3 ? [] : [kw(d[4] % 2 ? "true" : "false")])] } : null;
    },
  },
  oracle: {
    notRecordable:
      "msg_zerocopy_realloc is exported, but it extends only a uarg whose callback is msg_zerocopy_callback (one msg_zerocopy_alloc made on a locked SOCK_ZEROCOPY socket); the oracle's ubufs carry the oracle's own callback, which is how it observes completions, so the function would return NULL",
  },
  run: (tx, _r, a) => msg_zerocopy_realloc(tx, a[0], a[1], a[2] ?? true),
});
