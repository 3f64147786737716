// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { tallTrace } from "../../e2e/traces";
import { BUNDLE_MIN, bundlesOf } from "./bundles";
import { buildGraph } from "./model";
import { copyDataKey, stackClones } from "./stacks";

function graphAt(source: string) {
  const run = runTrace(parseTrace(source).trace);
  const n = run.steps.length;
  return buildGraph(stateView(run.snapshotAt(n)), stateView(run.snapshotAt(n - 1)), run.steps[n - 1].findings);
}

describe("page holders bundled (issue 17.4)", () => {
  it("23 Datas' frag references into each of 4 pages are one bundle ×23 per page", () => {
    const g = graphAt(tallTrace(22));
    const bundles = bundlesOf(g.edges);
    expect([...bundles.keys()].sort()).toEqual(["page:p0", "page:p1", "page:p2", "page:p3"]);
    for (const b of bundles.values()) {
      expect(b.count).toBe(23);
      expect(b.edges.size).toBe(23);
      for (const key of b.edges) expect(g.edges.find((e) => e.key === key)!.to).toBe(b.page);
    }
  });

  it("a stack's counted edge weighs its count: the stack and the new copy make ×23", () => {
    const g = stackClones(graphAt(tallTrace(22)));
    const p0 = bundlesOf(g.edges).get("page:p0")!;
    expect(p0.count).toBe(23);
    expect(p0.edges.size).toBe(2);
    expect(p0.edges.has(`frag:${copyDataKey("p0,p1,p2,p3")}:0`)).toBe(true);
  });

  it("the selected page's bundle is open; a few references are drawn one by one", () => {
    const g = graphAt(tallTrace(22));
    expect(bundlesOf(g.edges, new Set(["page:p2"])).has("page:p2")).toBe(false);
    expect(bundlesOf(g.edges, new Set(["page:p2"])).size).toBe(3);
    expect(bundlesOf(graphAt(tallTrace(BUNDLE_MIN - 2)).edges).size).toBe(0);
    expect(bundlesOf(graphAt(tallTrace(BUNDLE_MIN - 1)).edges).get("page:p0")!.count).toBe(BUNDLE_MIN);
  });
});
