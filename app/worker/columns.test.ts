// SPDX-License-Identifier: GPL-2.0-only
/**
 * The sparse step lists (columns.ts) answer what a scan of every step's
 * flags answers: the main thread walks them instead of a million flags.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chartMarks, columnsOf, firstAfter, violationMarks } from "./columns";
import { STEP_COMPLETION, STEP_ERROR, STEP_VIOLATION } from "./protocol";

const FLAGS = fc.array(fc.constantFrom(0, 0, 0, STEP_ERROR, STEP_VIOLATION, STEP_COMPLETION, STEP_VIOLATION | STEP_COMPLETION), { maxLength: 3000 });
const columns = (flags: number[]) => columnsOf(new Int32Array(flags.length), Uint8Array.from(flags));

describe("step columns' sparse lists", () => {
  it("list the steps with a violation and with a completion, and find the next after any step", () => {
    fc.assert(
      fc.property(FLAGS, fc.integer({ min: -2, max: 3100 }), (flags, from) => {
        const c = columns(flags);
        const scan = (bit: number) => flags.flatMap((f, i) => (f & bit ? [i + 1] : []));
        expect(Array.from(c.violations)).toEqual(scan(STEP_VIOLATION));
        expect(Array.from(c.completions)).toEqual(scan(STEP_COMPLETION));
        let next: number | null = null;
        for (let i = Math.max(0, from); i < flags.length; i++)
          if (flags[i] & STEP_VIOLATION) {
            next = i + 1;
            break;
          }
        expect(firstAfter(c.violations, from)).toBe(next);
      }),
    );
  });

  it("mark the timeline once per 0.2% of the bar, and the chart in step order, a step with both a violation", () => {
    fc.assert(
      fc.property(FLAGS, fc.integer({ min: 1, max: 50 }), (flags, limit) => {
        const c = columns(flags);
        const bucket = Math.max(1, Math.floor(flags.length / 500));
        const timeline: number[] = [];
        const chart: { step: number; kind: string }[] = [];
        flags.forEach((f, i) => {
          if (f & STEP_VIOLATION && (timeline.length === 0 || Math.floor((timeline[timeline.length - 1] - 1) / bucket) !== Math.floor(i / bucket)))
            timeline.push(i + 1);
          if (chart.length < limit && f & (STEP_VIOLATION | STEP_COMPLETION))
            chart.push({ step: i + 1, kind: f & STEP_VIOLATION ? "violation" : "completion" });
        });
        expect(violationMarks(c.violations, flags.length)).toEqual(timeline);
        expect(chartMarks(c, limit)).toEqual(chart);
      }),
    );
  });
});
