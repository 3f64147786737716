// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { Run } from "../engine/replay";

// Read (6.1): io_uring/net.c io_send_zc() l.1120-1216, io_sg_from_iter()
// l.1069-1118; io_uring/notif.c io_alloc_notif() l.48-72,
// io_uring_tx_zerocopy_callback() l.28-46, io_notif_flush() l.74-83;
// net/ipv4/tcp.c tcp_sendmsg_locked() l.1241-1243, l.1403-1416, l.1469;
// net/core/skbuff.c skb_release_data() l.766-803 (skip_unref l.776-781),
// __skb_zcopy_downgrade_managed() l.1503-1511, pskb_expand_head() l.1847,
// skb_split() l.3643-3656; include/linux/skbuff.h skb_frag_unref() l.3518-3525.
const SEND = `g = alloc_page(guest)
a = alloc_skb(0)
io_send_zc(a, g, 0, 4096)
`;
const NOTIF = { policy: "io-uring-notif" } as const;
const u = (run: Run, step: number, name = "u1") => run.snapshotAt(step).ubufs.get(name as never)!;
const h = (run: Run, step: number, id: string) => run.snapshotAt(step).datas.get(id as never)!;
const page = (run: Run, step: number) => run.snapshotAt(step).pages.get("g" as never)!;

describe("io_send_zc", () => {
  it("an empty skb: the frag holds no page reference, the notif pins g and keeps refcnt 1", () => {
    const run = clean(trace(SEND, NOTIF));
    // alloc 1, net_zcopy_get 2, skb_zcopy_set 3, net_zcopy_put 2, io_notif_flush 1.
    expect(u(run, 3)).toMatchObject({ kind: "io-notif", refcnt: 1, callbacks: 1, dont_orphan: true, pins: ["g"] });
    expect(h(run, 3, "h1")).toMatchObject({ managed_frag_refs: true, pure_zerocopy: true, zcopy: { ubuf: "u1", dont_orphan: true } });
    // The caller's reference became the pin: refcount 1, caller 0.
    expect(page(run, 3)).toMatchObject({ refcount: 1, caller: 0 });
    expect(view(run.final).holders.g).toEqual(["h1.frags[0]", "u1.pin"]);
    expect(view(run.final).skbs.a).toMatchObject({ len: 4096, data_len: 4096, frags: ["g+0:4096"] });
    expect(run.final.skbs.get("a" as never)!.truesize - run.snapshotAt(2).skbs.get("a" as never)!.truesize).toBe(4096);
    expect([...run.final.buffers.values()]).toEqual([{ id: "z1", skb: "a", pages: ["g"], armedAt: 3, completions: [] }]);
    expect(run.findings).toEqual([]);
  });

  it("the free skips managed frags (skip_unref); refcnt 0 drops the pin, then the CQE: on time", () => {
    const run = clean(trace(`${SEND}kfree_skb(a)`, NOTIF));
    expect(page(run, 4)).toMatchObject({ refcount: 0, caller: 0 });
    expect(u(run, 4)).toMatchObject({ refcnt: 0, callbacks: 2 });
    expect(u(run, 4).pins).toBeUndefined();
    const completions = run.steps[3].events.filter((e) => e.kind === "completion");
    expect(completions).toEqual([{ kind: "completion", buffer: "z1", via: "io_notif_complete", success: true, holders: [] }]);
    expect(run.steps[3].events.some((e) => e.kind === "refcount_underflow")).toBe(false);
    expect(run.verdict).toBe("ok");
  });

  it("an skb with frags that are not managed: the generic path takes a page reference", () => {
    const run = clean(
      trace(
        `k = alloc_page(host)\na = alloc_skb(0)\nskb_fill_page_desc(a, 0, k, 0, 100)\ng = alloc_page(guest)\nio_send_zc(a, g, 0, 1000)\nkfree_skb(a)`,
        NOTIF,
      ),
    );
    expect(h(run, 5, "h1").managed_frag_refs).toBeUndefined();
    // a was not empty: no SKBFL_PURE_ZEROCOPY.
    expect(h(run, 5, "h1").pure_zerocopy).toBeUndefined();
    expect(page(run, 5)).toMatchObject({ refcount: 2, caller: 0 }); // pin + frag
    expect(page(run, 6).refcount).toBe(0); // frag put, then the pin at refcnt 0
    expect(run.verdict).toBe("ok");
  });

  it("under page-refs the notif is silent: the owner hears when the pin goes", () => {
    const run = clean(trace(`${SEND}kfree_skb(a)`));
    const completions = run.steps[3].events.filter((e) => e.kind === "completion");
    expect(completions).toEqual([{ kind: "completion", buffer: "z1", via: "page refcounts", success: true, holders: [] }]);
    expect(u(run, 3).silent).toBe(true);
    expect(run.verdict).toBe("ok");
    // A policy io_uring never arms never tells the owner.
    expect(trace(`${SEND}kfree_skb(a)`, { policy: "msg-zerocopy" }).verdict).toBe("missed");
  });

  it("refuses what io_uring and TCP never do; the state is unchanged", () => {
    const host = trace(`g = alloc_page(host)\na = alloc_skb(0)\nio_send_zc(a, g, 0, 4096)`, NOTIF);
    expect(host.steps[2].error).toMatchObject({ kind: "precondition" });
    const cloned = trace(`g = alloc_page(guest)\na = alloc_skb(0)\nb = skb_clone(a)\nio_send_zc(a, g, 0, 4096)`, NOTIF);
    expect(cloned.steps[3].error).toMatchObject({ kind: "precondition" });
    const twice = trace(`${SEND}get_page(g)\nio_send_zc(a, g, 0, 100)`, NOTIF);
    expect(twice.steps[4].error).toMatchObject({ kind: "precondition" });
    expect(twice.final.ubufs.size).toBe(1);
    const noRef = trace(`g = alloc_page(guest)\nput_page(g)\na = alloc_skb(0)\nio_send_zc(a, g, 0, 4096)`, NOTIF);
    expect(noRef.steps[3].error).toMatchObject({ kind: "precondition" });
    expect(noRef.final.buffers.size).toBe(0);
    const old = trace(`# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(0)\nio_send_zc(a, g, 0, 4096)`);
    expect(old.steps[2].error).toMatchObject({ kind: "unsupported" });
  });
});

describe("managed frags at the downgrade sites", () => {
  it("pskb_expand_head on a clone: downgrade +1, skb_frag_ref +1, uarg +1; both Datas unmanaged", () => {
    const run = clean(trace(`${SEND}b = skb_clone(a)\npskb_expand_head(a, 0, 0)\nkfree_skb(b)\nkfree_skb(a)`, NOTIF));
    expect(page(run, 5).refcount).toBe(3);
    expect(u(run, 5).refcnt).toBe(2);
    expect(h(run, 5, "h1").managed_frag_refs).toBeUndefined();
    expect(h(run, 5, "h2").managed_frag_refs).toBeUndefined();
    expect(page(run, 6).refcount).toBe(2);
    expect(page(run, 7).refcount).toBe(0); // h2's put, then the pin at refcnt 0
    expect(run.findings).toEqual([]);
    expect(run.verdict).toBe("ok");
  });

  it("pskb_expand_head without the downgrade: the new Data copies the flag, and the clone's skb_frag_ref leaks", () => {
    const run = trace(`${SEND}b = skb_clone(a)\npskb_expand_head(a, 0, 0)\nkfree_skb(b)\nkfree_skb(a)`, { ...NOTIF, without: ["managed-downgrade-expand"] });
    expect(page(run, 5).refcount).toBe(2);
    expect(h(run, 5, "h2").managed_frag_refs).toBe(true);
    expect(page(run, 7).refcount).toBe(1);
    expect(run.findings.map((f) => f.kind)).toEqual(["conservation", "conservation"]);
  });

  it("pskb_expand_head, sole owner: the downgrade's references move to the new Data", () => {
    const run = clean(trace(`${SEND}pskb_expand_head(a, 64, 0)\nkfree_skb(a)`, NOTIF));
    expect(page(run, 4).refcount).toBe(2);
    expect(h(run, 4, "h2").managed_frag_refs).toBeUndefined();
    expect(page(run, 5).refcount).toBe(0);
    expect(run.verdict).toBe("ok");
  });

  it("skb_split: downgrade +1, the straddling frag +1, skb1 joins u1 and gets SKBFL_PURE_ZEROCOPY", () => {
    const run = clean(trace(`${SEND}b = skb_split(a, 1000)\nkfree_skb(a)\nkfree_skb(b)`, NOTIF));
    expect(page(run, 4).refcount).toBe(3);
    expect(u(run, 4).refcnt).toBe(2);
    expect(h(run, 4, "h1").managed_frag_refs).toBeUndefined();
    expect(h(run, 4, "h2")).toMatchObject({ pure_zerocopy: true, zcopy: { ubuf: "u1" } });
    expect(h(run, 4, "h2").managed_frag_refs).toBeUndefined();
    expect(page(run, 5).refcount).toBe(2);
    expect(page(run, 6).refcount).toBe(0);
    expect(run.verdict).toBe("ok");
  });

  it("skb_split without the downgrade: skb1 puts a reference nobody took (the pin's)", () => {
    const src = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nio_send_zc(a, g, 0, 4096)\nb = skb_split(a, 100)\nkfree_skb(b)\nkfree_skb(a)`;
    const fixed = clean(trace(src));
    expect(page(fixed, 5).refcount).toBe(2);
    expect(fixed.verdict).toBe("ok");
    const run = trace(src, { without: ["managed-downgrade-split"] });
    expect(page(run, 5).refcount).toBe(1);
    expect(h(run, 5, "h1").managed_frag_refs).toBe(true);
    expect(page(run, 6).refcount).toBe(0);
    expect(run.steps[5].findings.map((f) => f.kind)).toEqual(["premature", "conservation"]);
    expect(run.steps[6].findings.map((f) => f.kind)).toEqual(["refcount-underflow"]);
  });

  it("kfree_skb without skip_unref puts the frag: the pin's reference goes, and the pin's own put underflows", () => {
    const run = trace(`${SEND}kfree_skb(a)`, { without: ["managed-skip-unref"] });
    expect(run.steps[3].findings.map((f) => f.kind)).toEqual(["premature", "refcount-underflow"]);
    expect(run.verdict).toBe("premature");
  });

  it("skb_tx_error on an uncloned skb: downgrade, callback, the free puts the downgrade's reference", () => {
    const run = clean(trace(`${SEND}skb_tx_error(a)`, NOTIF));
    expect(page(run, 4).refcount).toBe(0);
    expect(u(run, 4)).toMatchObject({ refcnt: 0, callbacks: 2 });
    expect(run.findings).toEqual([]);
    expect(run.verdict).toBe("ok");
  });

  it("a page filled onto a managed skb: the caller's downgrade first, so every frag's reference is put", () => {
    // core/testdata/regressions/fill-onto-managed-frags.trace, found by the property test.
    const run = clean(trace(`${SEND}get_page(g)\nskb_fill_page_desc(a, 1, g, 0, 96)\nkfree_skb(a)`, NOTIF));
    expect(h(run, 5, "h1").managed_frag_refs).toBeUndefined();
    // pin + the downgraded frags[0] + the caller's reference handed to frags[1]
    expect(page(run, 5)).toMatchObject({ refcount: 3, caller: 0 });
    expect(page(run, 6).refcount).toBe(0);
    expect(run.findings).toEqual([]);
    expect(run.verdict).toBe("ok");
  });

  it("pskb_trim and __pskb_pull_tail drop managed frags without a put (skb_frag_unref)", () => {
    const trim = clean(trace(`g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nio_send_zc(a, g, 0, 4096)\npskb_trim(a, 100)\nkfree_skb(a)`, NOTIF));
    expect(view(trim.snapshotAt(5)).skbs.a.frags).toEqual([]);
    expect(page(trim, 5).refcount).toBe(1); // the pin only
    expect(trim.findings).toEqual([]);
    expect(trim.verdict).toBe("ok");
    // Enough tailroom, not cloned: no expansion, the frag is eaten in part and stays managed.
    const pull = clean(trace(`${SEND}__pskb_pull_tail(a, 100)\nkfree_skb(a)`, NOTIF));
    expect(page(pull, 4).refcount).toBe(1);
    expect(h(pull, 4, "h1").managed_frag_refs).toBe(true);
    expect(view(pull.snapshotAt(4)).skbs.a.frags).toEqual(["g+100:3996"]);
    expect(pull.findings).toEqual([]);
    // A clone makes it expand, which downgrades: pin + h1's + h2's reference.
    const cloned = clean(trace(`${SEND}b = skb_clone(a)\n__pskb_pull_tail(a, 100)\nkfree_skb(b)\nkfree_skb(a)`, NOTIF));
    expect(page(cloned, 5).refcount).toBe(3);
    expect(page(cloned, 7).refcount).toBe(0);
    expect(cloned.findings).toEqual([]);
  });
});
