// SPDX-License-Identifier: GPL-2.0-only
/**
 * The partial-order reduction (footprint.ts, search.ts expandSlice) finds
 * exactly what the full search finds: for every policy on every kernel it
 * applies to, the same shortest counterexample length per kind, and the
 * same states. Depth 3 here (each pair of searches takes seconds); the
 * bench (tools/bench-search.ts --reduce-check 4) runs the same comparison
 * to depth 4.
 */
import { describe, expect, it } from "vitest";
import { KERNELS } from "../model/types";
import { POLICIES, policyApplies } from "../model/policies";
import { search } from "./search";

const DEPTH = 3;
const cases = POLICIES.flatMap((policy) => KERNELS.filter((kernel) => policyApplies(policy, kernel)).map((kernel) => [policy, kernel] as const));

describe(`partial-order reduction: the same shortest counterexamples as the full search, to depth ${DEPTH}`, () => {
  it.each(cases)(
    "%s on %s",
    (policy, kernel) => {
      const full = search({ policy, kernel, maxDepth: DEPTH, maxStates: Infinity, reduce: false });
      const reduced = search({ policy, kernel, maxDepth: DEPTH, maxStates: Infinity, reduce: true });
      const shape = (r: typeof full) => r.counterexamples.map((c) => ({ kind: c.kind, length: c.length, verified: c.verified }));
      expect(shape(reduced)).toEqual(shape(full));
      expect(reduced.states).toBe(full.states);
      expect(reduced.transitions).toBe(full.transitions);
      // It did reduce: some steps were left unjudged (and none in the full search).
      expect(full.skipped).toBe(0);
      expect(reduced.skipped).toBeGreaterThan(0);
      // Each step judged is fingerprinted below the bound, or counted as a leaf at it.
      expect(reduced.generated + reduced.leaves).toBe(full.generated + full.leaves - reduced.skipped);
    },
    120_000,
  );
});
