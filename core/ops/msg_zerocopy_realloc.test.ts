// SPDX-License-Identifier: GPL-2.0-only
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runTrace } from "../engine/replay";
import { stateView } from "../engine/view";
import { GUIDED_SETUP, guidedTrace } from "../testdata/guided";
import { clean, trace, verdicts, view } from "../testdata/harness";
import { parseTrace } from "../trace/parse";
import { ref } from "./spec";

// Read: 6.1 net/ipv4/tcp.c tcp_sendmsg_locked() l.1238-1256, l.1416, l.1469;
// net/core/skbuff.c msg_zerocopy_alloc() l.1292, msg_zerocopy_realloc()
// l.1329-1376, msg_zerocopy_callback() l.1449, skb_zerocopy_iter_stream()
// l.1473; include/linux/skbuff.h skb_zcopy_set() l.1727, net_zcopy_put() l.1755.
const TWO = `g1 = alloc_page(guest)\ng2 = alloc_page(guest)\na = alloc_skb_fclone(256)\nskb_fill_page_desc(a, 0, g1, 0, 4096)\nzerocopy_arm(a)\nb = alloc_skb_fclone(256)\nskb_fill_page_desc(b, 0, g2, 0, 4096)`;
const u1 = (run: ReturnType<typeof trace>) => run.final.ubufs.get("u1" as never)!;

describe("skb_zcopy_set (one sendmsg over several skbs)", () => {
  it("b takes a reference (+1) and carries a's uarg; the buffer covers both pages", () => {
    const run = clean(trace(`${TWO}\nskb_zcopy_set(b, a)`, { policy: "msg-zerocopy" }));
    expect(u1(run)).toMatchObject({ refcnt: 2, callbacks: 1 });
    expect(run.final.datas.get(run.final.skbs.get("b" as never)!.head)!.zcopy).toEqual({ ubuf: "u1", dont_orphan: true });
    expect(run.final.buffers.get("z1" as never)!.pages).toEqual(["g1", "g2"]);
  });

  it("a second skb_zcopy_set on the same skb takes nothing", () => {
    const run = clean(trace(`${TWO}\nskb_zcopy_set(b, a)\nskb_zcopy_set(b, a)`, { policy: "msg-zerocopy" }));
    expect(u1(run).refcnt).toBe(2);
  });

  it("the notification comes after the LAST skb: freeing a leaves refcnt 1, freeing b completes", () => {
    const run = clean(trace(`${TWO}\nskb_zcopy_set(b, a)\nkfree_skb(a)\nkfree_skb(b)`, { policy: "msg-zerocopy" }));
    expect(run.snapshotAt(9).ubufs.get("u1" as never)!.refcnt).toBe(1);
    expect(run.snapshotAt(9).buffers.get("z1" as never)!.completions).toEqual([]);
    expect(u1(run)).toMatchObject({ refcnt: 0, callbacks: 3, zerocopy: true });
    expect(run.final.buffers.get("z1" as never)!.completions).toEqual([10]);
  });

  it("-EEXIST when b already carries another uarg", () => {
    const run = trace(`${TWO}\nzerocopy_arm(b)\nskb_zcopy_set(b, a)`, { policy: "msg-zerocopy" });
    expect(run.steps[8].error).toMatchObject({ kind: "kernel-check", fn: "skb_zerocopy_iter_stream" });
  });

  it("per-skb mechanisms armed on a alone tell the owner while b still holds g2", () => {
    const src = `${TWO}\nskb_zcopy_set(b, a)\nkfree_skb(a)\nkfree_skb(b)\nowner_reuse(g1)\nowner_reuse(g2)`;
    expect(verdicts(src)).toMatchObject({ "page-refs": "ok", destructor: "premature", "shinfo-release": "premature", "msg-zerocopy": "ok" });
  });
});

describe("msg_zerocopy_realloc (a later sendmsg extends the tail's uarg)", () => {
  it("+1 (net_zcopy_get), +1 (skb_zcopy_set b), -1 (net_zcopy_put); uarg->len 2", () => {
    const run = clean(trace(`${TWO}\nmsg_zerocopy_realloc(b, a)`, { policy: "msg-zerocopy" }));
    expect(u1(run)).toMatchObject({ refcnt: 2, len: 2, callbacks: 2 });
    expect(run.final.buffers.get("z1" as never)!.pages).toEqual(["g1", "g2"]);
    // The view shows uarg->len only once extended (old views are unchanged).
    expect(stateView(run.final).ubufs[0].len).toBe(2);
    expect(stateView(run.snapshotAt(7)).ubufs[0]).not.toHaveProperty("len");
  });

  it("appending to the tail skb itself: +1, nothing for skb_zcopy_set, -1", () => {
    const run = clean(trace(`${TWO}\nmsg_zerocopy_realloc(a, a)`, { policy: "msg-zerocopy" }));
    expect(u1(run)).toMatchObject({ refcnt: 1, len: 2 });
  });

  it("no uarg on the tail: msg_zerocopy_alloc, a new uarg armed on b", () => {
    const run = clean(trace(`${TWO}\nskb_copy_ubufs(a)\nmsg_zerocopy_realloc(b, a)`, { policy: "msg-zerocopy" }));
    expect(run.final.ubufs.get("u2" as never)).toMatchObject({ refcnt: 1 });
    expect(view(run.final).pages).toMatchObject({ g1: 0, g2: 1 });
  });

  it("a vhost ubuf on the tail: NULL, -ENOBUFS", () => {
    const run = trace(`${TWO}\nmsg_zerocopy_realloc(b, a)`, { policy: "ubuf-orphan" });
    expect(run.steps[7].error).toMatchObject({ kind: "kernel-check", check: "uarg->callback != msg_zerocopy_callback" });
  });

  it("datagram (UDP MSG_MORE) append to the corked skb: len+1, no reference taken, nothing put", () => {
    const src = `${TWO}\nmsg_zerocopy_realloc(a, a, false)`;
    expect(u1(clean(trace(src, { policy: "msg-zerocopy" })))).toMatchObject({ refcnt: 1, len: 2, callbacks: 1 });
    // Before 100f6d8e0990: +1 for the extension, extra_uref left over: 2 with one skb.
    const pre = clean(trace(src, { policy: "msg-zerocopy", without: ["zerocopy-realloc-dgram-ref"] }));
    expect(u1(pre)).toMatchObject({ refcnt: 2, len: 2 });
    expect(pre.steps[7].events.some((e) => e.kind === "warn" && e.fn === "__ip_append_data")).toBe(true);
  });

  it("datagram append into a new skb of the cork: +1 for it (6.1); before the fix the extra reference was handed to it, so the same count", () => {
    const src = `${TWO}\nmsg_zerocopy_realloc(b, a, false)`;
    expect(u1(clean(trace(src, { policy: "msg-zerocopy" })))).toMatchObject({ refcnt: 2, len: 2 });
    expect(u1(clean(trace(src, { policy: "msg-zerocopy", without: ["zerocopy-realloc-dgram-ref"] })))).toMatchObject({ refcnt: 2, len: 2 });
  });

  it("without the fix a corked append is never completed: missed", () => {
    const src = `${TWO}\nmsg_zerocopy_realloc(a, a, false)\nkfree_skb(a)\nkfree_skb(b)\nowner_reuse(g1)`;
    expect(verdicts(src)["msg-zerocopy"]).toBe("ok");
    expect(verdicts(src, ["zerocopy-realloc-dgram-ref"])["msg-zerocopy"]).toBe("missed");
  });

  it("one notification after the last skb under msg-zerocopy", () => {
    const src = `${TWO}\nmsg_zerocopy_realloc(b, a)\nkfree_skb(a)\nkfree_skb(b)\nowner_reuse(g1)\nowner_reuse(g2)`;
    expect(verdicts(src)["msg-zerocopy"]).toBe("ok");
  });
});

describe("one uarg, several skbs: properties over random traces", () => {
  // Every skb_zcopy_set / msg_zerocopy_realloc starts from a's uarg; the
  // guided generator adds every other op of the registry in between.
  const PREFIX = parseTrace(`${GUIDED_SETUP}\nb = alloc_skb_fclone(256)\nh = alloc_page(guest)\nskb_fill_page_desc(b, 0, h, 0, 4096)`).trace.ops;
  const draw = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat());
  const SHARE = [
    { fn: "skb_zcopy_set", args: [ref("b"), ref("a")] },
    { fn: "msg_zerocopy_realloc", args: [ref("b"), ref("a")] },
  ];

  it("between sendmsg calls a MSG_ZEROCOPY uarg's refcnt is the number of Datas that carry it, and it completes exactly when that reaches 0", () => {
    fc.assert(
      fc.property(fc.array(draw, { maxLength: 12 }), fc.nat({ max: 1 }), fc.array(draw, { maxLength: 12 }), (before, which, after) => {
        const first = guidedTrace(before, "6.1", "msg-zerocopy", PREFIX).ops;
        const ops = guidedTrace(after, "6.1", "msg-zerocopy", [...first, SHARE[which]]).ops;
        const run = runTrace({ ...parseTrace("# kernel: 6.1\n# policy: msg-zerocopy\n").trace, ops });
        for (let k = 0; k <= run.steps.length; k++) {
          const s = run.snapshotAt(k);
          for (const u of s.ubufs.values()) {
            if (u.kind !== "msgzc") continue;
            const carriers = [...s.datas.values()].filter((d) => d.zcopy?.ubuf === u.name).length;
            expect(u.refcnt, `step ${k}: ${u.name}`).toBe(carriers);
            const done = s.buffers.get(u.buffer)!.completions.length;
            expect(done, `step ${k}: ${u.name} completions`).toBe(u.refcnt === 0 ? 1 : 0);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
