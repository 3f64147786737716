// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { emptyState, undoWrites } from "../model/tx";
import { canonicalFingerprint, canonicalKey } from "./canon";
import { FingerprintSet, collisionProbability, collisionText } from "./fingerprint";
import { DEFAULT_PREFIX, replayPath } from "./search";
import { judgeStepsInPlace } from "./step";
import { candidates, DEFAULT_OPS, menuOps } from "./menu";

describe("FingerprintSet", () => {
  it("keeps 64-bit fingerprints: adds once, finds them again, grows, and stays within 16 bytes a state", () => {
    const set = new FingerprintSet(16);
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const pairs: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) pairs.push([rnd(), rnd()]);
    for (const [a, b] of pairs) expect(set.add(a, b)).toBe(true);
    for (const [a, b] of pairs.slice(0, 1000)) expect(set.add(a, b)).toBe(false);
    expect(set.size).toBe(50_000);
    expect(set.has(pairs[777][0], pairs[777][1])).toBe(true);
    expect(set.has(pairs[777][0], pairs[777][1] ^ 1)).toBe(false);
    expect(set.bytes / set.size).toBeLessThanOrEqual(16);
    // The all-zero fingerprint is a value like any other.
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
  });

  it("estimates the collision probability as TLC does", () => {
    expect(collisionProbability(1e6, 3e6)).toBeCloseTo((1e6 * 2e6) / 2 ** 64, 25);
    expect(collisionText(1e6, 3e6)).toMatch(/calculated \(optimistic\): {2}val = 1\.1E-7/);
    expect(collisionText(10, 10)).toMatch(/val = 0\.0$/);
  });
});

describe("canonicalFingerprint", () => {
  it("is equal exactly where canonicalKey is, over every successor of the start", () => {
    const start = replayPath({ policy: "ubuf-orphan", kernel: "6.1" }, DEFAULT_PREFIX);
    const ops = menuOps(DEFAULT_OPS, "6.1");
    const byKey = new Map<string, string>();
    const fp = new Uint32Array(2);
    const state = { ...start.state };
    for (const step of candidates(start.state, ops)) {
      // In place on a copy of the tables, undone after each step.
      const tables = replayPath({ policy: "ubuf-orphan", kernel: "6.1" }, DEFAULT_PREFIX).state;
      const j = judgeStepsInPlace("ubuf-orphan", tables, start.summary, step, "quiescent");
      if (j.error) continue;
      const key = canonicalKey(j.state, j.summary);
      canonicalFingerprint(j.state, j.summary, false, fp);
      const f = `${fp[0]}:${fp[1]}`;
      if (byKey.has(key)) expect(byKey.get(key)).toBe(f);
      byKey.set(key, f);
      undoWrites(j.state, j.undo);
      expect(canonicalKey(tables, start.summary)).toBe(canonicalKey(state, start.summary));
    }
    expect(new Set(byKey.values()).size).toBe(byKey.size);
    expect(byKey.size).toBeGreaterThan(10);
    expect(emptyState("6.1", "ubuf-orphan").skbs.size).toBe(0);
  });
});
