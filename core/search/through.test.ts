// SPDX-License-Identifier: GPL-2.0-only
/**
 * The per-operation shortcut (throughShortcut): with the whole search
 * beside them, the searches through each operation look only for the kinds
 * the whole search found and take a whole-search counterexample that
 * already calls the operation as theirs. They must report exactly the
 * kinds and shortest lengths the full per-operation searches report, for
 * every policy on every kernel it applies to.
 */
import { describe, expect, it } from "vitest";
import { KERNELS } from "../model/types";
import { POLICIES, policyApplies } from "../model/policies";
import { ROOT_OPS } from "./menu";
import { search, searchThrough, throughShortcut, type ThroughResult } from "./search";

const cases = POLICIES.flatMap((policy) => KERNELS.filter((kernel) => policyApplies(policy, kernel)).map((kernel) => [policy, kernel] as const));
const shape = (report: readonly ThroughResult[]) =>
  Object.fromEntries(report.map((t) => [t.op, t.result.counterexamples.map((c) => `${c.kind}/${c.length}${c.verified ? "" : " unverified"}`)]));

describe("per-operation searches settled by the whole search give the full searches' kinds and lengths", () => {
  it.each(cases)(
    "%s on %s, depth 2",
    (policy, kernel) => {
      const options = { policy, kernel, maxDepth: 2, maxStates: Infinity } as const;
      const whole = search(options);
      const full = searchThrough(options);
      const quick = searchThrough(options, ROOT_OPS, whole);
      expect(shape(quick)).toEqual(shape(full));
      // Every shortcut result says it leaned on the whole search.
      expect(quick.every((t) => t.result.impliedBy === "whole-search" || t.result.kindsImpliedBy === "whole-search")).toBe(true);
      expect(full.some((t) => t.result.kindsImpliedBy !== undefined)).toBe(false);
    },
    120_000,
  );

  it("depth 3, msg-zerocopy on 6.1: late through every operation, found without re-exploring", () => {
    const options = { policy: "msg-zerocopy", kernel: "6.1", maxDepth: 3, maxStates: Infinity } as const;
    const whole = search(options);
    expect(whole.counterexamples.map((c) => c.kind)).toEqual(["late"]);
    const full = searchThrough(options);
    const quick = searchThrough(options, ROOT_OPS, whole);
    expect(shape(quick)).toEqual(shape(full));
    // The whole counterexample calls queue_userspace_packet: that operation's is implied, not searched.
    const upcall = quick.find((t) => t.op === "queue_userspace_packet")!;
    expect(upcall.result.impliedKinds).toEqual(["late"]);
    expect(upcall.result.impliedBy).toBe("whole-search");
    // skb_orphan is never offered (no skb the caller holds gets a destructor): the whole search
    // took it on no path, so no path goes through it; the full search agrees, having looked.
    expect(whole.neverApplied).toContain("skb_orphan");
    const orphan = quick.find((t) => t.op === "skb_orphan")!;
    expect(orphan.result).toMatchObject({ opNeverApplied: true, impliedBy: "whole-search", counterexamples: [] });
    expect(full.find((t) => t.op === "skb_orphan")!.result.counterexamples).toEqual([]);
    // The others look for late only and stop at it, short of the bound, having seen fewer states.
    const stopped = quick.filter((t) => t.result.stoppedBy === "found");
    expect(stopped.length).toBeGreaterThan(5);
    for (const t of stopped) {
      expect(t.result.kindsImpliedBy).toBe("whole-search");
      expect(t.result.depth).toBeLessThan(3);
      expect(t.result.transitions).toBeLessThan(full.find((f) => f.op === t.op)!.result.transitions);
    }
  }, 240_000);

  it("settles nothing from a whole search that stopped early or was itself restricted", () => {
    const cut = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 3, maxStates: 50 });
    expect(cut.stoppedBy).toBe("budget");
    expect(throughShortcut(cut, "skb_split")).toBeNull();
    const restricted = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 2, require: "skb_split" });
    expect(throughShortcut(restricted, "skb_split")).toBeNull();
    const whole = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 2 });
    expect(throughShortcut(whole, "no_such_op")).toBeNull();
    expect(throughShortcut(whole, "skb_split")?.kinds).toEqual(["late"]);
  });
});
