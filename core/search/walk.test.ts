// SPDX-License-Identifier: GPL-2.0-only
/**
 * The walker's in-place tables, moved forward and back along many paths,
 * always hold the state a pure replay of the same path reaches.
 */
import { describe, expect, it } from "vitest";
import { canonicalKey } from "./canon";
import { DEFAULT_OPS, menuOps } from "./menu";
import { DEFAULT_PREFIX, replayPath } from "./search";
import { Walker, identityHash, sameIdentity, stepIdentity } from "./walk";
import { lcg, randomPath } from "../testdata/searchPaths";

describe("Walker", () => {
  it("reaches, by undo and redo in place, the state of a pure replay of each path", () => {
    const policy = "ubuf-orphan";
    const config = { policy, ops: menuOps(DEFAULT_OPS, "6.1"), require: null, missedAt: "quiescent" } as const;
    const start = replayPath({ policy, kernel: "6.1" }, DEFAULT_PREFIX);
    const walker = new Walker(config, start, true);
    const rnd = lcg(7);
    let checked = 0;
    for (let walk = 0; walk < 60; walk++) {
      // A random path of up to 4 steps the kernel accepts, chosen on pure states.
      const { steps, state, summary } = randomPath(policy, start, config.ops, 1 + rnd(4), rnd);
      walker.moveTo(steps);
      expect(walker.depth).toBe(steps.length);
      expect(canonicalKey(walker.state, walker.summary)).toBe(canonicalKey(state, summary));
      expect(walker.summary).toEqual(summary);
      checked++;
    }
    walker.moveTo([]);
    expect(canonicalKey(walker.state, walker.summary)).toBe(canonicalKey(start.state, start.summary));
    expect(checked).toBe(60);
  });

  it("names a step by its operation and arguments, not its result", () => {
    const a = [{ fn: "skb_clone", result: "b", args: [{ kind: "ref", name: "a" }] }] as const;
    const c = [{ fn: "skb_clone", result: "c", args: [{ kind: "ref", name: "a" }] }] as const;
    expect(stepIdentity(a)).toBe(stepIdentity(c));
    expect(identityHash(a)).toBe(identityHash(c));
    expect(sameIdentity(a, c)).toBe(true);
    expect(
      stepIdentity([
        {
          fn: "pskb_trim",
          args: [
            { kind: "ref", name: "a" },
            { kind: "int", value: 0 },
          ],
        },
      ]),
    ).not.toBe(
      stepIdentity([
        {
          fn: "pskb_trim",
          args: [
            { kind: "ref", name: "a" },
            { kind: "int", value: 64 },
          ],
        },
      ]),
    );
  });
  it("finds each step's first index by its identity hash, as by its identity text", () => {
    const policy = "msg-zerocopy";
    const config = { policy, ops: menuOps(DEFAULT_OPS, "6.1"), require: null, missedAt: "quiescent" } as const;
    const start = replayPath({ policy, kernel: "6.1" }, DEFAULT_PREFIX);
    const walker = new Walker(config, start, true);
    const rnd = lcg(3);
    let looked = 0;
    for (let walk = 0; walk < 30; walk++) {
      const steps: number[] = [];
      for (let d = 0; d < 1 + rnd(3); d++) {
        const cands = walker.candidatesAt(walker.depth);
        const i = rnd(cands.length);
        try {
          walker.moveTo([...steps, i]);
          steps.push(i);
        } catch {
          break;
        }
      }
      if (steps.length === 0) continue;
      const parent = walker.candidatesAt(walker.depth - 1).map(stepIdentity);
      for (const step of walker.candidatesAt(walker.depth)) {
        const byText = parent.indexOf(stepIdentity(step));
        expect(walker.indexAt(walker.depth - 1, step, identityHash(step))).toBe(byText < 0 ? undefined : byText);
        looked++;
      }
    }
    expect(looked).toBeGreaterThan(500);
  });
});
