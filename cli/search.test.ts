// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { hasErrors, parseTrace, runTrace } from "../core/index";
import { search } from "../core/search/index";
import { main, type Io } from "./skbscope";
import "./search";

async function cli(args: string[], files: Record<string, string> = {}) {
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
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("skbscope search", () => {
  it("exit 1 and the shortest counterexamples as traces for shinfo-release (2.6.32)", async () => {
    const r = await cli(["search", "--policy", "shinfo-release", "--kernel", "2.6.32", "--depth", "2", "--workers", "0"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("== premature in 1 step ==");
    expect(r.out).toContain("pskb_expand_head(a, 0, 0)  # premature");
    expect(r.out).toMatch(/pskb_copy: premature in 2 steps\n# title: premature via pskb_copy in 2 steps/);
  });

  it("--json: the documented shape, each trace parses and reproduces its finding", async () => {
    const r = await cli(["search", "--policy", "shinfo-release", "--kernel", "2.6.32", "--depth", "2", "--json"]);
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

  it("exit 0 when none is found within the bound (ubuf-orphan, 6.1)", async () => {
    const r = await cli(["search", "--policy", "ubuf-orphan", "--depth", "2", "--workers", "0"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("no counterexample up to 2 steps");
    // The bound stated as a proof: every kind, the start and the menu, the states.
    expect(r.out).toMatch(
      /no premature completion, duplicate completion, missed completion, late completion, use-after-free, double free, refcount underflow or conservation breach in any sequence of up to 2 steps from g = alloc_page\(guest\); a = alloc_skb\(256\); skb_fill_page_desc\(a, 0, g, 0, 4096\); zerocopy_arm\(a\) over alloc_skb, skb_get, .*skb_copy_ubufs, skb_gro_receive, skb_tx_error(, \w+)* \(\d+ distinct states of up to 1 step, [\d,]+ steps judged at step 2\)/,
    );
    expect(r.out).toMatch(/calculated \(optimistic\): {2}val = \d\.\dE-\d+/);
    expect(r.out).toContain("skb_split: none that needs it up to 2 steps (the whole search's proof covers it)");
  });

  it("--workers 2 (worker_threads) gives the one-thread result; --json states the proof and the figures", async () => {
    const args = ["search", "--policy", "ubuf-orphan", "--depth", "2", "--json"];
    const alone = JSON.parse((await cli([...args, "--workers", "0"])).out);
    const pooled = JSON.parse((await cli([...args, "--workers", "2"])).out);
    expect(pooled.workers).toBe(2);
    for (const j of [alone, pooled]) {
      delete j.elapsedMs;
      delete j.workers;
    }
    expect(pooled).toEqual(alone);
    expect(alone.result).toMatchObject({ depth: 2, stoppedBy: null });
    expect(alone.result.states).toBeGreaterThan(10);
    expect(alone.result.leaves).toBeGreaterThan(100);
    expect(alone.proof).toMatch(/^no premature completion, .* in any sequence of up to 2 steps from g = alloc_page\(guest\);/);
    expect(alone.menu).toContain("skb_copy_ubufs");
    // Nothing found by the whole search: each operation's search is implied, not re-run.
    expect(alone.through.ops.length).toBeGreaterThan(15);
    for (const t of alone.through.ops) expect(t).toMatchObject({ result: { depth: 2, stoppedBy: null, impliedBy: "whole-search" }, counterexamples: [] });
  }, 60_000);

  it("msg-zerocopy: each operation looks only for what the whole search found, and says so", async () => {
    const r = await cli(["search", "--policy", "msg-zerocopy", "--depth", "2", "--json", "--workers", "0"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.counterexamples.map((c: { kind: string }) => c.kind)).toEqual(["late"]);
    const op = (name: string) => j.through.ops.find((t: { op: string }) => t.op === name);
    // The whole counterexample calls queue_userspace_packet: its through result is that one, not searched.
    expect(op("queue_userspace_packet")).toMatchObject({
      result: { impliedBy: "whole-search", kindsImpliedBy: "whole-search", searchedKinds: [], impliedKinds: ["late"] },
      counterexamples: [{ kind: "late", length: 2, needsOp: true }],
    });
    // Another operation looked for late only.
    expect(op("skb_split").result).toMatchObject({ kindsImpliedBy: "whole-search", searchedKinds: ["late"], impliedKinds: [] });
    expect(op("skb_split").result.impliedBy).toBeUndefined();
    const text = await cli(["search", "--policy", "msg-zerocopy", "--depth", "2", "--workers", "0"]);
    expect(text.out).toContain("queue_userspace_packet: late in 2 steps (the whole search's counterexample, which uses it: not searched again)");
    expect(text.out).toMatch(
      /skb_split: none that needs it up to 2 steps \(kinds the whole search did not find are absent here too; only late searched for, \d+ states\)/,
    );
  }, 60_000);

  it("--max-states stops at the budget: no proof then", async () => {
    const r = await cli(["search", "--policy", "ubuf-orphan", "--depth", "3", "--max-states", "50", "--json", "--workers", "0"]);
    const j = JSON.parse(r.out);
    expect(j.result).toMatchObject({ stoppedBy: "budget", states: 50 });
    expect(j.proof).toBeNull();
  });

  it("--time stops every search once the time is up", async () => {
    const r = await cli(["search", "--policy", "ubuf-orphan", "--depth", "8", "--time", "0.5", "--json", "--workers", "0"]);
    const j = JSON.parse(r.out);
    expect(j.result.stoppedBy).toBe("time");
    expect(j.result.depth).toBeLessThan(8);
    expect(j.elapsedMs).toBeLessThan(30_000);
  }, 60_000);

  it("--time: an operation's search the time left no room for says so, never 'none' up to 0 steps", async () => {
    const r = await cli(["search", "--policy", "ubuf-orphan", "--depth", "8", "--time", "0.5", "--workers", "0"]);
    expect(r.out).toMatch(/^time limit reached; every path of up to \d+ steps? judged/m);
    const through = r.out.slice(r.out.indexOf("== through each operation")).split("\n").slice(1);
    expect(through.length).toBeGreaterThan(10);
    // Each says how far it got before the limit, or that it never started.
    for (const line of through)
      expect(line).toMatch(/^\w+: (none that needs it up to \d+ steps?, then the time limit was reached|not searched: the time limit was reached first)$/);
    expect(r.out).not.toMatch(/up to 0 steps/);
  }, 60_000);

  it("--max-states: an operation's search cut by the budget says how far it got, in the text as in the JSON", async () => {
    // A budget just above the whole search's states: it completes, the searches through an operation (which keep more) are cut.
    const whole = search({ policy: "msg-zerocopy", kernel: "6.1", maxDepth: 3 });
    const args = ["search", "--policy", "msg-zerocopy", "--depth", "3", "--max-states", String(whole.states + 1), "--workers", "0"];
    const text = (await cli(args)).out;
    const json = JSON.parse((await cli([...args, "--json"])).out);
    expect(json.result.stoppedBy).toBeNull();
    const ops: { op: string; result: { stoppedBy: string | null; depth: number } }[] = json.through.ops;
    const cut = ops.filter((t) => t.result.stoppedBy === "budget");
    expect(cut.length).toBeGreaterThan(0);
    for (const t of ops) {
      const line = text.split("\n").find((l) => l.startsWith(`${t.op}: `))!;
      if (t.result.stoppedBy === "budget")
        expect(line, t.op).toMatch(
          new RegExp(
            `^${t.op}: (none that needs it up to ${t.result.depth} steps?, then the state budget was reached|not searched: the state budget was reached first|\\w+ in \\d+ steps?)`,
          ),
        );
      else expect(line, t.op).not.toMatch(/budget/);
    }
  }, 60_000);

  it("--from: the start state, policy and kernel from a trace's headers", async () => {
    const start = "# policy: shinfo-release\n# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n";
    const r = await cli(["search", "--from", "start.trace", "--depth", "2", "--json", "--workers", "0"], { "start.trace": start });
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
    [["search", "--policy", "page-refs", "--workers", "two"], /--workers/],
    [["search", "--policy", "page-refs", "--max-states", "0"], /--max-states/],
    [["search", "--policy", "page-refs", "--time", "-3"], /--time/],
  ])("exit 2 on bad input: %j", async (args, message) => {
    const r = await cli(args, {
      "bad.trace": "a = alloc_skb(256)\nkfree_skb(a)\nkfree_skb(a)\n",
      "undefined.trace": "a = alloc_skb(256)\nkfree_skb(b)\n",
      "syntax.trace": "a = = alloc_skb(\n",
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
