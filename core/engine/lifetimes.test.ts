// SPDX-License-Identifier: GPL-2.0-only
/**
 * The lifetime tracker: each object's birth, death and counter changes,
 * the same whether the worker feeds it all the steps at once or in chunks.
 */
import { describe, expect, it } from "vitest";
import { parseTrace } from "../trace/parse";
import { LifeTracker, MAX_LIFE_ROWS, type LifeRow } from "./lifetimes";

const TSIRKIN =
  "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\nowner_reuse(g)\nkfree_skb(c)\n";

function rows(source: string, chunk = Infinity): { rows: LifeRow[]; omitted: number } {
  const { ops } = parseTrace(source).trace;
  const t = new LifeTracker("2.6.32", "shinfo-release");
  for (let from = 0; from < ops.length; from += chunk) t.advance(ops, from, Math.min(ops.length, from + chunk));
  return t.finish();
}
const row = (rs: LifeRow[], kind: LifeRow["kind"], name: string) => rs.find((r) => r.kind === kind && r.name === name)!;

describe("LifeTracker", () => {
  it("records births, deaths and each change of an object's counter", () => {
    const { rows: rs, omitted } = rows(TSIRKIN);
    expect(omitted).toBe(0);
    // g: mapped once, pskb_copy takes a second ref, each free drops one.
    expect(row(rs, "page", "g")).toEqual({
      name: "g",
      kind: "page",
      born: 1,
      died: null,
      series: [
        [1, 1],
        [5, 2],
        [6, 1],
        [8, 0],
      ],
    });
    expect(row(rs, "skb", "a")).toEqual({
      name: "a",
      kind: "skb",
      born: 2,
      died: 6,
      series: [
        [2, 1],
        [6, 0],
      ],
    });
    expect(row(rs, "skb", "c")).toMatchObject({ born: 5, died: 8 });
    expect(row(rs, "data", "h1")).toMatchObject({ born: 2, died: 6 });
  });

  it("gives the same rows fed in chunks as in one go", () => {
    const long = Array.from(
      { length: 40 },
      (_, i) =>
        `p${i} = alloc_page(host)\na${i} = alloc_skb(256)\nskb_fill_page_desc(a${i}, 0, p${i}, 0, 4096)\nb${i} = skb_clone(a${i})\nkfree_skb(a${i})\nkfree_skb(b${i})\n`,
    ).join("");
    expect(rows(long, 7)).toEqual(rows(long));
  });

  it(`keeps at most ${MAX_LIFE_ROWS} rows and counts the rest`, () => {
    const many = Array.from({ length: MAX_LIFE_ROWS + 10 }, (_, i) => `p${i} = alloc_page(host)\n`).join("");
    const { rows: rs, omitted } = rows(many);
    expect(rs).toHaveLength(MAX_LIFE_ROWS);
    expect(omitted).toBe(10);
  });

  it("skips a failed step", () => {
    const { rows: rs } = rows("a = alloc_skb(1)\nkfree_skb(a)\nkfree_skb(a)\n");
    expect(row(rs, "skb", "a")).toEqual({
      name: "a",
      kind: "skb",
      born: 1,
      died: 2,
      series: [
        [1, 1],
        [2, 0],
      ],
    });
  });
});
