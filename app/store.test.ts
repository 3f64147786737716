// SPDX-License-Identifier: GPL-2.0-only
import { beforeEach, describe, expect, it } from "vitest";
import { defaultStory } from "./stories";
import {
  applyLoaded,
  applySnapshot,
  clampStep,
  firstViolation,
  isOwnWork,
  keyForName,
  nameOfKey,
  nextViolation,
  resetStore,
  select,
  setCursor,
  setSource,
  togglePanel,
  useScope,
  viewKey,
  viewSettled,
  violationSteps,
} from "./store";
import { STEP_COMPLETION, STEP_VIOLATION } from "./worker/protocol";
import { columnsOf } from "./worker/columns";

const columns = (flags: number[]) => columnsOf(new Int32Array(flags.map((_f, i) => i + 1)), Uint8Array.from(flags));
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

  it("knows the drawing is the old trace's until the new trace's first step arrives", () => {
    const view = { skbs: [], datas: [], pages: [], pipes: [], sockets: [], ubufs: [], buffers: [] } as never;
    useScope.setState({ title: "old" });
    applySnapshot(1, view, null, null);
    useScope.setState({ title: "new" }); // parsed: the old drawing is still on screen
    expect(useScope.getState().shownTitle).toBe("old");
    applySnapshot(1, view, null, null);
    expect(useScope.getState().shownTitle).toBe("new");
  });

  it("a trace opened over another gets a new layout identity once its first step is drawn; edits keep it", () => {
    const view = { skbs: [], datas: [], pages: [], pipes: [], sockets: [], ubufs: [], buffers: [] } as never;
    setSource("a = alloc_skb(64)\n");
    applySnapshot(1, view, null, null);
    const first = useScope.getState().shownOpenRev;
    // Typing and the operation form edit the same trace: the layout stays.
    setSource("a = alloc_skb(64)\nb = skb_clone(a)\n", "edit");
    applySnapshot(2, view, null, null);
    expect(useScope.getState().shownOpenRev).toBe(first);
    // Opening something (a story, a file, a link, a new trace) is a different trace ...
    setSource("# title: new trace\n");
    expect(useScope.getState().openRev).toBe(first + 1);
    // ... but the old drawing stays until the new trace's first step arrives.
    expect(useScope.getState().shownOpenRev).toBe(first);
    applySnapshot(0, view, null, null);
    expect(useScope.getState().shownOpenRev).toBe(first + 1);
    // Re-opening the very text on screen changes nothing.
    setSource("# title: new trace\n");
    expect(useScope.getState().openRev).toBe(first + 1);
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

  it("names a graph key for links, and finds the key of a linked name in a view", () => {
    expect(nameOfKey("page:g")).toBe("g");
    expect(nameOfKey("skb:segs[1]")).toBe("segs[1]");
    expect(nameOfKey(null)).toBeNull();
    const view = {
      skbs: [{ name: "a" }],
      datas: [{ head: "h1" }],
      pages: [{ name: "g" }],
      pipes: [{ name: "q" }],
      sockets: [],
      ubufs: [],
      buffers: [{ name: "z1" }],
    } as never;
    expect(keyForName(view, "a")).toBe("skb:a");
    expect(keyForName(view, "h1")).toBe("data:h1");
    expect(keyForName(view, "g")).toBe("page:g");
    expect(keyForName(view, "z1")).toBe("buffer:z1");
    expect(keyForName(view, "nope")).toBeNull();
  });

  it("a selection from a link waits for its step, then resolves by name", () => {
    const view = { step: 2, skbs: [], datas: [], pages: [{ name: "g" }], pipes: [], sockets: [], ubufs: [], buffers: [] } as never;
    applyLoaded(loaded([0, 0, 0]), 2);
    useScope.setState({ pendingSelection: "g" });
    applySnapshot(1, view, null, null);
    expect(useScope.getState().pendingSelection).toBe("g");
    applySnapshot(2, view, null, null, "caption two");
    expect(useScope.getState()).toMatchObject({ selection: "page:g", pendingSelection: null, caption: "caption two" });
  });

  it("the view key changes with what a link says, and not with a re-set of the same text", () => {
    setSource("a\n");
    const k1 = viewKey();
    setSource("a\n");
    expect(viewKey()).toBe(k1);
    setSource("b\n");
    expect(viewKey()).not.toBe(k1);
    const k2 = viewKey();
    useScope.setState({ pointed: "skb:a" });
    expect(viewKey()).toBe(k2);
    select("skb:a");
    expect(viewKey()).not.toBe(k2);
  });

  it("the view is settled when the loaded trace is the one in the store and its step is drawn", () => {
    setSource("a\n");
    expect(viewSettled()).toBe(false);
    applyLoaded(loaded([0]), 1, { source: "a\n", policyChoice: null, kernelChoice: null });
    useScope.setState({ shownStep: 1 });
    expect(viewSettled()).toBe(true);
    setSource("ab\n");
    expect(viewSettled()).toBe(false);
  });

  it("only text the user wrote counts as their own work", () => {
    expect(isOwnWork("")).toBe(false);
    expect(isOwnWork(defaultStory().source)).toBe(false);
    expect(isOwnWork("a = alloc_skb(1)\n")).toBe(true);
  });
});
