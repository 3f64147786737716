// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;

describe("msg-zerocopy", () => {
  it("attaches a DONT_ORPHAN ubuf_info: +1 by skb_zcopy_set, -1 at the end of sendmsg", () => {
    const run = clean(trace(`${ARMED}\nkfree_skb(a)`, { policy: "msg-zerocopy" }));
    const armed = run.snapshotAt(4);
    expect([...armed.ubufs.values()]).toMatchObject([{ name: "u1", kind: "msgzc", refcnt: 1, dont_orphan: true, callbacks: 1 }]);
    expect(run.steps[4].events.find((e) => e.kind === "completion")).toMatchObject({ via: "msg_zerocopy_callback" });
    expect(run.verdict).toBe("ok");
  });

  it("a second arm of a zero-copy skb attaches nothing and completes at once", () => {
    const run = clean(trace(`${ARMED}\nzerocopy_arm(a)`, { policy: "msg-zerocopy" }));
    const events = run.steps[4].events;
    expect(events.find((e) => e.kind === "substep" && e.fn === "skb_zcopy_set")).toBeDefined();
    expect(events.find((e) => e.kind === "completion")).toMatchObject({ buffer: "z2", via: "msg_zerocopy_callback" });
    expect([...run.final.datas.values()][0].zcopy?.ubuf).toBe("u1");
  });
});
