// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { layoutObjects } from "./grouping";
import { EMPTY_LAYOUT, nextLayout, rowCount, tidyLayout, type Layout } from "./layout";
import { buildGraph } from "./model";
import { stackClones } from "./stacks";

/** The layout after each step of a trace, as the graph view grows it (stable). */
function grow(source: string, upTo?: number): { layout: Layout; at: (key: string) => number | undefined; objects: ReturnType<typeof layoutObjects> } {
  const run = runTrace(parseTrace(source).trace);
  let layout = EMPTY_LAYOUT;
  let objects: ReturnType<typeof layoutObjects> = [];
  const last = upTo ?? run.steps.length;
  for (let step = 1; step <= last; step++) {
    const graph = stackClones(buildGraph(stateView(run.snapshotAt(step)), stateView(run.snapshotAt(step - 1)), run.steps[step - 1].findings));
    objects = layoutObjects(graph);
    layout = nextLayout(layout, objects);
  }
  return { layout, at: (key) => layout.get(key)?.row, objects };
}

describe("grouping: skbs beside their Data, pages beside their holders (issue 17.4)", () => {
  it("an skb's first anchor is its Data, a Data's its skb, a page's the Data whose frag holds it", () => {
    const { objects } = grow("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\n");
    const near = new Map(objects.map((o) => [o.key, o.near?.[0]]));
    expect(near.get("skb:a")).toBe("data:h1");
    expect(near.get("data:h1")).toBe("skb:a");
    expect(near.get("page:g")).toBe("data:h1");
  });

  it("a copy's skb and its new Data share a row; a page that came alone takes the lowest free row", () => {
    const { at } = grow("x = alloc_skb(64)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, h, 0, 4096)\nk = pskb_copy(a)\n");
    expect(at("skb:k")).toBe(at("data:h3"));
    expect(at("skb:a")).toBe(at("data:h2"));
    // The page arrived alone (no holder yet): the lowest free row of its column.
    expect(at("page:h")).toBe(0);
  });

  it("a clone takes the free skb row nearest its Data's", () => {
    const { at } = grow("x = alloc_skb(64)\ny = alloc_skb(64)\na = alloc_skb(256)\nb = skb_clone(a)\nskb_put(a, 10)\n");
    // a and its Data on row 2; the clone takes the free skb row nearest its Data (3, below).
    expect(at("skb:a")).toBe(2);
    expect(at("data:h3")).toBe(2);
    expect(at("skb:b")).toBe(3);
  });

  it("survivors never move; tidy closes the rows freed objects left, keeping groups together", () => {
    const source = "a = alloc_skb(64)\nb = alloc_skb(64)\nc = alloc_skb(64)\nkfree_skb(a)\nkfree_skb(b)\nd = skb_clone(c)\n";
    const before = grow(source, 3);
    const after = grow(source);
    expect(after.at("skb:c")).toBe(before.at("skb:c"));
    expect(after.at("data:h3")).toBe(before.at("data:h3"));
    expect(rowCount(after.layout)).toBeGreaterThanOrEqual(3);
    const tidy = tidyLayout(after.objects);
    expect(tidy.get("skb:c")!.row).toBe(0);
    expect(tidy.get("data:h3")!.row).toBe(0);
    expect(tidy.get("skb:d")!.row).toBe(1);
    expect(rowCount(tidy)).toBe(2);
  });

  it("a clone stack takes the place of its first member, and unfolding it puts that member back: nothing else moves", () => {
    const source = "a = alloc_skb(256)\nc1 = skb_clone(a)\nc2 = skb_clone(a)\nc3 = skb_clone(a)\nk = pskb_copy(a)\n";
    const run = runTrace(parseTrace(source).trace);
    const graphAt = (step: number, expanded: ReadonlySet<string> = new Set()) =>
      stackClones(buildGraph(stateView(run.snapshotAt(step)), stateView(run.snapshotAt(step - 1)), []), { expanded });
    let layout = EMPTY_LAYOUT;
    for (let step = 1; step <= 5; step++) layout = nextLayout(layout, layoutObjects(graphAt(step)));
    expect(layout.get("stack:h1")).toEqual({ col: 1, row: 0 });
    const k = layout.get("skb:k");
    const unfolded = nextLayout(layout, layoutObjects(graphAt(5, new Set(["stack:h1"]))));
    expect(unfolded.get("skb:a")).toEqual({ col: 1, row: 0 });
    expect(unfolded.get("skb:k")).toEqual(k);
    expect(unfolded.get("data:h1")).toEqual(layout.get("data:h1"));
  });

  it("the 33-object trace (10 clones, 5 copies, 3 splits, a pipe) packs into as many rows as it has skb nodes", () => {
    const many = [
      "g = alloc_page(guest)",
      "a = alloc_skb(256)",
      "skb_fill_page_desc(a, 0, g, 0, 4096)",
      ...Array.from({ length: 10 }, (_, i) => `c${i + 1} = skb_clone(a)`),
      ...Array.from({ length: 5 }, (_, i) => `k${i + 1} = pskb_copy(a)`),
      ...Array.from({ length: 3 }, (_, i) => `s${i + 1} = skb_split(k${i + 1}, 100)`),
      "s = sock_create()",
      "sock_queue_rcv_skb(s, k4)",
      "q = skb_splice_bits(k4, 0, 4096)",
    ].join("\n");
    const { layout, objects } = grow(`${many}\n`);
    const skbNodes = objects.filter((o) => o.col === 1).length;
    expect(rowCount(layout)).toBe(skbNodes);
    // Each copy's Data sits on its skb's row.
    for (const o of objects.filter((x) => x.key.startsWith("skb:k"))) expect(layout.get(o.near![0])!.row).toBe(layout.get(o.key)!.row);
  });
});
