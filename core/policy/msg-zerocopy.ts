// SPDX-License-Identifier: GPL-2.0-only
/**
 * msg-zerocopy (6.1) - MSG_ZEROCOPY: msg_zerocopy_alloc() (refcnt 1,
 * SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN), skb_zcopy_set() (+1, unless
 * the skb is already zero-copy: then nothing), and net_zcopy_put() at the
 * end of sendmsg (one callback call: -1), as in 6.1 net/ipv4/tcp.c
 * tcp_sendmsg_locked() (msg_zerocopy_realloc l.1246, net_zcopy_put
 * l.1469; net/core/skbuff.c msg_zerocopy_alloc l.1292). A second arm
 * therefore completes at once. The owner hears from msg_zerocopy_callback
 * at refcnt zero.
 */
import type { CompletionPolicy } from "./types";
import { armUbuf, carriesUbufOf, ubufStillArmed } from "./ubuf_info";

export const msgZerocopy: CompletionPolicy<"msg-zerocopy"> = {
  id: "msg-zerocopy",
  doc: {
    armedBy:
      "a MSG_ZEROCOPY `ubuf_info` (`SKBFL_DONT_ORPHAN`): shared by reference, copied only toward a receiver; `skb_zcopy_set` takes a reference and the end of `sendmsg` drops the initial one",
    toldWhen: "its `refcnt` reaches zero",
  },
  arm: (tx, site) => armUbuf(tx, site, { kind: "msgzc", dontOrphan: true, sendmsg: true }),
  stillArmed: ubufStillArmed,
  waitsOnSkb: (state, zb, _skb, data) => carriesUbufOf(state, data, zb),
  waitsOnPageHolders: false,
};
