// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { buildGraph } from "./model";
import { stackClones, stackKey } from "./stacks";

function graphAt(source: string, step?: number) {
  const run = runTrace(parseTrace(source).trace);
  const n = step ?? run.steps.length;
  return buildGraph(stateView(run.snapshotAt(n)), stateView(run.snapshotAt(n - 1)), run.steps[n - 1].findings);
}

const clones = (n: number) =>
  [
    "g = alloc_page(guest)",
    "a = alloc_skb(256)",
    "skb_fill_page_desc(a, 0, g, 0, 4096)",
    ...Array.from({ length: n }, (_, i) => `c${i + 1} = skb_clone(a)`),
  ].join("\n") + "\nget_page(g)\n";

describe("clone stacks", () => {
  it("ten clones of one Data become one stack 'c1..c10 ×10' with one head edge", () => {
    const g = stackClones(graphAt(clones(10)));
    const stack = g.nodes.find((n) => n.key === stackKey("data:h1"))!;
    expect(stack.title).toBe("a..c10 ×11");
    expect(stack.counters[0]).toEqual({ field: "skbs", value: "11", old: null });
    expect(g.nodes.filter((n) => n.kind === "skb")).toHaveLength(1);
    expect(g.edges.filter((e) => e.kind === "head").map((e) => e.from)).toEqual([stackKey("data:h1")]);
  });

  it("keeps the new, the selected and the flagged apart; expanded stacks are drawn one by one", () => {
    const g = stackClones(graphAt(clones(10), 13), { keep: "skb:c2" });
    const alone = g.nodes.filter((n) => n.kind === "skb" && !n.key.startsWith("stack:")).map((n) => n.key);
    // c10 is new at step 13; c2 is selected.
    expect(alone.sort()).toEqual(["skb:c10", "skb:c2"]);
    expect(g.nodes.find((n) => n.key.startsWith("stack:"))!.title).toBe("a..c9 ×9");
    const open = stackClones(graphAt(clones(10)), { expanded: new Set([stackKey("data:h1")]) });
    expect(open.nodes.filter((n) => n.kind === "skb")).toHaveLength(11);
  });

  it("leaves a few clones as they are", () => {
    const g = graphAt(clones(2));
    expect(stackClones(g)).toBe(g);
  });
});
