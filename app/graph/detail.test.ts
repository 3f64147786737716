// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { chipChanged, chipLabel, chipWidth, columnHeads, COMPACT, FULL, fitScale, fitsReadably, MIN_TEXT_PX, wantsCompact } from "./detail";

const node = (over: Partial<Parameters<typeof chipLabel>[0] & { owner: "guest" | null }> = {}) => ({
  name: "h1",
  title: "Data h1",
  counters: [
    { field: "dataref", value: "2", old: "1" },
    { field: "nr_frags", value: "1", old: null },
  ],
  findings: [],
  owner: null,
  kind: "data" as const,
  ...over,
});

describe("levels of detail (issue 17.4)", () => {
  it("draws chips when the full drawing, fitted, would show text under 10 px", () => {
    const panel = { width: 350, height: 210 };
    // Four objects in the full drawing's five columns: 900 units into 350 px.
    expect(fitScale({ w: 900, h: 240 }, panel, 1.5) * FULL.minFont).toBeLessThan(MIN_TEXT_PX);
    expect(wantsCompact({ w: 900, h: 240 }, panel, 1.5)).toBe(true);
    // On a large stage the same drawing is readable in full.
    expect(wantsCompact({ w: 900, h: 240 }, { width: 1600, height: 700 }, 1.5)).toBe(false);
    // Before the panel is measured nothing switches.
    expect(wantsCompact({ w: 900, h: 240 }, { width: 0, height: 0 }, 1.5)).toBe(false);
  });

  it("five chip columns and nine rows fit the 360×208 graph panel of 1280×720 with the editor open, text over 10 px", () => {
    const w = COMPACT.colX[4] + 64 + 20; // a last column of short chips ("q 1")
    const h = COMPACT.top + 9 * COMPACT.rowH + 20;
    expect(fitScale({ w, h }, { width: 360, height: 208 }, 1.5) * COMPACT.minFont).toBeGreaterThanOrEqual(MIN_TEXT_PX);
  });

  it("a chip says its name and main counter, old→new when it changed; a stack keeps its title; a finding is flagged", () => {
    expect(chipLabel(node())).toBe("h1 1→2");
    expect(chipLabel(node({ counters: [{ field: "users", value: "1", old: null }], name: "k1" }))).toBe("k1 1");
    expect(chipLabel(node({ members: ["skb:a", "skb:c1"], title: "a, c1 ×2", kind: "skb" }))).toBe("a, c1 ×2");
    const copies = Array.from({ length: 22 }, (_, i) => `data:h${i + 1}`);
    const dataStack = {
      members: copies,
      title: "Data h1..h22 ×22",
      counters: [
        { field: "Datas", value: "22", old: null },
        { field: "dataref", value: "1", old: null },
      ],
    };
    expect(chipLabel(node(dataStack))).toBe("×22 1");
    expect(chipWidth(node(dataStack), 2)).toBeLessThan(COMPACT.colX[3] - COMPACT.colX[2] - 8);
    expect(chipLabel(node({ findings: [{ kind: "premature" } as never] }))).toBe("⚠ h1 1→2");
    expect(chipChanged(node())).toBe(true);
    expect(chipChanged(node({ counters: [{ field: "users", value: "1", old: null }] }))).toBe(false);
  });

  it("a chip is as wide as its line, never wider than its column", () => {
    expect(chipWidth(node({ name: "x" }), 2)).toBeLessThan(chipWidth(node({ name: "h10" }), 2));
    expect(chipWidth(node({ name: "a_very_long_name_indeed" }), 2)).toBe(COMPACT.colX[3] - COMPACT.colX[2] - 8);
  });

  it("blames the rows only when the height binds the fit: more stacking cannot help a graph too wide for the panel", () => {
    const panel = { width: 360, height: 290 };
    const of = (counts: Partial<Record<"sock" | "skb" | "data" | "page" | "pipe", number>>) =>
      Object.entries(counts).flatMap(([kind, n]) => Array.from({ length: n }, () => ({ kind: kind as "skb" })));
    // Five columns, three rows: too wide for 10 px chips at 360 px, but rows are not the reason.
    expect(fitsReadably(of({ sock: 1, skb: 3, data: 3, page: 1, pipe: 1 }), panel, 1.5, true)).toBe(true);
    // Twenty skb rows: the height binds.
    expect(fitsReadably(of({ skb: 20, data: 10, page: 10 }), panel, 1.5, false)).toBe(false);
    expect(fitsReadably(of({ skb: 10, data: 10, page: 10 }), panel, 1.5, false)).toBe(true);
    // The stable layout's rows (holes included) count when there are more of them.
    expect(fitsReadably(of({ skb: 10, data: 10, page: 10 }), panel, 1.5, false, 20)).toBe(false);
  });

  it("heads each column with the counter its chips show", () => {
    expect(
      columnHeads([
        { kind: "skb", col: 1 },
        { kind: "data", col: 2 },
        { kind: "skb", col: 1 },
        { kind: "pipe", col: 4 },
        { kind: "ubuf", col: 4 },
      ]),
    ).toEqual([
      { col: 1, text: "skb users" },
      { col: 2, text: "dataref" },
      { col: 4, text: "pipe/ubuf" },
    ]);
  });
});
