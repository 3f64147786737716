// SPDX-License-Identifier: GPL-2.0-only
/**
 * The scenario x policy table of kernel-skb-semantics.md section 4, as
 * executable traces. Columns: P0 = page-refs (the oracle), P1 = destructor
 * and P2 = shinfo-release on 2.6.32 (on 6.1 for the rows marked * in the
 * reference: operations 2.6.32 did not have), P3b = ubuf-orphan and P4 =
 * msg-zerocopy on 6.1. Rows 17 (GRO), 24 (skb_tx_error) and 25 (the seed
 * patch without its pskb_expand_head NULLing) are not modelled.
 */
import { describe, expect, it } from "vitest";
import type { KernelId, PolicyId } from "../model/types";
import { PREFIX, trace } from "../testdata/harness";
import type { Verdict } from "./checker";

interface Row {
  n: string;
  body: string;
  prefix?: string;
  p0: Verdict;
  p1: Verdict | null;
  p2: Verdict | null;
  p3b: Verdict | null;
  p4: Verdict | null;
  /** Run P1/P2 on 6.1 (operations 2.6.32 lacks). */
  modern?: boolean;
  /** Uses an operation 6.1 lacks: on 6.1 the step is not judged (inconclusive). */
  oldOnly?: boolean;
}

const HEAD_FRAG_PREFIX = `
g = alloc_page(guest)
a = napi_alloc_skb(0)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;

const rows: Row[] = [
  { n: "1 free(A)", body: "kfree_skb(a)", p0: "ok", p1: "ok", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "2 get; free; free", body: "skb_get(a)\nkfree_skb(a)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "3 clone; free(A), B alive", body: "b = skb_clone(a)\nkfree_skb(a)", p0: "ok", p1: "premature", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "4 clone; free(B); free(A)", body: "b = skb_clone(a)\nkfree_skb(b)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "5 pskb_copy; free(A), C alive", body: "c = pskb_copy(a)\nkfree_skb(a)", p0: "ok", p1: "premature", p2: "premature", p3b: "ok", p4: "ok" },
  { n: "6 skb_copy; free(A)", body: "d = skb_copy(a)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "7 expand(A) uncloned; free(A)", body: "pskb_expand_head(a, 0, 64)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "premature", p3b: "ok", p4: "ok" },
  {
    n: "8 clone; expand(A); free(B), A alive",
    body: "b = skb_clone(a)\npskb_expand_head(a, 0, 64)\nkfree_skb(b)",
    p0: "ok",
    p1: "ok",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    n: "9 clone; expand(B); free(A), B alive",
    body: "b = skb_clone(a)\npskb_expand_head(b, 64, 0)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    // At the boundary between the linear part and the frag: the whole frag
    // moves to B (a split at 0 would be one tcp_fragment never makes).
    n: "10a split at a frag boundary; free(A), B alive",
    prefix: "g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)",
    body: "b = skb_split(a, 100)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    n: "10b split inside the frag; free(A), B alive",
    body: "b = skb_split(a, 1000)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  { n: "11 linearize needing expansion; free(A)", body: "skb_linearize(a)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "premature", p3b: "ok", p4: "ok" },
  {
    n: "12 linearize without expansion; skb_recycle_check",
    prefix: "g = alloc_page(guest)\na = alloc_skb(8192)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)",
    body: "skb_linearize(a)\nskb_recycle_check(a, 1500)",
    p0: "ok",
    p1: "ok",
    p2: "missed",
    p3b: null,
    p4: null,
    oldOnly: true,
  },
  { n: "13 trim uncloned; free(A)", body: "pskb_trim(a, 1000)\nkfree_skb(a)", p0: "ok", p1: "ok", p2: "ok", p3b: "ok", p4: "ok" },
  {
    n: "14 shift(T<-A) whole frags; free(A), T alive",
    body: "h = alloc_page(host)\nt = alloc_skb(256)\nskb_fill_page_desc(t, 0, h, 0, 1000)\nskb_shift(t, a, 4096)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    n: "15 coalesce(T<-A) frags; kfree_skb_partial(A, false), T alive",
    body: "h = alloc_page(host)\nt = alloc_skb(256)\nskb_fill_page_desc(t, 0, h, 0, 1000)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, false)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
    modern: true,
  },
  {
    n: "16 coalesce(T<-A) head steal; kfree_skb_partial(A, true); free(T)",
    prefix: "g = alloc_page(guest)\na = napi_alloc_skb(200)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)",
    body: "h = alloc_page(host)\nt = alloc_skb(256)\nskb_fill_page_desc(t, 0, h, 0, 1000)\nskb_try_coalesce(t, a)\nkfree_skb_partial(a, true)\nkfree_skb(t)",
    p0: "ok",
    p1: "premature",
    p2: "missed",
    p3b: "ok",
    p4: "ok",
    modern: true,
  },
  {
    n: "18 segment; free(A), segments in the ring",
    body: "segs = skb_segment(a, 1448)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    n: "19 deliver; splice; free(A), pipe alive",
    body: "s = sock_create()\nsock_queue_rcv_skb(s, a)\nq = skb_splice_bits(a, 0, 4096)\nsk_eat_skb(s, a)",
    p0: "late",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
  },
  {
    n: "20 deliver; the application reads by copy later",
    body: "s = sock_create()\nsock_queue_rcv_skb(s, a)\nskb_copy_datagram_iter(a, 0, 4096)\nsk_eat_skb(s, a)",
    p0: "late",
    p1: "premature",
    p2: "late",
    p3b: "ok",
    p4: "ok",
  },
  { n: "21 orphan(A)", body: "skb_orphan(a)\nkfree_skb(a)", p0: "ok", p1: "premature", p2: "ok", p3b: "ok", p4: "ok" },
  { n: "22 tap clone; the NIC frees A first", body: "b = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)", p0: "ok", p1: "premature", p2: "ok", p3b: "ok", p4: "ok" },
  {
    n: "23 skb_zerocopy(T, A); free(A), T alive",
    prefix: HEAD_FRAG_PREFIX,
    body: "t = alloc_skb(256)\nskb_zerocopy(t, a, 4096, 0)\nkfree_skb(a)",
    p0: "ok",
    p1: "premature",
    p2: "premature",
    p3b: "ok",
    p4: "ok",
    modern: true,
  },
];

function verdict(row: Row, policy: PolicyId, kernel: KernelId): Verdict {
  return trace(`${row.prefix ?? PREFIX}\n${row.body}`, { policy, kernel }).verdict;
}

describe("section 4 of the semantics reference: scenario x policy", () => {
  for (const row of rows) {
    describe(`row ${row.n}`, () => {
      const old: KernelId = row.modern ? "6.1" : "2.6.32";
      it(`page-refs is ${row.p0} on ${row.oldOnly ? "2.6.32 (inconclusive on 6.1)" : "both kernels"}`, () => {
        expect(verdict(row, "page-refs", "6.1")).toBe(row.oldOnly ? "inconclusive" : row.p0);
        if (!row.modern) expect(verdict(row, "page-refs", "2.6.32")).toBe(row.p0);
      });
      if (row.p1) it(`destructor is ${row.p1} (${old})`, () => expect(verdict(row, "destructor", old)).toBe(row.p1));
      if (row.p2) it(`shinfo-release is ${row.p2} (${old})`, () => expect(verdict(row, "shinfo-release", old)).toBe(row.p2));
      if (row.p3b) it(`ubuf-orphan is ${row.p3b} (6.1)`, () => expect(verdict(row, "ubuf-orphan", "6.1")).toBe(row.p3b));
      if (row.p4) it(`msg-zerocopy is ${row.p4} (6.1)`, () => expect(verdict(row, "msg-zerocopy", "6.1")).toBe(row.p4));
    });
  }
});
