import { beforeEach, describe, expect, it } from "vitest";
import { applyLoaded, clampStep, firstViolation, nextViolation, resetStore, setCursor, togglePanel, useScope, violationSteps } from "./store";
import { STEP_COMPLETION, STEP_VIOLATION } from "./worker/protocol";

const columns = (flags: number[]) => ({ lines: new Int32Array(flags.map((_f, i) => i + 1)), flags: Uint8Array.from(flags) });
const loaded = (flags: number[]) => ({ stepCount: flags.length, columns: columns(flags), findings: [], verdict: "ok" as const, ms: 1 });

describe("store", () => {
  beforeEach(() => resetStore());

  it("clamps the cursor to 0..stepCount", () => {
    applyLoaded(loaded([0, 0, 0]));
    setCursor(10);
    expect(useScope.getState().cursor).toBe(3);
    setCursor(-4);
    expect(useScope.getState().cursor).toBe(0);
    expect(clampStep(2.6)).toBe(3);
  });

  it("keeps the cursor across a re-run, clamped to the new length", () => {
    applyLoaded(loaded([0, 0, 0, 0, 0]));
    setCursor(4);
    applyLoaded(loaded([0, 0, 0, 0, 0, 0]));
    expect(useScope.getState().cursor).toBe(4);
    applyLoaded(loaded([0, 0]));
    expect(useScope.getState().cursor).toBe(2);
  });

  it("moves the cursor where a load asks (end, a violation)", () => {
    applyLoaded(loaded([0, 0, 0]), 3);
    expect(useScope.getState().cursor).toBe(3);
  });

  it("finds violating steps from the step flags, 1-based", () => {
    const c = columns([0, STEP_COMPLETION, STEP_VIOLATION, 0, STEP_VIOLATION | STEP_COMPLETION]);
    expect(violationSteps(c)).toEqual([3, 5]);
    expect(firstViolation(c)).toBe(3);
    expect(nextViolation(3, c)).toBe(5);
    expect(nextViolation(5, c)).toBeNull();
  });

  it("a load clears the previous trace's matrix and lifetimes", () => {
    useScope.setState({ matrix: [], lifetimes: { rows: [], omitted: 0 } });
    applyLoaded(loaded([0]));
    expect(useScope.getState().matrix).toBeNull();
    expect(useScope.getState().lifetimes).toBeNull();
  });

  it("toggles panels independently", () => {
    togglePanel("editor");
    expect(useScope.getState().panels).toEqual({ editor: false, side: true, lifetimes: true });
  });
});
