// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { EMPTY_LAYOUT, nextLayout } from "./layout";

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
