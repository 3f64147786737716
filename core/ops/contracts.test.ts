// SPDX-License-Identifier: GPL-2.0-only
/**
 * Caller contracts (issue 11.3): one table, enforced the same way by the
 * engine (run, check and the app replay through runTrace) and the search.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveArgs } from "../engine/apply";
import { runTrace } from "../engine/replay";
import { DEFAULT_OPS, candidates } from "../search/menu";
import { EMPTY_SUMMARY, judgeSteps } from "../search/step";
import { POLICIES, type KernelId, type PolicyId } from "../model/types";
import { guidedTrace, GUIDED_SETUP } from "../testdata/guided";
import { trace } from "../testdata/harness";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { CONTRACTS, brokenContract } from "./contracts";
import { OPS } from "./index";

const ARMED = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;

describe("caller contracts", () => {
  it("every contract names operations that exist, a rule and a 6.1 source", () => {
    for (const c of CONTRACTS) {
      for (const fn of c.fns) expect(OPS.has(fn), `${c.id}: ${fn}`).toBe(true);
      expect(c.rule.length).toBeGreaterThan(0);
      expect(c.source).toMatch(/6\.1|skbuff|tcp|sock/);
    }
    expect(new Set(CONTRACTS.map((c) => c.id)).size).toBe(CONTRACTS.length);
  });

  it("splicing an skb no socket received is refused, so no policy reports premature on it", () => {
    for (const policy of ["ubuf-orphan", "msg-zerocopy"] as const) {
      const run = trace(`${ARMED}q = skb_splice_bits(a, 0, 4096)\nkfree_skb(a)`, { policy, kernel: "6.1" });
      expect(run.steps[4].error).toMatchObject({ kind: "precondition", fn: "skb_splice_bits", contract: "read-from-receive-queue" });
      expect(run.steps[4].error!.message).toMatch(/caller contract read-from-receive-queue/);
      expect(run.verdict).toBe("ok");
    }
  });

  it("a netlink message is never spliced (the depth-5 msg-zerocopy search's premature, issue 12): it is read by copying", () => {
    // The search's path: the ovs upcall's message b joins the MSG_ZEROCOPY uarg and maps g; a splice
    // of it would keep g in a pipe after the daemon read b and the sender heard.
    const path = `${ARMED}__pskb_pull_tail(a, 2048)\ns = sock_create()\nb = queue_userspace_packet(s, a, true)\nkfree_skb(a)\nq = skb_splice_bits(b, 0, 4124)\nsk_eat_skb(s, b)\n`;
    const run = trace(path, { policy: "msg-zerocopy", kernel: "6.1" });
    expect(run.steps[8].error).toMatchObject({ kind: "precondition", fn: "skb_splice_bits", contract: "splice-stream-sockets" });
    expect(run.findings.map((f) => f.kind)).not.toContain("premature");
    // Flagged, it runs as the function would if called: the premature completion the search met.
    const flagged = trace(`# contracts: flag\n${path}`, { policy: "msg-zerocopy", kernel: "6.1" });
    expect(flagged.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(["unreachable", "premature"]));
    // Copying it out is what netlink_recvmsg does, and stays allowed.
    const copied = trace(`${ARMED}s = sock_create()\nb = queue_userspace_packet(s, a, true)\nskb_copy_datagram_iter(b, 0, 100)\n`, {
      policy: "msg-zerocopy",
      kernel: "6.1",
    });
    expect(copied.steps.every((st) => !st.error)).toBe(true);
    // A socket's own skb still splices.
    const tcp = trace(`${ARMED}s = sock_create()\nsock_queue_rcv_skb(s, a)\nq = skb_splice_bits(a, 0, 4096)\n`, { policy: "msg-zerocopy", kernel: "6.1" });
    expect(tcp.steps.every((st) => !st.error)).toBe(true);
  });

  it("skb_copy_datagram_iter reads only a queued skb", () => {
    const run = trace(`${ARMED}skb_copy_datagram_iter(a, 0, 100)`);
    expect(run.steps[4].error).toMatchObject({ kind: "precondition", contract: "read-from-receive-queue" });
    const queued = trace(`${ARMED}s = sock_create()\nsock_queue_rcv_skb(s, a)\nskb_copy_datagram_iter(a, 0, 100)`);
    expect(queued.steps[6].error).toBeUndefined();
  });

  it("skb_fill_page_desc only at i == nr_frags", () => {
    const run = trace(`${ARMED}h = alloc_page(host)\nskb_fill_page_desc(a, 3, h, 0, 100)\nskb_fill_page_desc(a, 0, h, 0, 100)`);
    expect(run.steps[5].error).toMatchObject({ kind: "precondition", contract: "fill-at-nr-frags" });
    expect(run.steps[6].error).toMatchObject({ kind: "precondition", contract: "fill-at-nr-frags" });
  });

  it("`# contracts: flag` runs a flaggable misuse with an unreachable finding; the rest stays refused", () => {
    const run = trace(`# contracts: flag\n${ARMED}q = skb_splice_bits(a, 0, 4096)\nh = alloc_page(host)\nskb_fill_page_desc(a, 3, h, 0, 100)`, {
      policy: "msg-zerocopy",
    });
    expect(run.steps[4].error).toBeUndefined();
    expect(run.findings.filter((f) => f.kind === "unreachable")).toEqual([
      expect.objectContaining({ step: 5, message: expect.stringMatching(/read-from-receive-queue.*Linux cannot take this path/) }),
    ]);
    expect(run.steps[6].error).toMatchObject({ kind: "precondition", contract: "fill-at-nr-frags" });
  });

  it("the search menu never offers a step that breaks a contract", () => {
    const start = parseTrace(`${ARMED}c = skb_clone(a)\nh = alloc_page(host)`).trace;
    const state = runTrace(start).final;
    const steps = candidates(state, DEFAULT_OPS);
    expect(steps.length).toBeGreaterThan(10);
    for (const step of steps) for (const op of step) expect(brokenContract(state, op.fn, resolveArgs(op))).toBeNull();
  });

  it("skb_zerocopy's to is fresh and unshared: a cloned to is refused and never offered (both 6.1 callers allocate it)", () => {
    const start = `g = alloc_page(guest)\na = napi_alloc_skb(200)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = alloc_skb(256)\nc = skb_clone(b)\nd = alloc_skb(256)\n`;
    const run = trace(`${start}skb_zerocopy(c, a, 2100, 0)`, { kernel: "6.1" });
    expect(run.steps[7].error).toMatchObject({ kind: "precondition", fn: "skb_zerocopy", contract: "zerocopy-fresh-to" });
    expect(run.steps[7].error!.message).toMatch(/c is cloned/);
    // The clone's original is shared too; a fresh skb is accepted.
    expect(trace(`${start}skb_zerocopy(b, a, 2100, 0)`, { kernel: "6.1" }).steps[7].error).toMatchObject({ contract: "zerocopy-fresh-to" });
    expect(trace(`${start}skb_zerocopy(d, a, 2100, 0)`, { kernel: "6.1" }).steps[7].error).toBeUndefined();
    const state = runTrace(parseTrace(start).trace).final;
    const tos = candidates(state, DEFAULT_OPS)
      .flat()
      .filter((op) => op.fn === "skb_zerocopy")
      .map((op) => resolveArgs(op)[0]);
    expect(new Set(tos)).toEqual(new Set(["d"]));
  });

  it("property: run/check and search agree on which steps break a contract", () => {
    const prefix = parseTrace(GUIDED_SETUP).trace.ops;
    const arb = fc
      .record({
        policy: fc.constantFrom<PolicyId>(...POLICIES),
        kernel: fc.constantFrom<KernelId>("6.1", "2.6.32"),
        draws: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 30 }),
      })
      .map(({ policy, kernel, draws }) => {
        const t = guidedTrace(draws, kernel, policy, prefix);
        return { policy, kernel, trace: Object.assign(t, { [fc.toStringMethod]: () => printTrace(t) }) };
      });
    let broken = 0;
    fc.assert(
      fc.property(arb, ({ policy, kernel, trace: t }) => {
        const run = runTrace(t, { policy, kernel });
        run.steps.forEach((s, i) => {
          const before = run.snapshotAt(i);
          const spec = OPS.get(s.op.fn);
          const expected = spec && (!spec.kernels || spec.kernels.includes(kernel)) ? brokenContract(before, spec.fn, resolveArgs(s.op)) : null;
          const got = s.error?.kind === "precondition" ? (s.error.contract ?? null) : null;
          // run (and so check and the app) refuses exactly what the table refuses
          expect(got).toBe(expected?.contract.id ?? null);
          // the search's step refuses it the same way
          const judged = judgeSteps(policy, before, EMPTY_SUMMARY, [s.op], "quiescent");
          expect(judged.error?.kind === "precondition" ? (judged.error.contract ?? null) : null).toBe(got);
          if (expected) broken++;
          // and the search's menu never offers it
          if (expected) {
            const offered = candidates(before, DEFAULT_OPS).some((step) => step.some((op) => printTrace({ ops: [op] }) === printTrace({ ops: [s.op] })));
            expect(offered).toBe(false);
          }
        });
      }),
      { numRuns: 150 },
    );
    expect(broken).toBeGreaterThan(0);
  });
});

describe("the README's contracts table", () => {
  it("lists every contract of the table, and no other", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### Caller contracts"), readme.indexOf("## The trace language"));
    const listed = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(CONTRACTS.map((c) => c.id));
  });
});
