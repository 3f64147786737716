// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

// Read (6.1): io_uring/notif.c io_alloc_notif() l.48-72 (refcnt 1,
// SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN), io_uring_tx_zerocopy_callback()
// l.28-46, io_notif_flush() l.74-83; net/ipv4/tcp.c l.1241-1243 and l.1469.
const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;
const NOTIF = { policy: "io-uring-notif" } as const;

describe("io-uring-notif", () => {
  it("arms a notif: 1, +1 (send), +1 (skb_zcopy_set), -1 (net_zcopy_put), -1 (io_notif_flush)", () => {
    const run = clean(trace(`${ARMED}\nkfree_skb(a)`, NOTIF));
    const armed = run.snapshotAt(4);
    // One callback call (net_zcopy_put); io_notif_flush is a plain refcount_dec.
    expect([...armed.ubufs.values()]).toEqual([{ name: "u1", kind: "io-notif", refcnt: 1, dont_orphan: true, buffer: "z1", zerocopy: true, callbacks: 1 }]);
    // The frags arm took hold references of their own: no pin, nothing managed.
    expect(armed.datas.get("h1" as never)!.managed_frag_refs).toBeUndefined();
    expect(run.steps[4].events.find((e) => e.kind === "completion")).toEqual({
      kind: "completion",
      buffer: "z1",
      via: "io_notif_complete",
      success: true,
      holders: [],
    });
    expect(run.verdict).toBe("ok");
  });

  it("a second arm of a zero-copy skb attaches nothing: its notif completes at io_notif_flush", () => {
    const run = clean(trace(`${ARMED}\nzerocopy_arm(a)`, NOTIF));
    expect(run.snapshotAt(5).ubufs.get("u2" as never)).toMatchObject({ refcnt: 0, callbacks: 1 });
    expect(run.steps[4].events.find((e) => e.kind === "completion")).toMatchObject({ buffer: "z2", via: "io_notif_complete" });
    expect([...run.final.datas.values()][0].zcopy?.ubuf).toBe("u1");
  });

  it("a copied send (skb_copy_ubufs) is reported as copied, still after the last reference", () => {
    const run = clean(trace(`${ARMED}\nskb_copy_ubufs(a)\nkfree_skb(a)`, NOTIF));
    const done = run.steps[4].events.find((e) => e.kind === "completion");
    expect(done).toMatchObject({ buffer: "z1", success: false });
    expect(run.verdict).toBe("ok");
  });
});
