// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";

// Read: net/core/dev.c __dev_queue_xmit() 6.1 l.4295 ("Regardless of the
// return value, the skb is consumed"), __dev_kfree_skb_any() l.3221;
// include/linux/netdevice.h dev_consume_skb_any() l.3866.
const BASE = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
`;

describe("dev_queue_xmit / dev_consume_skb_any", () => {
  it("the caller's reference goes to the device: users unchanged, the skb on the device queue", () => {
    const run = clean(trace(`${BASE}dev_queue_xmit(a)`));
    expect(run.final.skbs.get("a" as never)!.users).toBe(1);
    expect([...run.final.devq.keys()]).toEqual(["a"]);
    expect(view(run.final).pages.g).toBe(1);
  });

  it("the driver's completion unlinks and frees it; the page goes with the Data", () => {
    const run = clean(trace(`${BASE}dev_queue_xmit(a)\ndev_consume_skb_any(a)`));
    expect(run.final.skbs.size).toBe(0);
    expect(run.final.devq.size).toBe(0);
    expect(view(run.final).pages.g).toBe(0);
  });

  it("with a reference of its own (skb_get), the caller's free leaves the device's", () => {
    const run = clean(trace(`${BASE}skb_get(a)\ndev_queue_xmit(a)\nkfree_skb(a)`));
    expect(run.final.skbs.get("a" as never)!.users).toBe(1);
    expect(run.findings).toEqual([]);
  });

  it("freeing the device's reference behind its back leaves the ring dangling", () => {
    const run = trace(`${BASE}dev_queue_xmit(a)\nkfree_skb(a)`);
    expect(run.findings).toEqual([
      expect.objectContaining({ kind: "use-after-free", message: expect.stringMatching(/device's transmit queue still holds it/) }),
    ]);
  });

  it("caller contracts: sent once, completed only when sent", () => {
    const run = trace(`${BASE}dev_consume_skb_any(a)\ndev_queue_xmit(a)\ndev_queue_xmit(a)`);
    expect(run.steps[3].error).toMatchObject({ kind: "precondition", contract: "xmit-completes-queued" });
    expect(run.steps[4].error).toBeUndefined();
    expect(run.steps[5].error).toMatchObject({ kind: "precondition", contract: "xmit-unqueued" });
  });
});
