// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { wideTrace } from "../../e2e/traces";
import { fitsReadably } from "./detail";
import { layoutObjects } from "./grouping";
import { EMPTY_LAYOUT, nextLayout, rowCount } from "./layout";
import { buildGraph } from "./model";
import { stackToFit } from "./stacks";

describe("stable layout", () => {
  it("new objects take the next free row of their column", () => {
    const l = nextLayout(EMPTY_LAYOUT, [
      { key: "skb:a", col: 1 },
      { key: "skb:b", col: 1 },
      { key: "page:g", col: 3 },
    ]);
    expect([...l]).toEqual([
      ["skb:a", { col: 1, row: 0 }],
      ["skb:b", { col: 1, row: 1 }],
      ["page:g", { col: 3, row: 0 }],
    ]);
  });

  it("survivors never move when others leave, and a just-freed row stays blocked for one step", () => {
    const l1 = nextLayout(EMPTY_LAYOUT, [
      { key: "skb:a", col: 1 },
      { key: "skb:b", col: 1 },
    ]);
    const l2 = nextLayout(l1, [
      { key: "skb:b", col: 1 },
      { key: "skb:c", col: 1 },
    ]);
    expect(l2.get("skb:b")).toEqual({ col: 1, row: 1 });
    expect(l2.get("skb:c")).toEqual({ col: 1, row: 2 });
    const l3 = nextLayout(l2, [
      { key: "skb:b", col: 1 },
      { key: "skb:c", col: 1 },
      { key: "skb:d", col: 1 },
    ]);
    expect(l3.get("skb:d")).toEqual({ col: 1, row: 0 });
  });
});

describe("rows left by objects folded into a stack (issue 17.4)", () => {
  it("are free at once: the stack keeps its first member's row, a newcomer takes another member's, survivors stay", () => {
    const l1 = nextLayout(EMPTY_LAYOUT, [
      { key: "skb:a", col: 1 },
      { key: "skb:b", col: 1 },
      { key: "skb:x", col: 1 },
    ]);
    const l2 = nextLayout(l1, [
      { key: "skb:new", col: 1 },
      { key: "stack:h1", col: 1, replaces: ["skb:a", "skb:b"] },
      { key: "skb:x", col: 1 },
    ]);
    expect([...l2]).toEqual([
      ["skb:x", { col: 1, row: 2 }],
      ["stack:h1", { col: 1, row: 0 }],
      ["skb:new", { col: 1, row: 1 }],
    ]);
    // An object freed outright (not folded) fades in its row: that row stays blocked for the step.
    const l3 = nextLayout(l2, [
      { key: "stack:h1", col: 1, replaces: ["skb:a", "skb:b"] },
      { key: "skb:y", col: 1 },
    ]);
    expect(l3.get("skb:y")).toEqual({ col: 1, row: 3 });
  });

  it("an unfolded stack hands its row to its first member; the others sit beside their Data", () => {
    const l1 = nextLayout(EMPTY_LAYOUT, [
      { key: "stack:h1", col: 1, replaces: ["skb:a", "skb:b"] },
      { key: "skb:x", col: 1 },
      { key: "data:h1", col: 2, near: ["stack:h1"] },
    ]);
    const l2 = nextLayout(l1, [
      { key: "skb:x", col: 1 },
      { key: "skb:a", col: 1, near: ["data:h1"], replaces: ["stack:h1"] },
      { key: "skb:b", col: 1, near: ["data:h1"], replaces: ["stack:h1"] },
      { key: "data:h1", col: 2, near: ["skb:a"] },
    ]);
    expect(l2.get("skb:a")).toEqual({ col: 1, row: 0 });
    expect(l2.get("skb:b")).toEqual({ col: 1, row: 2 });
    expect(l2.get("skb:x")).toEqual({ col: 1, row: 1 });
  });

  it.each([10, 15])(
    "%i skbs with a page and a clone each, stepped forward and back as the graph view does in a 1280×720 panel: readable after every step, and no survivor moves",
    (groups) => {
      // The graph panel measured in e2e/graph.e2e.test.ts at 1280×720 (editor and lifetime chart open).
      const panel = { width: 363, height: 310 };
      const run = runTrace(parseTrace(wideTrace(groups)).trace);
      const n = run.steps.length;
      let layout = EMPTY_LAYOUT;
      let atEnd = EMPTY_LAYOUT;
      // To the end, then back to the first step (stacks unfold as the graph shrinks).
      for (const step of [...Array.from({ length: n }, (_, i) => i + 1), ...Array.from({ length: n - 1 }, (_, i) => n - 1 - i)]) {
        const base = buildGraph(stateView(run.snapshotAt(step)), stateView(run.snapshotAt(step - 1)), run.steps[step - 1].findings);
        const before = layout;
        const graph = stackToFit(
          base,
          {},
          (g) => fitsReadably(g.nodes, panel, 1.5, false) && fitsReadably(g.nodes, panel, 1.5, false, rowCount(nextLayout(before, layoutObjects(g)))),
        );
        layout = nextLayout(before, layoutObjects(graph));
        expect(fitsReadably(graph.nodes, panel, 1.5, false, rowCount(layout)), `step ${step}: ${rowCount(layout)} rows`).toBe(true);
        for (const [key, slot] of layout) if (before.has(key)) expect(slot, `${key} at step ${step}`).toEqual(before.get(key));
        if (step === n) atEnd = layout;
      }
      // The pairs stacked once the graph grew; the last pair's clone is new, so it stays apart.
      expect([...atEnd.keys()].filter((k) => k.startsWith("stack:"))).toHaveLength(groups - 1);
      // The Datas and the rows the clones left: later groups filled those rows instead of adding new ones.
      expect(rowCount(atEnd)).toBeLessThan(18);
    },
  );
});
