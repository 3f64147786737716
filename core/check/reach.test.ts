// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 11.4: the checker finds holders through frag_list members (of
 * queued skbs, and of skbs a device queue holds), through any chain of
 * them, and a device queue (dev_queue_xmit) as a holder outside the host
 * stack's control.
 */
import { describe, expect, it } from "vitest";
import { POLICIES, type PolicyId } from "../model/types";
import { completionPolicy } from "../policy/registry";
import { trace } from "../testdata/harness";

const ARMED = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;

/** The zero-copy skb a linked into t's frag_list; t is queued on s. */
const DIRECT = `${ARMED}t = alloc_skb(256)
skb_frag_add_head(t, a)
s = sock_create()
sock_queue_rcv_skb(s, t)
`;

/** The same, one frag_list further down: u -> t -> a. */
const NESTED = `${ARMED}t = alloc_skb(256)
skb_frag_add_head(t, a)
u = alloc_skb(256)
skb_frag_add_head(u, t)
s = sock_create()
sock_queue_rcv_skb(s, u)
`;

describe("checker reach through frag_list", () => {
  it("the page queued directly is late (the reference case)", () => {
    const run = trace(`${ARMED}s = sock_create()\nsock_queue_rcv_skb(s, a)`, { policy: "page-refs" });
    expect(run.verdict).toBe("late");
  });

  // The owner's page is a guest page, or what the policy's owner has (ownerPage).
  const own = (text: string, policy: PolicyId) => text.replace("alloc_page(guest)", completionPolicy(policy).ownerPage ?? "alloc_page(guest)");
  for (const policy of POLICIES) {
    it(`a zero-copy skb on a queued skb's frag_list is late under ${policy} (direct)`, () => {
      const run = trace(own(DIRECT, policy), { policy, kernel: "6.1" });
      expect(run.steps.filter((s) => s.error)).toEqual([]);
      expect(run.verdict).toBe("late");
      const late = run.findings.find((f) => f.kind === "late")!;
      expect(late.message).toMatch(/s \(receive queue, t → frag_list a\)/);
    });

    it(`and through a chain of frag_lists under ${policy} (nested)`, () => {
      const run = trace(own(NESTED, policy), { policy, kernel: "6.1" });
      expect(run.steps.filter((s) => s.error)).toEqual([]);
      expect(run.verdict).toBe("late");
      expect(run.findings.find((f) => f.kind === "late")!.message).toMatch(/s \(receive queue, u → frag_list t → frag_list a\)/);
    });
  }
});

describe("a device queue holds a TX skb (dev_queue_xmit)", () => {
  it("completion waits on the device: late, naming the device queue", () => {
    const run = trace(`${ARMED}dev_queue_xmit(a)`, { policy: "msg-zerocopy", kernel: "6.1" });
    expect(run.steps[4].error).toBeUndefined();
    expect(run.verdict).toBe("late");
    expect(run.findings[0].message).toMatch(/the device queue \(a\)/);
  });

  it("through the frag_list of a transmitted skb too", () => {
    const run = trace(`${ARMED}t = alloc_skb(256)\nskb_frag_add_head(t, a)\ndev_queue_xmit(t)`, { policy: "page-refs" });
    expect(run.verdict).toBe("late");
    expect(run.findings[0].message).toMatch(/the device queue \(t → frag_list a\)/);
  });

  it("GSO segments handed to the device hold the page too", () => {
    const run = trace(`${ARMED}segs = skb_segment(a, 1448)\nkfree_skb(a)\ndev_queue_xmit(segs[0])`, { policy: "page-refs" });
    expect(run.steps.filter((s) => s.error)).toEqual([]);
    expect(run.findings.find((f) => f.kind === "late")!.message).toMatch(/the device queue \(segs\[0\]\)/);
  });

  it("a pipe filled from a frag_list member's pages (splice walks the frag_list) holds them", () => {
    const run = trace(`${DIRECT}q = skb_splice_bits(t, 0, 4096)\nsk_eat_skb(s, t)`, { policy: "page-refs", kernel: "6.1" });
    expect(run.steps.filter((s) => s.error)).toEqual([]);
    expect(run.final.pipes.get("q" as never)!.bufs.map((b) => b.page)).toEqual(["g"]);
    expect(run.findings.map((f) => f.kind)).toEqual(["late"]);
  });

  it("the driver's completion frees it, and the owner is told then", () => {
    const run = trace(`${ARMED}dev_queue_xmit(a)\ndev_consume_skb_any(a)`, { policy: "msg-zerocopy", kernel: "6.1" });
    expect(run.steps.filter((s) => s.error)).toEqual([]);
    expect(run.final.skbs.size).toBe(0);
    expect([...run.final.buffers.values()].map((b) => b.completions)).toEqual([[6]]);
    expect(run.findings.map((f) => f.kind)).toEqual(["late"]);
  });

  it("head-of-line: a buffer the device holds delays only its own completion", () => {
    const run = trace(
      `${ARMED}h = alloc_page(guest)\nb = alloc_skb(256)\nskb_fill_page_desc(b, 0, h, 0, 4096)\nzerocopy_arm(b)\ndev_queue_xmit(a)\ndev_queue_xmit(b)\ndev_consume_skb_any(b)`,
      { policy: "msg-zerocopy", kernel: "6.1" },
    );
    expect(run.steps.filter((s) => s.error)).toEqual([]);
    const late = run.findings.filter((f) => f.kind === "late").map((f) => f.message);
    expect(late).toHaveLength(2);
    // b is done; a is still on the device queue at the end
    expect(run.final.skbs.has("a" as never)).toBe(true);
    expect(run.final.skbs.has("b" as never)).toBe(false);
  });
});
