// SPDX-License-Identifier: GPL-2.0-only
/**
 * What a hostile or merely odd trace file does to the reader (issues 16.3,
 * 16.4, 11.2): every line end, a BOM, misplaced headers, long tokens, and
 * names used before they are defined.
 */
import { describe, expect, it } from "vitest";
import { verdictMatrix } from "../engine/matrix";
import { stripPositions } from "./ast";
import { parseTrace, suggestOp } from "./parse";

// A 2.6.32 story that is premature under the destructor policy.
const PREMATURE = [
  "# title: destructor fires early",
  "# policy: destructor",
  "# kernel: 2.6.32",
  "g = alloc_page(guest)",
  "a = alloc_skb(256)",
  "skb_fill_page_desc(a, 0, g, 0, 4096)",
  "zerocopy_arm(a)",
  "b = skb_clone(a)",
  "s = sock_create()",
  "sock_queue_rcv_skb(s, a)",
  "kfree_skb(b)",
  "skb_copy_datagram_iter(a, 0, 4096)",
  "sk_eat_skb(s, a)",
];
const diag = (src: string) => parseTrace(src).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`);

describe("every line end", () => {
  const lf = parseTrace(PREMATURE.join("\n"));
  it("LF: the reference reading is premature under destructor", () => {
    expect(lf.diagnostics).toEqual([]);
    expect(verdictMatrix(lf.trace, undefined, ["destructor"]).entries[0].verdict).toBe("premature");
  });

  it.each([
    ["CRLF", "\r\n"],
    ["lone CR (old Mac mail clients)", "\r"],
  ])("%s reads as LF does, lines and all", (_name, eol) => {
    const p = parseTrace(PREMATURE.join(eol) + eol);
    expect(p.diagnostics).toEqual([]);
    expect(p.trace).toEqual(lf.trace);
    expect(verdictMatrix(p.trace, undefined, ["destructor"]).entries[0].verdict).toBe("premature");
  });

  it("mixed line ends count lines as an editor does", () => {
    const p = parseTrace("a = alloc_skb(1)\rb = alloc_skb(2)\r\nc = alloc_skb(3)\nkfree_skb(zz)");
    expect(p.trace.ops.map((op) => op.line)).toEqual([1, 2, 3]);
    expect(p.diagnostics[0].line).toBe(4);
  });

  it("a BOM is ignored, columns unchanged", () => {
    const p = parseTrace(`\ufeff${PREMATURE.join("\n")}`);
    expect(p.diagnostics).toEqual([]);
    expect(stripPositions(p.trace)).toEqual(stripPositions(lf.trace));
    expect(diag("\ufeffkfree_skb(a)")).toEqual(['1:11 error: "a" is not defined: no line above says a = ...']);
  });
});

describe("headers in the wrong place", () => {
  it("a header after the first operation is a warning at its line", () => {
    expect(diag("a = alloc_skb(1)\n# policy: destructor\n")).toEqual([
      '2:1 warning: "# policy:" after the first operation is only a comment; headers go at the top',
    ]);
    expect(parseTrace("a = alloc_skb(1)\n# policy: destructor\n").trace.policy).toBeUndefined();
  });

  it("a duplicated header is a warning at its line; the first is kept", () => {
    const src = "# policy: destructor\n# kernel: 6.1\n# policy: page-refs\na = alloc_skb(1)";
    expect(diag(src)).toEqual(['3:1 warning: duplicate "# policy:" header; the one at line 1 is kept']);
    expect(parseTrace(src).trace.policy).toBe("destructor");
  });

  it("a title with control or line-separator characters is a warning", () => {
    expect(diag("# title: x\u2028y\na = alloc_skb(1)")).toEqual(["1:1 warning: the title holds control or line-separator characters; they are shown escaped"]);
    expect(diag("# title: \u001b[2Jgone\na = alloc_skb(1)")).toHaveLength(1);
  });
});

describe("static errors, as a compiler reports them (issue 11.2)", () => {
  it.each([
    ["kfree_skb(zz)", ['1:11 error: "zz" is not defined: no line above says zz = ...']],
    ["a = alloc_skb(-5)", ["1:15 error: alloc_skb takes unsigned int size; -5 is not one"]],
    ["a = alloc_skb(1)\na = alloc_skb(2)", ["2:1 error: a is already defined at line 1; a name is given once"]],
    ["g = alloc_page(guest)\nkfree_skb(g)", ["2:11 error: kfree_skb: argument 1 (skb) must be an skb; g is a page (line 1)"]],
    ["a = alloc_skb(1)\nkfree_skb_list(a)", ["2:16 error: kfree_skb_list: argument 1 (segs) must be a segment list; a is an skb (line 1)"]],
    ["a = alloc_skb(1)\nkfree_skb(a[0])", ["2:11 error: kfree_skb: argument 1 (skb) must be an skb; a is an skb (line 1), not a segment list"]],
    ["a = alloc_skb(1)\nskb_put(a)", ["2:10 error: skb_put needs 2 arguments: skb_put(skb, len)"]],
    ["kfree_skb(a)\na = alloc_skb(1)", ['1:11 error: "a" is not defined: no line above says a = ...']],
  ])("%j", (src, expected) => {
    expect(diag(src)).toEqual(expected);
  });

  it("one typo gives one error: the line's result is still defined", () => {
    expect(diag("b = skb_clone(zz)\nkfree_skb(b)")).toHaveLength(1);
  });

  it("segment lists: a member by index is an skb", () => {
    expect(diag("a = alloc_skb(3000)\nskb_put(a, 3000)\nsegs = skb_segment(a, 1000)\nkfree_skb(segs[1])\nkfree_skb_list(segs)")).toEqual([]);
  });
});

describe("input limits (issue 16.4)", () => {
  it("a name longer than 256 characters is refused, and the message is cut", () => {
    const name = "a".repeat(1 << 20);
    const d = parseTrace(`${name} = alloc_skb(1)`).diagnostics.filter((x) => x.severity === "error");
    expect(d).toHaveLength(1);
    expect(d[0].message).toBe(`name too long: "${"a".repeat(40)}…" (1048576 characters)`);
  });

  // What a long name costs is a figure of tools/bench-share.ts.
  it("an unknown operation's suggestion: none for a long name, the near one for a short", () => {
    expect(suggestOp("x".repeat(250))).toBeUndefined();
    expect(suggestOp(`skb_clon${"e".repeat(150)}`)).toBeUndefined();
    expect(suggestOp("skb_clon")).toBe("skb_clone");
  });

  it("a long unknown operation is quoted short", () => {
    const d = parseTrace(`${"z".repeat(200)}(a)`).diagnostics.filter((x) => x.severity === "error");
    expect(d[0].message).toBe(`unknown operation "${"z".repeat(40)}…" (200 characters)`);
  });

  it("a line of a million tokens parses in linear time", () => {
    const started = Date.now();
    const d = parseTrace(`kfree_skb(${"a,".repeat(500_000)}a)`).diagnostics.filter((x) => x.severity === "error");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(d[0].message).toMatch(/kfree_skb takes 1 argument/);
  });
});

describe("binary input (issue 11.6)", () => {
  it("a NUL, or many undecodable or control characters, is not a text trace; a few in a comment are", async () => {
    const { binaryReason } = await import("./limits");
    expect(binaryReason("a = alloc_skb(1)\n\u0000")).toBe("not a text trace: a NUL byte at character 18 (binary data?)");
    expect(binaryReason(`a = alloc_skb(1)  # caf\ufffd\n`)).toBeUndefined();
    expect(binaryReason(`# \u001b[2J title\n`)).toBeUndefined();
    expect(binaryReason("\ufffd".repeat(9))).toMatch(/^not a text trace: bytes that are not UTF-8 text, from character 9 on/);
    expect(binaryReason("x".repeat(10_000) + "\u0001".repeat(150))).toMatch(/^not a text trace/);
    expect(binaryReason("x".repeat(10_000) + "\u0001".repeat(99))).toBeUndefined();
  });
});

describe("diagnostics kept, the rest counted (issue 11.6)", () => {
  it("maxDiagnostics keeps that many of each severity and counts the rest, without suggestions", () => {
    const source = "a = alloc_skb(1)\n" + "skb_clon(a)\n".repeat(5000);
    const all = parseTrace(source);
    expect(all.diagnostics).toHaveLength(5000);
    expect(all.omitted).toBeUndefined();
    const capped = parseTrace(source, { maxDiagnostics: 20 });
    expect(capped.diagnostics).toHaveLength(20);
    expect(capped.diagnostics[0].message).toMatch(/did you mean skb_clone/);
    expect(capped.omitted).toEqual({ errors: 4980, warnings: 0, line: 22 });
  });
});
