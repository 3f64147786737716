// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { buildGraph } from "./model";
import { copyDataKey, copySkbKey, fragSignatures, stackClones, stackKey, stackToFit, STACK_MIN_CROWDED } from "./stacks";
import { tallTrace, wideTrace } from "../../e2e/traces";
import { fitsReadably } from "./detail";

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

describe("copy stacks: Datas whose frags map the same pages (issue 17.4)", () => {
  it("23 pskb_copy Datas sharing 4 pages become one skb stack and one Data stack, with one counted edge per frag slot", () => {
    const g = stackClones(graphAt(tallTrace(22)));
    const sig = "p0,p1,p2,p3";
    const skbs = g.nodes.find((n) => n.key === copySkbKey(sig))!;
    const datas = g.nodes.find((n) => n.key === copyDataKey(sig))!;
    // k22 is new in the last step: it stays apart until the next.
    expect(skbs.title).toBe("a..k21 ×22");
    expect(datas.title).toMatch(/^Data h\d+\.\.h\d+ ×22$/);
    expect(datas.counters).toEqual([
      { field: "Datas", value: "22", old: null },
      { field: "dataref", value: "1", old: null },
      { field: "nr_frags", value: "4", old: null },
    ]);
    expect(datas.members).toHaveLength(22);
    // 50 objects: the stacks, k22 and its Data, the four pages.
    expect(g.nodes).toHaveLength(8);
    const frags = g.edges.filter((e) => e.from === datas.key);
    expect(frags.map((e) => [e.to, e.fromSlot, e.count, e.label])).toEqual([0, 1, 2, 3].map((i) => [`page:p${i}`, i, 22, `frags[${i}] ×22`]));
    expect(g.edges.filter((e) => e.from === skbs.key).map((e) => [e.to, e.count])).toEqual([[datas.key, 22]]);
    // No edge points at a member that is no longer drawn.
    const keys = new Set(g.nodes.map((n) => n.key));
    for (const e of g.edges) expect(keys.has(e.from) && keys.has(e.to), e.key).toBe(true);
  });

  it("keeps the selected copy and its Data apart; an expanded copy stack (either node's key) is drawn one by one", () => {
    const all = graphAt(tallTrace(22));
    const kept = stackClones(all, { keep: "skb:k3" });
    expect(kept.nodes.some((n) => n.key === "skb:k3")).toBe(true);
    expect(kept.nodes.find((n) => n.key === copySkbKey("p0,p1,p2,p3"))!.title).toBe("a..k21 ×21");
    for (const key of [copySkbKey("p0,p1,p2,p3"), copyDataKey("p0,p1,p2,p3")]) {
      const open = stackClones(all, { expanded: new Set([key]) });
      expect(open.nodes.filter((n) => n.kind === "skb")).toHaveLength(23);
      expect(open.nodes.filter((n) => n.kind === "data")).toHaveLength(23);
    }
  });

  it("stacks only plain copies: a Data on a socket's queue or with clones keeps its own node; fewer than four stay apart", () => {
    const src = [
      "g = alloc_page(guest)",
      "a = alloc_skb(256)",
      "skb_fill_page_desc(a, 0, g, 0, 4096)",
      "b = skb_clone(a)",
      ...Array.from({ length: 4 }, (_, i) => `k${i + 1} = pskb_copy(a)`),
      "sk = sock_create()",
      "sock_queue_rcv_skb(sk, k1)",
      "get_page(g)",
    ].join("\n");
    const g = stackClones(graphAt(src));
    // a's Data has two skbs, k1 is on a queue: k2..k4 are three, too few.
    expect(g.nodes.some((n) => n.key.startsWith("stack:copies:"))).toBe(false);
    const more = stackClones(graphAt(src.replace("get_page(g)", "k5 = pskb_copy(a)\nget_page(g)")));
    expect(more.nodes.find((n) => n.key === copySkbKey("g"))!.title).toBe("k2..k5 ×4");
  });

  it("reads each Data's frag pages in slot order", () => {
    const sigs = fragSignatures(graphAt(tallTrace(1)));
    expect([...sigs.values()]).toEqual(["p0,p1,p2,p3", "p0,p1,p2,p3"]);
  });
});

describe("stacks as small as the panel needs (issue 17.4)", () => {
  // The graph panel at 1280×720 with the editor and the lifetime chart open.
  const panel = { width: 360, height: 290 };
  const fits = (g: ReturnType<typeof graphAt>) => fitsReadably(g.nodes, panel, 1.5, false);

  it("ten skbs with a clone each (40 objects) are too tall one a row; in clone pairs they fit", () => {
    const g = graphAt(wideTrace(10) + "get_page(p0)\n");
    expect(fits(stackClones(g))).toBe(false);
    const fitted = stackToFit(g, {}, fits);
    expect(fits(fitted)).toBe(true);
    const pairs = fitted.nodes.filter((n) => n.members);
    expect(pairs).toHaveLength(10);
    expect(pairs.map((n) => n.title)).toContain("a3, b3 ×2");
    expect(fitted.nodes.filter((n) => n.kind === "skb")).toHaveLength(10);
  });

  it("a graph that fits keeps its pairs apart; a panel not yet measured stacks nothing more", () => {
    const small = graphAt(wideTrace(3) + "get_page(p0)\n");
    expect(stackToFit(small, {}, fits).nodes.filter((n) => n.kind === "skb")).toHaveLength(6);
    const big = graphAt(wideTrace(10) + "get_page(p0)\n");
    expect(stackToFit(big, {}, (g) => fitsReadably(g.nodes, { width: 0, height: 0 }, 1.5, false)).nodes.filter((n) => n.kind === "skb")).toHaveLength(20);
  });

  it("never stacks fewer than STACK_MIN_CROWDED, nor the selected or an expanded stack", () => {
    const g = graphAt(wideTrace(10) + "get_page(p0)\n");
    const never = stackToFit(g, { keep: "skb:b4", expanded: new Set([stackKey("data:h2")]) }, () => false);
    const skbs = never.nodes.filter((n) => n.kind === "skb").map((n) => n.key);
    expect(skbs).toContain("skb:b4");
    expect(skbs).toContain("skb:a4");
    expect(skbs).toContain(stackKey("data:h3"));
    // h2 is a1's Data, opened by the user.
    expect(skbs).toEqual(expect.arrayContaining(["skb:a1", "skb:b1"]));
    expect(STACK_MIN_CROWDED).toBe(2);
  });
});
