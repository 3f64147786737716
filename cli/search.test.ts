import { describe, expect, it } from "vitest";
import { hasErrors, parseTrace, runTrace } from "../core/index";
import { main, type Io } from "./skbscope";
import "./search";

function cli(args: string[], files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (path) => {
      if (!(path in files)) throw new Error(`ENOENT: ${path}`);
      return files[path];
    },
  };
  const code = main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("skbscope search", () => {
  it("exit 1 and the shortest counterexamples as traces for shinfo-release (2.6.32)", () => {
    const r = cli(["search", "--policy", "shinfo-release", "--kernel", "2.6.32", "--depth", "2"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("== premature in 1 step ==");
    expect(r.out).toContain("pskb_expand_head(a, 0, 0)  # premature");
    expect(r.out).toMatch(/pskb_copy: premature in 2 steps\n# title: premature via pskb_copy in 2 steps/);
  });

  it("--json: the documented shape, each trace parses and reproduces its finding", () => {
    const r = cli(["search", "--policy", "shinfo-release", "--kernel", "2.6.32", "--depth", "2", "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ policy: "shinfo-release", kernel: "2.6.32", from: null, maxDepth: 2, result: { depth: 2, stoppedBy: null } });
    expect(j.counterexamples[0]).toMatchObject({ kind: "premature", length: 1, ops: ["pskb_expand_head(a, 0, 0)"], verified: true });
    const copy = j.through.ops.find((t: { op: string }) => t.op === "pskb_copy");
    expect(copy.counterexamples[0]).toMatchObject({ kind: "premature", length: 2, needsOp: true, ops: ["b = pskb_copy(a)", "kfree_skb(a)"] });
    for (const c of j.counterexamples) {
      const parsed = parseTrace(c.trace);
      expect(hasErrors(parsed)).toBe(false);
      expect(runTrace(parsed.trace).findings.some((f) => f.kind === c.kind)).toBe(true);
    }
  });

  it("exit 0 when none is found within the bound (ubuf-orphan, 6.1)", () => {
    const r = cli(["search", "--policy", "ubuf-orphan", "--depth", "2"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("no counterexample up to 2 steps");
  });

  it("--from: the start state, policy and kernel from a trace's headers", () => {
    const start = "# policy: shinfo-release\n# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n";
    const r = cli(["search", "--from", "start.trace", "--depth", "2", "--json"], { "start.trace": start });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ policy: "shinfo-release", kernel: "6.1", from: "start.trace" });
  });

  it.each([
    [["search"], /needs --policy/],
    [["search", "--policy", "nope"], /unknown policy/],
    [["search", "--policy", "ubuf-orphan", "--kernel", "2.6.32"], /does not have/],
    [["search", "--policy", "page-refs", "--depth", "-1"], /--depth/],
    [["search", "--policy", "page-refs", "--depth", "99"], /--depth/],
    [["search", "--policy", "page-refs", "--from", "missing.trace"], /cannot read/],
    [["search", "--policy", "page-refs", "--from", "bad.trace"], /fails: kfree_skb\(a\)/],
    [["search", "--policy", "page-refs", "--from", "undefined.trace"], /undefined.trace:2:11: error: "b" is not defined/],
    [["search", "--policy", "page-refs", "--from", "syntax.trace"], /error/],
    [["search", "file.trace", "--policy", "page-refs"], /--from/],
  ])("exit 2 on bad input: %j", (args, message) => {
    const r = cli(args, { "bad.trace": "a = alloc_skb(256)\nkfree_skb(a)\nkfree_skb(a)\n", "undefined.trace": "a = alloc_skb(256)\nkfree_skb(b)\n", "syntax.trace": "a = = alloc_skb(\n" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
