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
import { DEFAULT_OPS, ROOT_OPS, candidates, menuOps } from "./menu";
import { DEFAULT_PREFIX, replayPath, search, searchThrough, throughShortcut, type ThroughResult } from "./search";
import { judgeSteps } from "./step";

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
  it.each([
    ["shinfo-release", "6.1"],
    ["shinfo-release", "2.6.32"],
    ["msg-zerocopy", "6.1"],
  ] as const)(
    "%s on %s, depth 2: each operation's search finds what every path through it shows, path by path",
    (policy, kernel) => {
      // Brute force: every path of up to 2 steps, no state merged, no order
      // left out; a kind counts at step L when the first L steps call the
      // operation (what a search with `require` records).
      const ops = menuOps(DEFAULT_OPS, kernel);
      const start = replayPath({ policy, kernel }, DEFAULT_PREFIX);
      const shortest = new Map<string, Map<string, number>>();
      const note = (fns: ReadonlySet<string>, kinds: readonly string[], length: number) => {
        for (const fn of fns) {
          const m = shortest.get(fn) ?? shortest.set(fn, new Map()).get(fn)!;
          for (const k of kinds) if (!m.has(k) || m.get(k)! > length) m.set(k, length);
        }
      };
      for (const first of candidates(start.state, ops)) {
        const one = judgeSteps(policy, start.state, start.summary, first, "quiescent");
        if (one.error) continue;
        const used1 = new Set(first.map((op) => op.fn));
        note(used1, one.kinds, 1);
        for (const second of candidates(one.state, ops)) {
          const two = judgeSteps(policy, one.state, one.summary, second, "quiescent");
          if (two.error) continue;
          note(new Set([...used1, ...second.map((op) => op.fn)]), two.kinds, 2);
        }
      }
      expect([...shortest.values()].some((m) => m.size > 0)).toBe(true);
      const full = searchThrough({ policy, kernel, maxDepth: 2, maxStates: Infinity });
      for (const t of full) {
        const want = [...(shortest.get(t.op) ?? new Map<string, number>())].map(([k, n]) => `${k}/${n}`).sort();
        expect(t.result.counterexamples.map((c) => `${c.kind}/${c.length}`).sort(), t.op).toEqual(want);
      }
    },
    240_000,
  );
});
