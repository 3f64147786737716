// SPDX-License-Identifier: GPL-2.0-only
/**
 * pskb_expand_head - give an skb a private head with more head/tail room.
 *
 * Models net/core/skbuff.c: pskb_expand_head() (6.1 l.1834; 2.6.32 l.797).
 * Preconditions (kernel BUG_ON; here a kernel-check error, state unchanged):
 *   nhead >= 0, and !skb_shared(skb), i.e. users == 1.
 * Always: a new head (new Data) sized osize + nhead + ntail through the
 *   allocator; the shinfo header and frags are copied into it (memcpy, so
 *   the seed patch's release pointer is copied too and then set to NULL);
 *   cloned = 0, nohdr = 0, hdr_len = 0, new dataref = 1.
 * 6.1, Data shared (skb_cloned): skb_orphan_frags (fail: -ENOMEM), ubuf
 *   refcnt +1, each frag page +1, each frag_list skb users +1, then
 *   skb_release_data() on the old Data (dataref -1, or -0x10001 if nohdr).
 * 6.1, sole owner: skb_free_head() of the old head only; page, frag_list
 *   and ubuf references move to the new Data unchanged; nothing fires.
 *   truesize grows by the size difference when the skb has no socket.
 * 2.6.32: always +1 per page and frag_list skb, then skb_release_data()
 *   on the old Data — when the skb was not cloned that is a full release
 *   (the +1s cancel), which is where the seed patch's release() fires.
 */
import type { Tx } from "../model/tx";
import * as kernel from "../kernel/skbuff";
import { defineOp, int, ref, step } from "./spec";

export function pskb_expand_head(tx: Tx, name: string, nhead: number, ntail: number): void {
  kernel.pskb_expand_head(tx, name, nhead, ntail);
}

// --- the registry's entries ----------------------------------------------------

/** The menu's (nhead, ntail): no change, or 64 bytes of headroom. */
const EXPAND_HEAD: readonly (readonly [number, number])[] = [
  [0, 0],
  [64, 0],
];

export const pskb_expand_head_spec = defineOp({
  fn: "pskb_expand_head",
  params: ["skb", "int", "int"],
  names: ["skb", "nhead", "ntail"],
  ctypes: [null, "int", "int"],
  result: null,
  summary: "a new private head",
  group: "copy",
  opcode: 22,
  docs: [{ call: "pskb_expand_head(a, nhead, ntail)", models: "`pskb_expand_head()`: a new private head" }],
  search: {
    role: "root",
    order: 2,
    // Its callers own the skb: users 1 (skb_shared() is a BUG).
    steps: (m, fn) => m.free.filter((s) => s.users === 1).flatMap((s) => EXPAND_HEAD.map(([h, t]) => step(fn, [ref(s.name), int(h), int(t)]))),
  },
  fuzz: {
    weight: 2,
    make: (c, d, fn) => (c.skbArg(d[1]) ? { fn, args: [c.skbArg(d[1])!, int([0, 32][d[2] % 2]), int([0, 64, 5000][d[3] % 3])] } : null),
  },
  form: { nhead: 64 },
  oracle: "pskb_expand_head",
  run: (tx, _r, a) => pskb_expand_head(tx, a[0], a[1], a[2]),
});
