// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, PREFIX, trace, view } from "../testdata/harness";

// Read: 6.1 net/core/skbuff.c skb_tx_error() l.1014-1020; include/linux/skbuff.h
// skb_zcopy_clear() l.1772-1782; net/core/skbuff.c msg_zerocopy_callback() (refcnt).
// PREFIX: g mapped into a (Data h1, dataref 1), zerocopy_arm(a): ubuf u1, refcnt 1.
const ubuf = (run: ReturnType<typeof trace>, step: number) => run.snapshotAt(step).ubufs.get("u1" as never)!;

describe("skb_tx_error", () => {
  it("an uncloned skb: the callback runs once (refcnt 1 -> 0), the flags go, the skb is freed", () => {
    const run = clean(trace(`${PREFIX}skb_tx_error(a)`, { policy: "msg-zerocopy" }));
    expect(ubuf(run, 5)).toMatchObject({ refcnt: 0, callbacks: 2 }); // zerocopy_arm's net_zcopy_put, then this one
    expect(run.final.skbs.size).toBe(0);
    expect(run.final.datas.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
    // Judged after the free's page puts: on time.
    expect(run.steps[4].events.filter((e) => e.kind === "completion")).toEqual([
      { kind: "completion", buffer: "z1", via: "msg_zerocopy_callback", success: true, holders: [] },
    ]);
    expect(run.verdict).toBe("ok");
  });

  it("a clone (6.1.190): the shared zero-copy state is left alone; one dataref goes", () => {
    const run = clean(trace(`${PREFIX}b = skb_clone(a)\nskb_tx_error(b)`, { policy: "msg-zerocopy" }));
    const v = view(run.snapshotAt(6));
    expect(v.skbs.a).toMatchObject({ head: "h1", dataref: 1 });
    expect(v.skbs.b).toBeUndefined();
    expect(v.pages.g).toBe(1);
    expect(ubuf(run, 6)).toMatchObject({ refcnt: 1, callbacks: 1 });
    expect(run.snapshotAt(6).datas.get("h1" as never)!.zcopy).not.toBeNull();
    expect(run.steps[5].events.some((e) => e.kind === "completion")).toBe(false);
  });

  it("a clone before the fix: the callback runs and the shared shinfo loses its zero-copy state", () => {
    const run = clean(trace(`${PREFIX}b = skb_clone(a)\nskb_tx_error(b)\nkfree_skb(a)`, { policy: "msg-zerocopy", without: ["tx-error-cloned"] }));
    expect(ubuf(run, 6)).toMatchObject({ refcnt: 0, callbacks: 2 });
    expect(run.snapshotAt(6).datas.get("h1" as never)!.zcopy).toBeNull();
    expect(view(run.snapshotAt(6)).pages.g).toBe(1);
    expect(run.steps[5].findings.map((f) => f.kind)).toEqual(["premature"]);
    expect(run.steps[5].findings[0].holder).toBe("h1.frags[0]");
    // The last free runs no callback: h1 no longer says it is zero-copy.
    expect(ubuf(run, 7)).toMatchObject({ refcnt: 0, callbacks: 2 });
    expect(run.verdict).toBe("premature");
  });

  it("refuses a shared skb: the driver's error path owns the skb it frees", () => {
    const run = trace(`${PREFIX}skb_get(a)\nskb_tx_error(a)`, { policy: "msg-zerocopy" });
    expect(run.steps[5].error).toMatchObject({ kind: "precondition" });
    expect(ubuf(run, 6)).toMatchObject({ refcnt: 1 });
  });

  it("a skb with no ubuf is just freed; 2.6.32 has no skb_tx_error", () => {
    const run = clean(trace(`g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nskb_tx_error(a)`));
    expect(run.final.skbs.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
    const old = trace(`# kernel: 2.6.32\na = alloc_skb(256)\nskb_tx_error(a)`);
    expect(old.steps[1].error).toMatchObject({ kind: "unsupported" });
  });
});
