// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace } from "./parse";
import { printTrace } from "./print";
import { stripPositions } from "./ast";

const ISSUE_SPELLINGS = `g = alloc_page(guest)            # h = alloc_page(host)
a = alloc_skb(256)
skb_reserve(a, 32)
skb_put(a, 128)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)     # owner arms its completion as the policy says
b = skb_clone(a)
skb_get(a)
c = pskb_copy(a)
d = skb_copy(a)
pskb_expand_head(a, 0, 64)
e = skb_split(a, 1000)
__pskb_pull_tail(a, 200)
pskb_trim(a, 300)
skb_linearize(a)
skb_orphan(a)
skb_orphan_frags(a)
s = sock_create()
sock_queue_rcv_skb(s, a)   # local delivery
q = skb_splice_bits(a, 0, 4096)
pipe_release(q)
kfree_skb(b)
consume_skb(c)
`;

describe("parseTrace", () => {
  it("accepts every spelling the engine issue lists", () => {
    const p = parseTrace(ISSUE_SPELLINGS);
    expect(p.diagnostics).toEqual([]);
    expect(p.trace.ops).toHaveLength(23);
    expect(p.trace.ops[0]).toMatchObject({ fn: "alloc_page", result: "g", args: [{ kind: "kw", value: "guest" }], comment: " h = alloc_page(host)" });
  });

  it("reads the header comments", () => {
    const p = parseTrace("# title: A story\n# policy: shinfo-release\n# kernel: 2.6.32\na = alloc_skb(1)\n");
    expect(p.trace).toMatchObject({ title: "A story", policy: "shinfo-release", kernel: "2.6.32" });
  });

  it("reports an unknown policy or kernel at its line", () => {
    const p = parseTrace("# policy: magic\n# kernel: 5.4\n");
    expect(p.diagnostics.map((d) => [d.line, d.severity, d.message])).toEqual([
      [1, "error", 'unknown policy "magic"'],
      [2, "error", 'unknown kernel "5.4"'],
    ]);
  });

  it.each([
    ["a = skb_clon(b)", 1, 5, /unknown operation "skb_clon"; did you mean skb_clone\?/],
    ["kfree_skb(a", 1, 12, /expected "," or "\)"/],
    ["kfree_skb(a, b)", 1, 14, /kfree_skb takes 1 argument/],
    ["skb_put(a)", 1, 10, /skb_put needs 2 arguments: skb_put\(skb, len\)/],
    ["skb_put(a, b)", 1, 12, /argument 2 \(len\) must be a number/],
    ["skb_clone(a)", 1, 1, /skb_clone returns an skb: name it/],
    ["x = kfree_skb(a)", 1, 1, /kfree_skb returns nothing to assign/],
    ["a = alloc_page(a)", 1, 16, /must be guest or host/],
    ["a = alloc_skb(12) x", 1, 19, /expected the end of the line/],
    ["a = alloc_skb(1$)", 1, 16, /unexpected character "\$"/],
    ["guest = alloc_skb(1)", 1, 1, /"guest" is a keyword/],
    ["kfree_skb_partial(a, 1)", 1, 22, /must be true or false/],
  ])("%s -> an error at line:column with what was expected", (src, line, column, message) => {
    const p = parseTrace(src);
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0]).toMatchObject({ line, column, severity: "error" });
    expect(p.diagnostics[0].message).toMatch(message);
    expect(p.diagnostics[0].expected).toBeTruthy();
    expect(p.trace.ops).toEqual([]);
  });

  it("keeps reading after a bad line", () => {
    const p = parseTrace("a = alloc_skb(1)\nnonsense(\nkfree_skb(a)\n");
    expect(p.trace.ops.map((o) => o.fn)).toEqual(["alloc_skb", "kfree_skb"]);
    expect(p.diagnostics[0].line).toBe(2);
  });

  it("warns about lines over 72 columns", () => {
    const p = parseTrace(`a = alloc_skb(1)  # ${"x".repeat(80)}\n`);
    expect(p.diagnostics[0]).toMatchObject({ line: 1, column: 73, severity: "warning" });
  });

  it("accepts hex, negative numbers, segment refs and aliases", () => {
    const p = parseTrace("pskb_expand_head(a, -1, 0x40)\nkfree_skb(segs[2])\nskb_header_release(a)\nguest_write(g)\n", { names: false });
    expect(p.diagnostics).toEqual([]);
    expect(p.trace.ops.map((o) => o.fn)).toEqual(["pskb_expand_head", "kfree_skb", "__skb_header_release", "owner_reuse"]);
    expect(p.trace.ops[0].args).toMatchObject([{ kind: "ref" }, { value: -1 }, { value: 64 }]);
    expect(p.trace.ops[1].args[0]).toMatchObject({ kind: "ref", name: "segs", index: 2 });
  });

  it("splice takes a new pipe, or an existing one as a fourth argument", () => {
    const a = "a = alloc_skb(100)\n";
    expect(parseTrace(`${a}q = skb_splice_bits(a, 0, 10)\nskb_splice_bits(a, 0, 10, q)\n`).diagnostics).toEqual([]);
    expect(parseTrace(`${a}skb_splice_bits(a, 0, 10)\n`).diagnostics[0].message).toMatch(/returns a pipe/);
    expect(parseTrace(`${a}r = skb_splice_bits(a, 0, 10, q)\n`, { names: false }).diagnostics[0].message).toMatch(/nothing to assign when given a pipe/);
  });

  it("a header-looking comment before the first op survives printing", () => {
    const t = { ops: [{ fn: "alloc_skb", result: "a", args: [{ kind: "int" as const, value: 1 }], leading: [" policy: not a header"] }] };
    const back = parseTrace(printTrace(t)).trace;
    expect(stripPositions(back)).toEqual(t);
  });

  it("keeps one frozen argument per distinct value, shared by the ops that name it, without spans", () => {
    const ops = parseTrace("a = alloc_skb(256)\nb = alloc_skb(256)\nb2 = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)\n").trace.ops;
    expect(ops[0].args[0]).toBe(ops[1].args[0]);
    expect(ops[2].args[0]).toBe(ops[3].args[0]);
    expect(ops[3].args[0]).not.toBe(ops[4].args[0]);
    expect(Object.isFrozen(ops[3].args[0])).toBe(true);
    expect(ops.flatMap((op) => op.args).filter((a) => "span" in a)).toEqual([]);
    expect(ops.map((op) => op.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it("handles CRLF line endings and an empty source", () => {
    expect(parseTrace("a = alloc_skb(1)\r\nkfree_skb(a)\r\n").trace.ops).toHaveLength(2);
    expect(parseTrace("").trace.ops).toEqual([]);
  });
});
