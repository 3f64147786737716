// SPDX-License-Identifier: GPL-2.0-only
/**
 * skb_segment - GSO: cut one large skb into mss-sized segments that share
 * its pages.
 *
 * Models net/core/skbuff.c skb_segment() (6.1 l.4150; 2.6.32 l.2502) with
 * gso_size = mss, doffset 0 (no protocol headers in our skbs) and the
 * NETIF_F_SG plus checksum-offload features, so every segment references
 * the pages. Each segment is a new skb + Data: __alloc_skb(hsize +
 * headroom), skb_reserve(headroom), the linear bytes it covers copied, and a
 * descriptor for every frag range it covers with page +1 (a frag spanning k
 * segments gains k references). The source is not freed here: the caller
 * (validate_xmit_skb, dev_hard_start_xmit) frees it, before the NIC has sent
 * the segments.
 * 6.1: skb_orphan_frags(head_skb) first (vhost ubufs are copied, callback
 * false), and skb_zerocopy_clone() for each segment (ubuf +1 each).
 * 6.1 SKBFL_SHARED_FRAG: a segment takes head_skb's and frag_skb's (the skb
 * whose frags it starts in, l.4370-4372) and each frag_list member's it
 * moves into (l.4389); catalogue id segment-shared-frag-fraglist. The
 * checksum path that linearizes a shared segment (l.4443) is not taken:
 * the model's features include checksum offload.
 */
import { kernelCheck, unsupported } from "../model/events";
import { assertNewName, headlen, shinfo, skbOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Frag } from "../model/types";
import { pageGet } from "./alloc_page";
import { allocSkb } from "./alloc_skb";
import * as kernel from "../kernel/skbuff";
import { fixed } from "../fixes/fixed";
import { defineOp, int, ref, step } from "./spec";

export const MAX_SEGMENTS = 64;

export function skb_segment(tx: Tx, result: string, name: string, mss: number): void {
  let src = skbOf(tx, name, "skb_segment");
  assertNewName(tx, result, "skb_segment");
  if (mss <= 0) kernelCheck("skb_segment", "gso_size > 0", `mss ${mss}`);
  // frag_list members with paged data only are walked like more frags
  // (6.1 l.4339-4370); a member with linear bytes is cloned into its own
  // segment (l.4251-4287), which is not modelled.
  const members = shinfo(tx, src).frag_list.map((m) => skbOf(tx, m, "skb_segment"));
  for (const m of members) {
    if (headlen(m) > 0) unsupported("skb_segment", `frag_list member ${m.name} has linear bytes: the kernel clones it into a segment; not modelled`);
    if (shinfo(tx, m).zcopy) unsupported("skb_segment", `frag_list member ${m.name} is zero-copy; not modelled`);
  }
  if (Math.ceil(src.len / mss) > MAX_SEGMENTS) {
    kernelCheck("skb_segment", "gso_segs", `${Math.ceil(src.len / mss)} segments; this model stops at ${MAX_SEGMENTS}`);
  }
  if (tx.kernel === "6.1") {
    const err = kernel.skb_orphan_frags(tx, src);
    if (err) kernelCheck("skb_segment", `skb_orphan_frags() returned ${err}`, "ERR_PTR(-ENOMEM)");
    src = tx.get("skbs", name)!;
  }
  const frags: readonly Frag[] = [...shinfo(tx, src).frags, ...members.flatMap((m) => shinfo(tx, m).frags)];
  // Which skb's frags each entry is (frag_skb), and that skb's SKBFL_SHARED_FRAG.
  const fragSkb: readonly string[] = [...shinfo(tx, src).frags.map(() => src.name), ...members.flatMap((m) => shinfo(tx, m).frags.map(() => m.name))];
  const sharedOf = new Map<string, boolean>([[src.name, shinfo(tx, src).shared_frag], ...members.map((m) => [m.name, shinfo(tx, m).shared_frag] as const)]);
  const headroom = src.data;
  const hl = headlen(src);
  let offset = 0;
  let pos = hl;
  let i = 0;
  let k = 0;
  do {
    tx.spend();
    const len = Math.min(src.len - offset, mss);
    let hsize = Math.max(0, hl - offset);
    if (hsize > len) hsize = len;
    const segName = `${result}[${k}]`;
    assertNewName(tx, segName, "skb_segment");
    const seg = allocSkb(tx, segName, hsize + headroom);
    tx.set("skbs", segName, { ...seg, data: headroom, len: hsize });
    // Without 1f8b977ab32d a segment took the pages but not the ubuf_info.
    if (tx.kernel === "6.1" && fixed(tx, "segment-uarg-clone")) {
      const err = kernel.skb_zerocopy_clone(tx, tx.get("skbs", segName)!, src);
      if (err) kernelCheck("skb_segment", `skb_zerocopy_clone() returned ${err}`, "ERR_PTR");
    }
    const segFrags: Frag[] = [];
    // frag_skb as the kernel holds it here: it moves to a member only when
    // the loop below steps past the previous skb's last frag.
    let fragOwner = i > 0 ? fragSkb[i - 1] : src.name;
    // l.4370-4372: (head_skb->flags | frag_skb->flags) & SKBFL_SHARED_FRAG.
    let shared = tx.kernel === "6.1" && (sharedOf.get(src.name)! || (sharedOf.get(fragOwner)! && fixed(tx, "segment-shared-frag-fraglist")));
    while (pos < offset + len && i < frags.length) {
      tx.spend();
      const f = frags[i];
      if (fragSkb[i] !== fragOwner) {
        fragOwner = fragSkb[i];
        // l.4389: skb_shinfo(nskb)->flags |= skb_shinfo(frag_skb)->flags & SKBFL_SHARED_FRAG;
        if (tx.kernel === "6.1" && !shared && sharedOf.get(fragOwner)! && fixed(tx, "segment-shared-frag-fraglist")) shared = true;
      }
      let nf: Frag = f;
      pageGet(tx, f.page, "skb_segment");
      if (pos < offset) nf = { ...nf, offset: nf.offset + (offset - pos), size: nf.size - (offset - pos) };
      if (pos + f.size <= offset + len) {
        i++;
        pos += f.size;
        segFrags.push(nf);
      } else {
        segFrags.push({ ...nf, size: nf.size - (pos + f.size - (offset + len)) });
        break;
      }
    }
    const segData = shinfo(tx, tx.get("skbs", segName)!);
    tx.set("datas", segData.id, { ...segData, frags: segFrags, shared_frag: segData.shared_frag || shared });
    const cur = tx.get("skbs", segName)!;
    const paged = len - hsize;
    tx.set("skbs", segName, { ...cur, len: cur.len + paged, data_len: paged, truesize: cur.truesize + paged });
    offset += len;
    k++;
  } while (offset < src.len);
  tx.emit({ kind: "result", fn: "skb_segment", value: `${k} segments` });
}

// --- the registry's entries ----------------------------------------------------

export const skb_segment_spec = defineOp({
  fn: "skb_segment",
  params: ["skb", "int"],
  names: ["skb", "mss"],
  // skb_segment(skb, features): mss is skb_shinfo(skb)->gso_size, unsigned short (skbuff.h l.586).
  ctypes: [null, "unsigned short"],
  result: "list",
  summary: "GSO segments sharing the pages",
  group: "reshape",
  opcode: 32,
  docs: [
    {
      call: "segs = skb_segment(a, mss)",
      models:
        "`skb_segment()` with `gso_size = mss`, no protocol headers (`doffset` 0) and scatter-gather + checksum offload features; the segments are `segs[0]`, `segs[1]`, ...",
    },
  ],
  search: {
    role: "root",
    order: 4,
    // One segment or two. A frag_list is walked (6.1 l.4339); members the
    // model cannot segment make the step "not modelled", which the search counts.
    steps: (m, fn) =>
      m.free
        .filter((s) => s.len > 0)
        .flatMap((s) => [...new Set([s.len, Math.ceil(s.len / 2)])].map((mss) => step(fn, [ref(s.name), int(mss)], m.fresh("list")))),
  },
  // An mss of 1 would make thousands of segments: realistic sizes only.
  fuzz: {
    weight: 2,
    blindInts: { mss: [500, 1448, 4096] },
    make: (c, d, fn) => (c.skbArg(d[1]) ? { fn, result: c.fresh("l"), args: [c.skbArg(d[1])!, int([500, 1448, 4096][d[2] % 3])] } : null),
  },
  form: { mss: (f) => Math.max(1, Math.ceil((f.skb?.len ?? 0) / 2)) },
  oracle: "skb_segment",
  run: (tx, r, a) => skb_segment(tx, r!, a[0], a[1]),
});
