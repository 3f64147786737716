// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_zerocopy - make `to` reference `from`'s data instead of copying it
 * (openvswitch upcalls, nfnetlink_queue). 6.1 only (added in 3.14).
 *
 * Models net/core/skbuff.c skb_zerocopy() (6.1 l.3326).
 * BUG if from's head is kmalloc'd and hlen is 0. If len fits in to's tail
 * room: a byte copy. Otherwise hlen bytes are copied into to's linear area
 * (or, with hlen 0, from's head page becomes to->frags[0], page +1); then
 * skb_orphan_frags(from) (-ENOMEM), skb_zerocopy_clone(to, from) (ubuf +1)
 * and each needed frag of from is referenced from to (page +1, size
 * clipped). `from` is otherwise untouched; the caller frees it.
 */
import { kernelCheck, precondition } from "../model/events";
import { headlen, shinfo, skbOf, tailroom } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag } from "../model/types";
import { pageGet } from "./alloc_page";
import { readAllPages } from "./skb_copy";
import { skb_put } from "./alloc_skb";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { defineOp, int, ref, step } from "./spec";

export function skb_zerocopy(tx: Tx, toName: string, fromName: string, len: number, hlen: number): void {
  const to = skbOf(tx, toName, "skb_zerocopy");
  let from = skbOf(tx, fromName, "skb_zerocopy");
  if (!from.head_frag && !hlen) kernelCheck("skb_zerocopy", "BUG_ON(!from->head_frag && !hlen)", `${fromName}'s head is kmalloc'd`);
  if (len < 0 || len > from.len) kernelCheck("skb_zerocopy", "-EFAULT", `len ${len} is past ${fromName}'s ${from.len} bytes`);
  // to is fresh, from has no frag_list: caller contract zerocopy-fresh-to (contracts.ts).
  // int hlen comes from skb_zerocopy_headlen(from) (skbuff.c l.3288): at
  // most from->len, never negative.
  if (hlen < 0 || hlen > from.len)
    precondition("skb_zerocopy", `hlen ${hlen} is not within ${fromName}'s ${from.len} bytes (callers take it from skb_zerocopy_headlen())`);
  if (len <= tailroom(tx, to)) {
    readAllPages(tx, from, `skb_zerocopy(${toName}, ${fromName})`);
    skb_put(tx, toName, len);
    return;
  }
  let rest = len;
  let plen = 0;
  const frags: Frag[] = [];
  if (hlen) {
    skb_put(tx, toName, hlen);
    rest -= hlen;
  } else {
    plen = Math.min(headlen(from), rest);
    if (plen) {
      const fromData = shinfo(tx, from);
      const head = fromData.head_page!;
      // offset = from->data - page_address(virt_to_head_page(from->head))
      frags.push({ page: head, offset: fromData.head_offset + from.data, size: plen });
      pageGet(tx, head, "skb_zerocopy");
      rest -= plen;
    }
  }
  const cur = tx.get("skbs", toName)!;
  tx.set("skbs", toName, { ...cur, len: cur.len + rest + plen, data_len: cur.data_len + rest + plen, truesize: cur.truesize + rest + plen });
  // Before CVE-2014-2568's fix neither call ran; before 1f8b977ab32d only
  // the orphaning did (catalogue: zerocopy-orphan-frags, zerocopy-uarg-clone).
  const orphaned = fixed(tx, "zerocopy-orphan-frags");
  const err =
    (orphaned ? kernel.skb_orphan_frags(tx, from) : null) ??
    (orphaned && fixed(tx, "zerocopy-uarg-clone") ? kernel.skb_zerocopy_clone(tx, tx.get("skbs", toName)!, tx.get("skbs", fromName)!) : null);
  if (err) kernelCheck("skb_zerocopy", `returned ${err}`, "-ENOMEM");
  from = tx.get("skbs", fromName)!;
  for (const f of shinfo(tx, from).frags) {
    if (!rest) break;
    const size = Math.min(f.size, rest);
    frags.push({ ...f, size });
    rest -= size;
    pageGet(tx, f.page, "skb_zerocopy");
  }
  // Its callers' `to` is fresh, never managed; were it (io_send_zc, then
  // trimmed to no frags), its new frags' references must be counted.
  kernel.skb_zcopy_downgrade_managed(tx, tx.get("skbs", toName)!, "skb_zerocopy");
  const data = shinfo(tx, tx.get("skbs", toName)!);
  tx.set("datas", data.id, { ...data, frags });
}

// --- the registry's entries ----------------------------------------------------

export const skb_zerocopy_spec = defineOp({
  fn: "skb_zerocopy",
  params: ["skb", "skb", "int", "int"],
  names: ["to", "from", "len", "hlen"],
  ctypes: [null, null, "int", "int"],
  result: null,
  history: "added in 3.14",
  kernels: ["6.1"],
  summary: "reference from's data in to",
  group: "reshape",
  opcode: 31,
  docs: [{ call: "skb_zerocopy(to, from, len, hlen)", models: "6.1 only: `skb_zerocopy()`: reference `from`'s data in `to`" }],
  search: {
    role: "root",
    order: 7,
    // A fresh `to` (no frags), as openvswitch/nfqueue's; hlen as skb_zerocopy_headlen() gives it.
    steps: (m, fn) =>
      m.free.flatMap((to) => {
        if (m.dataOf(to)?.frags.length) return [];
        return m.free.flatMap((from) => {
          if (to === from || from.len === 0) return [];
          const hlen = from.head_frag ? 0 : headlen(from);
          if (!from.head_frag && hlen === 0) return [];
          return [step(fn, [ref(to.name), ref(from.name), int(from.len), int(hlen)])];
        });
      }),
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const t = c.skbArg(d[1]);
      const f = c.skbArg(d[2]);
      return t && f && c.state.kernel === "6.1" ? { fn, args: [t, f, int(c.within(c.lenOf(f), d[3])), int([0, 64][d[4] % 2])] } : null;
    },
  },
  form: { len: (f) => f.from?.len ?? 0 },
  oracle: "skb_zerocopy",
  run: (tx, _r, a) => skb_zerocopy(tx, a[0], a[1], a[2], a[3]),
});
