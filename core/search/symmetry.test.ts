// SPDX-License-Identifier: GPL-2.0-only
/**
 * Symmetry at the bound (canon.ts symmetricSteps, SearchOptions.symmetry):
 * a step that is an earlier step of its node renamed by a symmetry of the
 * node is not judged. The search then finds exactly what the unreduced
 * search finds, for every policy on every kernel it applies to.
 */
import { describe, expect, it } from "vitest";
import { KERNELS } from "../model/types";
import { POLICIES, policyApplies } from "../model/policies";
import { parseTrace } from "../trace/parse";
import { stripPositions } from "../trace/ast";
import { symmetricSteps } from "./canon";
import { candidates, DEFAULT_OPS, menuOps } from "./menu";
import { replayPath, search } from "./search";
import { printOp } from "../trace/print";

const cases = POLICIES.flatMap((policy) => KERNELS.filter((kernel) => policyApplies(policy, kernel)).map((kernel) => [policy, kernel] as const));

describe("symmetry at the bound: the same shortest counterexamples as without it, to depth 3", () => {
  it.each(cases)(
    "%s on %s",
    (policy, kernel) => {
      const plain = search({ policy, kernel, maxDepth: 3, maxStates: Infinity });
      const sym = search({ policy, kernel, maxDepth: 3, maxStates: Infinity, symmetry: true });
      const shape = (r: typeof plain) => r.counterexamples.map((c) => ({ kind: c.kind, length: c.length, ops: c.ops.map(printOp), verified: c.verified }));
      expect(shape(sym)).toEqual(shape(plain));
      expect(sym.states).toBe(plain.states);
      expect(plain.symmetric).toBe(0);
      expect(sym.symmetric).toBeGreaterThan(0);
      // A step left out is not applied: the others are the same.
      expect(sym.leaves).toBeLessThan(plain.leaves);
      expect(sym.transitions).toBeLessThanOrEqual(plain.transitions - sym.symmetric + sym.skipped);
    },
    120_000,
  );
});

describe("symmetricSteps", () => {
  const start = (text: string) => replayPath({ policy: "ubuf-orphan", kernel: "6.1" }, stripPositions(parseTrace(text).trace).ops);

  it("two clones of one skb: each step on one is the same step on the other; the armed skb is not theirs", () => {
    const s = start("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nb = skb_clone(a)\nc = skb_clone(a)\n");
    const steps = candidates(s.state, menuOps(DEFAULT_OPS, "6.1"));
    const rep = symmetricSteps(s.state, s.summary, false, steps);
    const text = steps.map((st) => st.map(printOp).join("; "));
    const onC = text.findIndex((t) => t === "kfree_skb(c)");
    const onB = text.findIndex((t) => t === "kfree_skb(b)");
    const onA = text.findIndex((t) => t === "kfree_skb(a)");
    expect(rep[onC]).toBe(onB);
    expect(rep[onB]).toBe(onB);
    expect(rep[onA]).toBe(onA);
    // Every step mapped maps to an earlier one of the same operations.
    for (let i = 0; i < steps.length; i++) {
      expect(rep[i]).toBeLessThanOrEqual(i);
      expect(steps[rep[i]].map((o) => o.fn)).toEqual(steps[i].map((o) => o.fn));
    }
  });

  it("no symmetry, nothing mapped", () => {
    const s = start("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n");
    const steps = candidates(s.state, menuOps(DEFAULT_OPS, "6.1"));
    const rep = symmetricSteps(s.state, s.summary, false, steps);
    expect([...rep]).toEqual(steps.map((_, i) => i));
  });
});
