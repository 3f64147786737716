// SPDX-License-Identifier: GPL-2.0-only
/** Random search paths for the search's tests (walk, footprint): chosen on pure states, each step one the kernel accepts. */
import type { PolicyId, State } from "../model/types";
import { candidates } from "../search/menu";
import { judgeSteps, type PathSummary } from "../search/step";

/** A deterministic stream of integers below n (the tests' LCG). */
export function lcg(seed: number): (n: number) => number {
  return (n) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
}

/** A path of up to `length` candidate indices from `start`; it ends early at a step the kernel refuses. */
export function randomPath(
  policy: PolicyId,
  start: { readonly state: State; readonly summary: PathSummary },
  ops: readonly string[],
  length: number,
  rnd: (n: number) => number,
): { steps: number[]; state: State; summary: PathSummary } {
  let state = start.state;
  let summary = start.summary;
  const steps: number[] = [];
  for (let d = 0; d < length; d++) {
    const cands = candidates(state, ops);
    const i = rnd(cands.length);
    const j = judgeSteps(policy, state, summary, cands[i], "quiescent");
    if (j.error) break;
    steps.push(i);
    state = j.state;
    summary = j.summary;
  }
  return { steps, state, summary };
}
