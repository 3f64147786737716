// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { OPS } from "../../core/ops/index";
import { opTable } from "../worker/engineHost";
import type { OpInfo } from "../worker/protocol";
import { completionAt, definedNames, signature } from "./complete";
import { markRange, stoppedMessage, traceMarks } from "./marks";
import { clampWidth, MIN_EDITOR_PX } from "./width";

const ops: OpInfo[] = opTable();
const table = new Map(ops.map((o) => [o.fn, o]));

describe("completion", () => {
  const names = definedNames(["g = alloc_page(guest)", "a = alloc_skb(256)", "# x = alloc_skb(1)", "q = skb_splice_bits(a, 0, 10)"], table);

  it("knows each defined name's kind from its operation's result", () => {
    expect([...names]).toEqual([
      ["g", "page"],
      ["a", "skb"],
      ["q", "pipe"],
    ]);
  });

  it("offers operations at a line's start with signature and summary, only those with a result after `name =`", () => {
    const start = completionAt("skb_cl", 6, ops, names)!;
    expect(start.from).toBe(0);
    const clone = start.options.find((o) => o.label === "skb_clone")!;
    expect(clone).toMatchObject({ detail: "skb = skb_clone(skb skb)", info: OPS.get("skb_clone")!.summary, apply: "skb_clone(" });
    const assigning = completionAt("b = ", 4, ops, names)!;
    expect(assigning.options.map((o) => o.label)).not.toContain("kfree_skb");
    expect(assigning.options.map((o) => o.label)).toContain("skb_clone");
  });

  it("offers names of the argument's kind, and the keywords of an owner", () => {
    expect(completionAt("get_page(", 9, ops, names)!.options.map((o) => o.label)).toEqual(["g"]);
    expect(completionAt("skb_fill_page_desc(a, 0, ", 25, ops, names)!.options.map((o) => o.label)).toEqual(["g"]);
    expect(completionAt("skb_fill_page_desc(", 19, ops, names)!.options.map((o) => o.label)).toEqual(["a"]);
    expect(completionAt("p = alloc_page(h", 16, ops, names)).toMatchObject({ from: 15, options: [{ label: "guest" }, { label: "host" }] });
  });

  it("offers nothing in a comment, at an integer, or past the last parameter", () => {
    expect(completionAt("# skb_cl", 8, ops, names)).toBeNull();
    expect(completionAt("skb_put(a, ", 11, ops, names)).toBeNull();
    expect(completionAt("kfree_skb(a, ", 13, ops, names)).toBeNull();
  });

  it("marks optional parameters in brackets", () => {
    const withOptional = ops.find((o) => o.optional > 0)!;
    expect(signature(withOptional)).toMatch(/\[\w+ \w+\]\)$/);
  });
});

describe("marks", () => {
  it("lists parse and run-time errors together in line order, each with where it came from", () => {
    const marks = traceMarks(
      [{ line: 6, column: 12, endColumn: 13, severity: "error", message: "missing )", expected: "," }],
      [{ step: 4, line: 5, column: 1, endColumn: 19, kind: "refused", message: "skb_put over the end" }],
    );
    expect(marks).toEqual([
      { line: 5, column: 1, endColumn: 19, severity: "error", source: "step 4", message: "refused: skb_put over the end" },
      { line: 6, column: 12, endColumn: 13, severity: "error", source: "parse", message: "missing ) (expected ,)" },
    ]);
  });

  it("clamps a mark to its line, which may have changed since", () => {
    const m = { line: 1, column: 5, endColumn: 40, severity: "error" as const, source: "parse", message: "" };
    expect(markRange(m, { from: 100, to: 110 })).toEqual({ from: 104, to: 110 });
    expect(markRange({ ...m, column: 20 }, { from: 100, to: 110 })).toEqual({ from: 110, to: 110 });
    expect(markRange(m, null)).toBeNull();
  });

  it("says where a trace with errors stops", () => {
    expect(stoppedMessage(6)).toBe("runs up to line 6: fix line 6 to continue");
    expect(stoppedMessage(null)).toBeNull();
  });
});

describe("editor width", () => {
  it("keeps the column between its minimum and 60% of the window", () => {
    expect(clampWidth(50, 1280)).toBe(MIN_EDITOR_PX);
    expect(clampWidth(2000, 1280)).toBe(768);
    expect(clampWidth(572.4, 1280)).toBe(572);
  });
});
