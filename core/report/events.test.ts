// SPDX-License-Identifier: GPL-2.0-only
/**
 * The one event formatter: every kind has its own words (the compiler
 * enforces the switch; this checks the words), and holders read as the
 * kernel names them when a state is given.
 */
import { describe, expect, it } from "vitest";
import { runTrace } from "../engine/replay";
import type { EngineEvent } from "../model/events";
import { parseTrace } from "../trace/parse";
import { describeEvent, describeEvents } from "./events";

/** One of each kind (a Record over the union: a new kind must be added here too). */
const ONE_OF_EACH: { [K in EngineEvent["kind"]]: Extract<EngineEvent, { kind: K }> } = {
  substep: { kind: "substep", fn: "skb_orphan_frags_rx", text: "a's frags belong to u1" },
  destructor: { kind: "destructor", skb: "a" as never, fn: "sock_rfree" },
  release: { kind: "release", data: "h1" as never, buffer: "z1" as never },
  ubuf_callback: { kind: "ubuf_callback", ubuf: "u1" as never, success: false, refcnt: 0 },
  completion: { kind: "completion", buffer: "z1" as never, via: "skb_shinfo(a)->release", success: true, holders: ["g:h2.frags[0]"] },
  read: { kind: "read", page: "g" as never, by: "skb_copy_ubufs(a)" },
  owner_reuse: { kind: "owner_reuse", page: "g" as never, holders: ["h2.frags[0]"] },
  skb_freed: { kind: "skb_freed", skb: "a" as never },
  data_released: { kind: "data_released", data: "h1" as never },
  page_freed: { kind: "page_freed", page: "k1" as never, holders: [] },
  refcount_underflow: { kind: "refcount_underflow", page: "g" as never, by: "put_page" },
  dangling: { kind: "dangling", object: "b", holder: "a.frag_list", text: "b freed while on a's frag_list" },
  result: { kind: "result", fn: "skb_try_coalesce", value: "true (fragstolen)" },
  warn: { kind: "warn", fn: "skb_split", text: "len beyond skb->len" },
  unreachable: { kind: "unreachable", fn: "skb_splice_bits", contract: "read-from-receive-queue", text: "a was never received" },
  pp_return: { kind: "pp_return", page: "p" as never, pool: "pool", how: "recycled", holders: ["h2.frags[0]"] },
  write: { kind: "write", page: "f" as never, by: "esp_input(c)", holders: ["pagecache", "q.bufs[0]"] },
};

describe("describeEvent", () => {
  it("gives every kind its own sentence naming its objects", () => {
    const said = Object.values(ONE_OF_EACH).map((e) => describeEvent(e));
    expect(new Set(said).size).toBe(said.length);
    expect(said).toEqual([
      "skb_orphan_frags_rx: a's frags belong to u1",
      "a released by its destructor, sock_rfree()",
      "buffer z1 released by shinfo->release() of Data h1",
      "u1->callback() fired (the data was copied), refcnt now 0",
      "completion of z1 fired by skb_shinfo(a)->release, while h2.frags[0] holds g",
      "g copied by skb_copy_ubufs(a)",
      "the owner writes new data into g, still held by h2.frags[0]",
      "skb a freed",
      "Data h1 released by skb_release_data()",
      "page k1 back to the page allocator",
      "put_page(g) by put_page takes its refcount below 0",
      "dangling: b freed while on a's frag_list",
      "skb_try_coalesce returned true (fragstolen)",
      "WARN in skb_split: len beyond skb->len",
      "Linux cannot take this path: a was never received",
      "page p recycled into pool's ring for the next RX, while h2.frags[0] still maps it",
      "esp_input(c) writes into f in place, which pagecache, q.bufs[0] still maps",
    ]);
  });

  it("names holders as the kernel does when given the state", () => {
    const { trace } = parseTrace(
      "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\n",
    );
    const run = runTrace(trace, { policy: "shinfo-release", kernel: "2.6.32" });
    const said = describeEvents(run.steps[5].events, run.snapshotAt(6));
    expect(said).toContain("completion of z1 fired by skb_shinfo(a)->release, while skb_shinfo(c)->frags[0] holds g");
    expect(said).toContain("skb a freed");
  });

  it("says why a copy happened: skb_orphan_frags_rx on a zero-copy skb queued to a socket", () => {
    const { trace } = parseTrace(
      "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\n",
    );
    const run = runTrace(trace, { policy: "ubuf-orphan", kernel: "6.1" });
    expect(describeEvents(run.steps[5].events, run.snapshotAt(6))).toEqual([
      "skb_orphan_frags_rx: a's frags belong to u1: copy them to kernel pages (skb_copy_ubufs)",
      "g copied by skb_copy_ubufs(a)",
      "u1->callback() fired (the data was copied), refcnt now 0",
      "completion of z1 fired by vhost_zerocopy_callback (COPIED)",
    ]);
  });
});
