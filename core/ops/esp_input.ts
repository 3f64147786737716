// SPDX-License-Identifier: GPL-2.0-only
/**
 * esp_input - IPsec ESP decrypts a received packet in place.
 *
 * Models net/ipv4/esp4.c esp_input() (6.1 l.847-941) up to the in-place
 * crypto_aead_decrypt() (sg = dsg: the plaintext overwrites the bytes the
 * skb maps), with net/core/skbuff.c skb_cow_data() (6.1 l.4722-4806). The
 * SA is rfc4106(gcm(aes)): an 8-byte IV after the 8-byte ESP header.
 *   l.864: pskb_may_pull(skb, sizeof(struct ip_esp_hdr) + ivlen) — may
 *     pull frag bytes into the head; fails (-EINVAL) under 16 bytes;
 *     l.867: elen = len - 16 <= 0 is -EINVAL too.
 *   l.877-889, skip_cow: an skb that is not cloned and is linear, or has
 *     no frag_list and !skb_has_shared_frag(), is decrypted where it lies:
 *     into its frag pages. A frag page that someone else still maps (its
 *     owner, the page cache, the caller, a pipe buffer, another skb's head
 *     or frag over the same bytes) is written under that holder: a
 *     `write` event with those holders, the checker's shared-write.
 *   Otherwise skb_cow_data(skb, 0): when cloned or nr_frags,
 *     __pskb_pull_tail(skb, __skb_pagelen(skb)) pulls every frag into a
 *     private head (page -1 each; a cloned head is unshared first); then
 *     each frag_list member that is shared (users > 1, and every member
 *     after it), cloned, paged or has a frag_list is replaced by its
 *     skb_copy() (a kernel skb ~sN) and freed. The decryption then writes
 *     only private bytes.
 * Not modelled: esp_input_done2() (the trailer trim and header pull: the
 * lengths stay as they were), async crypto, ESN. 6.1 only: 2.6.32's
 * esp_input always ran skb_cow_data().
 */
import { kernelCheck, unsupported } from "../model/events";
import { pagelen, shinfo, skbCloned, skbOf, skbShared } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, Frag, Skb, SkbId } from "../model/types";
import { allocSkb } from "./alloc_skb";
import { pskb_may_pull, pullTail } from "./__pskb_pull_tail";
import { kfreeSkbRef } from "./kfree_skb";
import { readAllPages } from "./skb_copy";
import { defineOp, fuzzOneSkb } from "./spec";

/** sizeof(struct ip_esp_hdr) + crypto_aead_ivsize(rfc4106(gcm(aes))). */
const ESP_HDR_IV = 8 + 8;

export function esp_input(tx: Tx, name: string): void {
  let skb = skbOf(tx, name, "esp_input");
  if (skb.len < ESP_HDR_IV) kernelCheck("esp_input", "pskb_may_pull(skb, sizeof(struct ip_esp_hdr) + ivlen)", `${name} has ${skb.len} bytes: -EINVAL`);
  pskb_may_pull(tx, name, ESP_HDR_IV);
  skb = tx.get("skbs", name)!;
  if (skb.len - ESP_HDR_IV <= 0) kernelCheck("esp_input", "elen > 0", `no ciphertext after the ESP header and IV: -EINVAL`);
  const data = shinfo(tx, skb);
  const nonlinear = skb.data_len > 0;
  const skipCow = !skbCloned(tx, skb) && (!nonlinear || (data.frag_list.length === 0 && !data.shared_frag));
  if (skipCow) {
    tx.emit({
      kind: "substep",
      fn: "esp_input",
      text: nonlinear
        ? `${name} is not cloned, has no frag_list and !skb_has_shared_frag(): skip skb_cow_data, decrypt in place into its ${data.frags.length} frag${data.frags.length === 1 ? "" : "s"}`
        : `${name} is not cloned and linear: skip skb_cow_data, decrypt in place in its head`,
    });
    writeFrags(tx, skb, data);
  } else {
    skbCowData(tx, name);
    tx.emit({ kind: "substep", fn: "esp_input", text: `after skb_cow_data ${name}'s bytes are its own: decrypt in place` });
  }
  tx.emit({ kind: "result", fn: "esp_input", value: "0 (decrypted in place)" });
}

/** The decryption writes each frag's bytes where they lie. */
function writeFrags(tx: Tx, skb: Skb, data: Data): void {
  for (const f of data.frags) {
    tx.spend();
    tx.emit({ kind: "write", page: f.page, by: `esp_input(${skb.name})`, holders: otherMappers(tx, data, f) });
  }
}

const overlaps = (a: number, alen: number, b: number, blen: number): boolean => a < b + blen && b < a + alen;

/** Who else maps the bytes of frag f of `mine`: the page's owner, the caller, other heads, frags and pipe buffers. */
function otherMappers(tx: Tx, mine: Data, f: Frag): string[] {
  const page = tx.get("pages", f.page);
  const out: string[] = [];
  if (page?.owner === "guest") out.push("owner");
  if (page?.owner === "file") out.push("pagecache");
  for (let i = 0; i < (page?.caller ?? 0); i++) out.push("caller");
  for (const d of tx.all("datas").values()) {
    tx.spend();
    if (d.id === mine.id) continue;
    if (d.head_page === f.page && overlaps(d.head_offset, d.end, f.offset, f.size)) out.push(`${d.id}.head`);
    d.frags.forEach((g, i) => {
      if (g.page === f.page && overlaps(g.offset, g.size, f.offset, f.size)) out.push(`${d.id}.frags[${i}]`);
    });
  }
  for (const q of tx.all("pipes").values()) {
    q.bufs.forEach((b, i) => {
      if (b.page === f.page && overlaps(b.offset, b.len, f.offset, f.size)) out.push(`${q.name}.bufs[${i}]`);
    });
  }
  return out;
}

/** skb_cow_data(skb, 0, &trailer) (6.1 l.4722). */
function skbCowData(tx: Tx, name: string): void {
  const skb = tx.get("skbs", name)!;
  const data = shinfo(tx, skb);
  if (skbCloned(tx, skb) || data.frags.length > 0) {
    tx.emit({ kind: "substep", fn: "skb_cow_data", text: `__pskb_pull_tail(${name}, ${pagelen(data)}): every frag into a private head` });
    pullTail(tx, name, pagelen(data), "skb_cow_data");
  }
  // "Misery": the frag_list members.
  let copyflag = false;
  const list = [...shinfo(tx, tx.get("skbs", name)!).frag_list];
  list.forEach((m, k) => {
    tx.spend();
    const member = skbOf(tx, m, "skb_cow_data");
    const md = shinfo(tx, member);
    if (skbShared(member)) copyflag = true;
    if (!(copyflag || skbCloned(tx, member) || md.frags.length > 0 || md.frag_list.length > 0)) return;
    list[k] = copyMember(tx, member, name);
  });
  const d = shinfo(tx, tx.get("skbs", name)!);
  if (list.some((m, k) => m !== d.frag_list[k])) tx.set("datas", d.id, { ...d, frag_list: list });
  list.forEach((m, k) => {
    if (m !== d.frag_list[k]) kfreeSkbRef(tx, d.frag_list[k], "skb_cow_data");
  });
}

/** skb2 = skb_copy(skb1): a private linear copy the kernel names ~sN; the caller links it and frees skb1. */
function copyMember(tx: Tx, member: Skb, head: string): SkbId {
  if (member.destructor) unsupported("skb_cow_data", `frag_list member ${member.name} has a destructor: skb_set_owner_w() on its copy is not modelled`);
  const n = tx.counters.kskb + 1;
  tx.counters = { ...tx.counters, kskb: n };
  const copyName = `~s${n}`;
  const copy = allocSkb(tx, copyName, shinfo(tx, member).end + member.data_len, false, "skb_copy");
  readAllPages(tx, member, `skb_copy(${member.name})`);
  tx.set("skbs", copyName, { ...copy, data: member.data, len: member.len });
  tx.emit({ kind: "substep", fn: "skb_cow_data", text: `frag_list member ${member.name} of ${head} is replaced by its private copy ${copyName}` });
  return copyName as SkbId;
}

// --- the registry's entries ----------------------------------------------------

export const esp_input_spec = defineOp({
  fn: "esp_input",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  kernels: ["6.1"],
  history: "2.6.32's esp_input always ran skb_cow_data(): the in-place path that skips it came later",
  summary: "IPsec ESP decrypts in place (into the frags unless skb_cow_data runs)",
  group: "leave the stack",
  opcode: 63,
  docs: [
    {
      call: "esp_input(c)",
      models:
        "6.1 `esp_input()` decrypting in place: an uncloned skb with no frag_list and `!skb_has_shared_frag()` is written in its frag pages (a page someone else maps is a shared-write finding); otherwise `skb_cow_data()` copies first",
    },
  ],
  search: {
    notSearchable:
      "the search's kinds are the completion policies' findings; an in-place writer on the menu would end most paths in a shared write (a clone's frags after pskb_may_pull unclones the head), whatever the policy",
  },
  fuzz: fuzzOneSkb(2, "6.1"),
  oracle: { notRecordable: "esp_input() is static in net/ipv4/esp4.c and runs only inside the xfrm input path of an SA; the oracle module cannot call it" },
  run: (tx, _r, a) => esp_input(tx, a[0]),
});
