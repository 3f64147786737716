// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace } from "../testdata/harness";

const ARMED = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)`;

describe("ubuf-orphan", () => {
  it("attaches a vhost ubuf_info (refcnt 1, no DONT_ORPHAN) that completes at refcnt zero", () => {
    const run = clean(trace(`${ARMED}\nkfree_skb(a)`, { policy: "ubuf-orphan" }));
    const armed = run.snapshotAt(4);
    expect([...armed.ubufs.values()]).toMatchObject([{ name: "u1", kind: "vhost", refcnt: 1, dont_orphan: false, buffer: "z1" }]);
    expect([...armed.datas.values()][0].zcopy).toEqual({ ubuf: "u1", dont_orphan: false });
    expect(run.steps[4].events.find((e) => e.kind === "completion")).toMatchObject({ via: "vhost_zerocopy_callback" });
  });

  it("refuses an skb that is already zero-copy (tun's skb_zcopy_init would overwrite its ubuf)", () => {
    const run = trace(`${ARMED}\nzerocopy_arm(a)`, { policy: "ubuf-orphan" });
    expect(run.steps[4].error).toMatchObject({ kind: "precondition", message: "zerocopy_arm: a is already zero-copy" });
  });

  it("fails its kernel check on 2.6.32, which has no ubuf_info", () => {
    const run = trace(ARMED, { policy: "ubuf-orphan", kernel: "2.6.32" });
    expect(run.steps[3].error).toMatchObject({
      kind: "kernel-check",
      message: "zerocopy_arm: ubuf_info — policy ubuf-orphan models 6.1 code; ubuf_info did not exist in 2.6.32",
    });
  });
});
