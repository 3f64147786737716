// SPDX-License-Identifier: GPL-2.0-only
/** Per-step columns (protocol.ts StepColumns), and the sparse step lists made from their flags. */
import { STEP_COMPLETION, STEP_VIOLATION, type StepColumns } from "./protocol";

/** The 1-based steps whose flags have `bit`, ascending. */
function stepsWith(flags: Uint8Array, bit: number): Int32Array {
  let n = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] & bit) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < flags.length; i++) if (flags[i] & bit) out[k++] = i + 1;
  return out;
}

export function columnsOf(lines: Int32Array, flags: Uint8Array): StepColumns {
  return { lines, flags, violations: stepsWith(flags, STEP_VIOLATION), completions: stepsWith(flags, STEP_COMPLETION) };
}

/** The first step of `steps` (ascending) after `from`, or null. */
export function firstAfter(steps: Int32Array, from: number): number | null {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] > from) hi = mid;
    else lo = mid + 1;
  }
  return lo < steps.length ? steps[lo] : null;
}

/** Steps with a violation for the timeline: at most one mark per 0.2% of the bar. */
export function violationMarks(violations: Int32Array, stepCount: number): number[] {
  const out: number[] = [];
  const bucket = Math.max(1, Math.floor(stepCount / 500));
  let lastBucket = -1;
  for (const step of violations) {
    const b = Math.floor((step - 1) / bucket);
    if (b === lastBucket) continue;
    lastBucket = b;
    out.push(step);
  }
  return out;
}

export interface ChartMark {
  readonly step: number;
  readonly kind: "violation" | "completion";
}

/** The lifetime chart's first `limit` marks in step order: violations and completions (a step with both is a violation). */
export function chartMarks(columns: StepColumns, limit: number): ChartMark[] {
  const { violations: v, completions: c } = columns;
  const out: ChartMark[] = [];
  let i = 0;
  let k = 0;
  while ((i < v.length || k < c.length) && out.length < limit) {
    if (k >= c.length || (i < v.length && v[i] <= c[k])) {
      if (k < c.length && c[k] === v[i]) k++;
      out.push({ step: v[i++], kind: "violation" });
    } else out.push({ step: c[k++], kind: "completion" });
  }
  return out;
}
