// SPDX-License-Identifier: GPL-2.0-only
/**
 * ubuf-orphan (6.1) - a vhost-style ubuf_info: refcnt 1,
 * SKBFL_ZEROCOPY_FRAG without SKBFL_DONT_ORPHAN, installed with
 * skb_zcopy_init() (tun hands over the initial reference:
 * 6.1 drivers/net/tun.c tun_get_user() l.1913). skb_orphan_frags()
 * (skbuff.h l.3194) copies the frags (skb_copy_ubufs) before anything may
 * hold them without bound; the owner hears from vhost_zerocopy_callback at
 * refcnt zero.
 */
import type { CompletionPolicy } from "./types";
import { armUbuf, carriesUbufOf, ubufStillArmed } from "./ubuf_info";

export const ubufOrphan: CompletionPolicy<"ubuf-orphan"> = {
  id: "ubuf-orphan",
  doc: {
    armedBy:
      "a vhost-style `ubuf_info` (`refcnt` 1, `SKBFL_ZEROCOPY_FRAG`, no `SKBFL_DONT_ORPHAN`), installed with `skb_zcopy_init`, as the merged design: frags are deep-copied before they escape",
    toldWhen: "its `refcnt` reaches zero",
  },
  arm: (tx, site) => armUbuf(tx, site, { kind: "vhost", dontOrphan: false, sendmsg: false }),
  stillArmed: ubufStillArmed,
  waitsOnSkb: (state, zb, _skb, data) => carriesUbufOf(state, data, zb),
  waitsOnPageHolders: false,
};
