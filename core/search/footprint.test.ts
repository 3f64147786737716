// SPDX-License-Identifier: GPL-2.0-only
/**
 * Footprints (footprint.ts) as the sleep-set reduction uses them: a step's
 * footprint taken at the parent decides its independence of the edge to a
 * child exactly as the footprint taken at the child would (what lets
 * expandSlice leave such a step unrun), and two steps that each make a new
 * object commute although at their state both pick the same first free
 * name.
 */
import { describe, expect, it } from "vitest";
import { canonicalKey } from "./canon";
import { Footprint, independent } from "./footprint";
import { DEFAULT_OPS, candidates, menuOps } from "./menu";
import { DEFAULT_PREFIX, replayPath } from "./search";
import { judgeSteps, judgeStepsInPlace, type PathSummary } from "./step";
import { Walker, identityHash, stepIdentity } from "./walk";
import { lcg, randomPath } from "../testdata/searchPaths";
import { thaw, undoWrites } from "../model/tx";
import type { State } from "../model/types";
import type { Step } from "./menu";

const policy = "ubuf-orphan";
const config = { policy, ops: menuOps(DEFAULT_OPS, "6.1"), require: null, missedAt: "quiescent" } as const;
const start = replayPath({ policy, kernel: "6.1" }, DEFAULT_PREFIX);

/** What `step` reads and writes run from `state` (in place, undone), or null when it fails there. */
function footprintOf(state: State, summary: PathSummary, step: Step): Footprint | null {
  const foot = new Footprint();
  const j = judgeStepsInPlace(policy, state, summary, step, "quiescent", foot);
  if (j.error) return null;
  undoWrites(j.state, j.undo);
  return foot;
}

describe("footprints", () => {
  it("taken at the parent, decide independence of the edge as those taken at the child do", () => {
    const walker = new Walker(config, start, true);
    const rnd = lcg(11);
    let compared = 0;
    let independentPairs = 0;
    for (let walk = 0; walk < 40; walk++) {
      // A random parent of up to 2 steps, then a random edge from it.
      const { steps } = randomPath(policy, start, config.ops, rnd(3), rnd);
      walker.moveTo(steps);
      const parentCands = walker.candidatesAt(walker.depth);
      const e = rnd(parentCands.length);
      walker.footprintsHere(e);
      const offered = walker.footprintsAt(walker.depth);
      try {
        walker.moveTo([...steps, e]);
      } catch {
        continue; // the kernel refuses the edge
      }
      const edge = walker.lastEdge()!;
      const child = walker.candidatesAt(walker.depth);
      for (const step of child) {
        const at = walker.indexAt(walker.depth - 1, step, identityHash(step));
        if (at === undefined || at >= e) continue;
        const there = offered[at];
        const here = footprintOf(walker.state, walker.summary, step);
        if (!there) {
          // Failing at the parent is never used to leave a step out.
          continue;
        }
        compared++;
        const byParent = independent(there, edge.foot!);
        expect(here === null ? false : independent(here, edge.foot!), `${stepIdentity(step)} after ${stepIdentity(parentCands[e])}`).toBe(byParent);
        if (byParent) independentPairs++;
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(independentPairs).toBeGreaterThan(20);
  });

  it("steps that each make an object commute when independent, though both pick the same first free name", () => {
    const rnd = lcg(5);
    const key = (state: State, summary: PathSummary, first: Step, second: Step): string | null => {
      const a = judgeSteps(policy, state, summary, first, "quiescent");
      if (a.error) return null;
      const next = candidates(a.state, config.ops).find((s) => stepIdentity(s) === stepIdentity(second));
      if (!next) return null;
      const b = judgeSteps(policy, a.state, a.summary, next, "quiescent");
      return b.error ? null : canonicalKey(b.state, b.summary);
    };
    let pairs = 0;
    for (let walk = 0; walk < 12 && pairs < 40; walk++) {
      const { state, summary } = randomPath(policy, start, config.ops, 1 + rnd(2), rnd);
      const here = thaw(state);
      const making = candidates(here, config.ops).filter((s) => s.length === 1 && s[0].result);
      const feet = making.map((s) => footprintOf(here, summary, s));
      for (let i = 0; i < making.length; i++)
        for (let k = i + 1; k < making.length; k++) {
          const [fi, fk] = [feet[i], feet[k]];
          if (!fi || !fk || making[i][0].result !== making[k][0].result || !independent(fi, fk)) continue;
          pairs++;
          expect(key(state, summary, making[i], making[k]), `${stepIdentity(making[i])} ${stepIdentity(making[k])}`).toBe(
            key(state, summary, making[k], making[i]),
          );
        }
    }
    expect(pairs).toBeGreaterThan(0);
  });

  it("a step that frees an skb does not commute with one that clones it", () => {
    const state = thaw(start.state);
    const cands = candidates(state, config.ops);
    const clone = cands.find((s) => s[0].fn === "skb_clone")!;
    const src = clone[0].args[0];
    const free = cands.find((s) => s[0].fn === "kfree_skb" && s[0].args[0].kind === "ref" && src.kind === "ref" && s[0].args[0].name === src.name)!;
    expect(free).toBeDefined();
    expect(independent(footprintOf(state, start.summary, clone)!, footprintOf(state, start.summary, free)!)).toBe(false);
  });
});
