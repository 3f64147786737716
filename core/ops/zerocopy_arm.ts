/**
 * zerocopy_arm - the owner of the guest (or user) pages in an skb arms the
 * completion mechanism of the trace's policy.
 *
 * page-refs: nothing in the kernel; the owner hears when no host reference
 *   to any of the pages is left (the oracle).
 * destructor: skb->destructor of this skb (the 2.6.32 AF_PACKET TX ring way).
 * shinfo-release: the seed patch, skb_shinfo(skb)->release and ->priv.
 * ubuf-orphan (6.1): a vhost-style ubuf_info: refcnt 1, SKBFL_ZEROCOPY_FRAG
 *   without SKBFL_DONT_ORPHAN, installed with skb_zcopy_init() (tun hands
 *   over the initial reference: drivers/net/tun.c tun_get_user).
 * msg-zerocopy (6.1): msg_zerocopy_alloc() (refcnt 1, ZEROCOPY_FRAG |
 *   DONT_ORPHAN), skb_zcopy_set() (+1, unless the skb is already zero-copy:
 *   then nothing), and net_zcopy_put() at the end of sendmsg (one callback
 *   call: -1). A second arm therefore completes at once.
 * An skb with no guest page can be armed; its buffer protects nothing.
 */
import { kernelCheck, precondition } from "../model/events";
import { shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { BufferId, PageId, Ubuf, UbufId } from "../model/types";
import { ubufCallback } from "../policy/completion";
import { defineOp, fuzzOneSkb } from "./spec";

export function zerocopy_arm(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "zerocopy_arm");
  const data = shinfo(tx, skb);
  const pages: PageId[] = [];
  for (const f of data.frags) {
    const page = tx.get("pages", f.page);
    if (page?.owner === "guest" && !pages.includes(f.page)) pages.push(f.page);
  }
  if (pages.length === 0) {
    tx.emit({ kind: "warn", fn: "zerocopy_arm", text: `${name} carries no guest page in its frags: the buffer protects nothing` });
  }
  const n = tx.counters.buffer + 1;
  tx.counters = { ...tx.counters, buffer: n };
  const id = `z${n}` as BufferId;
  tx.set("buffers", id, { id, skb: skb.name, pages, armedAt: tx.step, completions: [] });

  switch (tx.policy) {
    case "page-refs":
      return;
    case "destructor":
      if (skb.destructor) precondition("zerocopy_arm", `${name} already has a destructor (${skb.destructor.fn})`);
      tx.set("skbs", name, { ...skb, destructor: { fn: "zerocopy_complete", buffer: id } });
      return;
    case "shinfo-release":
      if (data.release) precondition("zerocopy_arm", `skb_shinfo(${name})->release is already set`);
      tx.set("datas", data.id, { ...data, release: id });
      return;
    case "ubuf-orphan":
    case "msg-zerocopy": {
      if (tx.kernel !== "6.1") {
        kernelCheck("zerocopy_arm", "ubuf_info", `policy ${tx.policy} models 6.1 code; ubuf_info did not exist in 2.6.32`);
      }
      const msgzc = tx.policy === "msg-zerocopy";
      // skb_zcopy_set() leaves an skb that is already zero-copy alone; tun's
      // skb_zcopy_init() would overwrite its ubuf: no caller does that.
      if (data.zcopy && !msgzc) precondition("zerocopy_arm", `${name} is already zero-copy`);
      const un = tx.counters.ubuf + 1;
      tx.counters = { ...tx.counters, ubuf: un };
      const joins = !data.zcopy;
      const ubuf: Ubuf = {
        name: `u${un}` as UbufId,
        kind: msgzc ? "msgzc" : "vhost",
        refcnt: msgzc && joins ? 2 : 1,
        dont_orphan: msgzc,
        buffer: id,
        zerocopy: true,
        callbacks: 0,
      };
      tx.set("ubufs", ubuf.name, ubuf);
      if (joins) tx.set("datas", data.id, { ...data, zcopy: { ubuf: ubuf.name, dont_orphan: msgzc } });
      else tx.emit({ kind: "substep", fn: "skb_zcopy_set", text: `${name} is already zero-copy: ${ubuf.name} is not attached` });
      if (msgzc) {
        tx.emit({ kind: "substep", fn: "net_zcopy_put", text: "sendmsg returns: its own reference on the ubuf is dropped" });
        ubufCallback(tx, ubuf.name, true);
      }
      return;
    }
  }
}

// --- the registry's entries ----------------------------------------------------

export const zerocopy_arm_spec = defineOp({
  fn: "zerocopy_arm",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  summary: "the owner arms its completion, as the policy says",
  group: "zero-copy",
  opcode: 40,
  docs: [
    {
      call: "zerocopy_arm(a)",
      models:
        "the owner arms its completion as the trace's policy says (see below; an skb with no guest page arms a buffer that protects nothing; a second arm under `msg-zerocopy` completes at once, as `skb_zcopy_set` leaves a zero-copy skb alone)",
    },
  ],
  search: { notSearchable: "arming is the owner's move, made once in the search's prefix" },
  fuzz: fuzzOneSkb(2),
  oracle: "zerocopy_arm",
  run: (tx, _r, a) => zerocopy_arm(tx, a[0]),
});
