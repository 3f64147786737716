// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { lineTokens } from "./traceLanguage";

/** The line's tokens as [text, token name]. */
const tokens = (line: string) => lineTokens(line).map(([from, to, name]) => [line.slice(from, to), name]);

describe("the trace tokenizer, one line at a time", () => {
  it("an operation line: its result name, the operation, names, numbers and keywords", () => {
    expect(tokens("b = skb_clone(a)")).toEqual([
      ["b", "variableName"],
      ["=", "punctuation"],
      ["skb_clone", "keyword"],
      ["(", "punctuation"],
      ["a", "variableName"],
      [")", "punctuation"],
    ]);
    expect(tokens("p = alloc_page(host)").map(([, n]) => n)).toEqual(["variableName", "punctuation", "keyword", "punctuation", "atom", "punctuation"]);
    expect(
      tokens("skb_fill_page_desc(a, 0, p, 0, 0x1000)")
        .filter(([, n]) => n === "number")
        .map(([t]) => t),
    ).toEqual(["0", "0", "0x1000"]);
  });

  it("a header and a comment are one token each", () => {
    expect(tokens("# title: a story")).toEqual([["# title: a story", "meta"]]);
    expect(tokens("  # the clone shares the frag")).toEqual([["# the clone shares the frag", "comment"]]);
  });

  it("each line starts afresh: a name after the operation on the line before is not an operation", () => {
    expect(tokens("kfree_skb(a)")[0]).toEqual(["kfree_skb", "keyword"]);
    expect(
      tokens("a(b(c))")
        .filter(([, n]) => n === "keyword")
        .map(([t]) => t),
    ).toEqual(["a"]);
  });

  it("a very long line is tokenized up to its first 4,000 characters", () => {
    const line = "x".repeat(3998) + " = alloc_skb(1)";
    const all = lineTokens(line);
    expect(all.at(-1)![1]).toBeLessThanOrEqual(4000);
    expect(lineTokens("y ".repeat(10_000)).length).toBe(2000);
  });
});
