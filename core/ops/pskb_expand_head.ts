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

export function pskb_expand_head(tx: Tx, name: string, nhead: number, ntail: number): void {
  kernel.pskb_expand_head(tx, name, nhead, ntail);
}
