// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { linesAround } from "./talk";

describe("the split view's lines around the step (issue 17.6)", () => {
  const source = "# title: t\ng = alloc_page(guest)\na = alloc_skb(256)\nkfree_skb(a)\n";
  it("gives the step's line with one line of context each side", () => {
    expect(linesAround(source, 3)).toEqual([
      { line: 2, text: "g = alloc_page(guest)", current: false },
      { line: 3, text: "a = alloc_skb(256)", current: true },
      { line: 4, text: "kfree_skb(a)", current: false },
    ]);
  });
  it("stops at the first and the last line, and says nothing before the first step", () => {
    expect(linesAround(source, 1).map((l) => l.line)).toEqual([1, 2]);
    expect(linesAround(source, 4).map((l) => l.line)).toEqual([3, 4]);
    expect(linesAround("a = alloc_skb(1)", 1)).toEqual([{ line: 1, text: "a = alloc_skb(1)", current: true }]);
    expect(linesAround(source, 0)).toEqual([]);
  });
});
