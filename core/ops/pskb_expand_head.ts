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
import { kernelCheck } from "../model/events";
import { assertUnshared, shinfo, skbCloned, skbOf, tailOffset } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, Skb } from "../model/types";
import { ubufGet } from "../policy/completion";
import { pageGet, pagePut } from "./alloc_page";
import { headEndFor, newData } from "./alloc_skb";
import { skbReleaseData } from "./kfree_skb";
import { orphanFrags } from "./skb_copy_ubufs";

/** The expansion itself; `fn` names the caller for messages. */
export function expandHead(tx: Tx, name: string, nhead: number, ntail: number, fn = "pskb_expand_head"): void {
  let skb = skbOf(tx, name, fn);
  if (nhead < 0) kernelCheck("pskb_expand_head", "BUG_ON(nhead < 0)", `nhead ${nhead}`);
  if (ntail < 0) kernelCheck("pskb_expand_head", "ntail >= 0", `ntail ${ntail} would shrink the head`);
  assertUnshared(skb, "pskb_expand_head");
  const old = shinfo(tx, skb);
  const end = headEndFor(tx, "pskb_expand_head", old.end + nhead + ntail);
  tx.emit({
    kind: "substep",
    fn: "pskb_expand_head",
    text: `new head for ${name}: ${old.end} + ${nhead} + ${ntail} bytes asked, end ${end}; shinfo copied`,
  });

  if (tx.kernel === "6.1") {
    if (skbCloned(tx, skb)) {
      const err = orphanFrags(tx, skb, false);
      if (err) kernelCheck("pskb_expand_head", `skb_orphan_frags() returned ${err}`, "-ENOMEM");
      skb = tx.get("skbs", name)!;
      const cur = shinfo(tx, skb);
      const moved = newData(tx, end);
      tx.set("datas", moved.id, copyShinfo(cur, moved));
      if (cur.zcopy) ubufGet(tx, cur.zcopy.ubuf);
      takeRefs(tx, cur, moved, fn);
      tx.emit({ kind: "substep", fn: "skb_release_data", text: `the old Data ${cur.id} is still shared: drop ${name}'s reference` });
      skbReleaseData(tx, skb, "pskb_expand_head");
      finish(tx, name, moved, nhead, end, old.end, true);
    } else {
      const moved = newData(tx, end);
      tx.set("datas", moved.id, copyShinfo(old, moved));
      // skb_free_head(): only the old head memory goes; refs moved as is.
      tx.delete("datas", old.id);
      tx.emit({ kind: "data_released", data: old.id });
      if (old.head_page) pagePut(tx, old.head_page, `${old.id}.head`);
      finish(tx, name, moved, nhead, end, old.end, true);
    }
    return;
  }

  // 2.6.32: +1 every page, then release the old Data through the skb.
  const moved = newData(tx, end);
  tx.set("datas", moved.id, copyShinfo(old, moved));
  takeRefs(tx, old, moved, fn);
  tx.emit({
    kind: "substep",
    fn: "skb_release_data",
    text: skb.cloned
      ? `drop ${name}'s reference on the old Data ${old.id}`
      : `${name} was not cloned: the old Data ${old.id} is released in full`,
  });
  skbReleaseData(tx, skb, "pskb_expand_head");
  finish(tx, name, moved, nhead, end, old.end, false);
}

/** The memcpy of the shinfo header and frags into the new head. */
function copyShinfo(from: Data, to: Data): Data {
  return { ...to, frags: from.frags, frag_list: from.frag_list, zcopy: from.zcopy, release: from.release };
}

/** get_page() on every frag and skb_get() on every frag_list member. */
function takeRefs(tx: Tx, old: Data, moved: Data, fn: string): void {
  for (const f of old.frags) pageGet(tx, f.page, fn);
  for (const m of old.frag_list) {
    const member = tx.get("skbs", m);
    if (member) tx.set("skbs", m, { ...member, users: member.users + 1 });
  }
  if (old.frags.length > 0) {
    tx.emit({ kind: "substep", fn: "skb_frag_ref", text: `the new Data ${moved.id} takes its own reference on each frag page` });
  }
}

function finish(tx: Tx, name: string, moved: Data, nhead: number, end: number, oend: number, truesizeGrows: boolean): void {
  const skb = tx.get("skbs", name)!;
  const cur = tx.get("datas", moved.id)!;
  // The seed patch: the new shinfo's release and priv are set to NULL.
  tx.set("datas", moved.id, { ...cur, dataref: 1, release: null });
  const grow = truesizeGrows && skb.sk === null ? end - oend : 0;
  const next: Skb = {
    ...skb,
    head: moved.id,
    head_frag: false,
    data: skb.data + nhead,
    cloned: false,
    nohdr: false,
    hdr_len: 0,
    truesize: skb.truesize + grow,
  };
  if (tailOffset(next) > end) throw new Error("engine bug: expanded head smaller than its data");
  tx.set("skbs", name, next);
}

export function pskb_expand_head(tx: Tx, name: string, nhead: number, ntail: number): void {
  expandHead(tx, name, nhead, ntail);
}
