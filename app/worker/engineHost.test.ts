// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTrace, printOp, runTrace, stateView, stripPositions, verdictMatrix } from "../../core/index";
import { longTrace } from "../../e2e/traces";
import { STORIES, storyCaption } from "../../stories/index";
import { EngineHost } from "./engineHost";
import { PROTOCOL_VERSION, STEP_VIOLATION, type FromWorker } from "./protocol";

const story = readFileSync(new URL("../../stories/seed/tsirkin-pskb-copy.trace", import.meta.url), "utf8");

function host() {
  const out: FromWorker[] = [];
  const tasks: (() => void)[] = [];
  const h = new EngineHost(
    (m) => out.push(m),
    (t) => tasks.push(t),
  );
  const runTasks = () => {
    while (tasks.length) tasks.shift()!();
  };
  return { h, out, tasks, runTasks, of: <K extends FromWorker["kind"]>(k: K) => out.filter((m): m is Extract<FromWorker, { kind: K }> => m.kind === k) };
}

describe("engine host (the worker side of the protocol)", () => {
  it("says ready with the protocol version and the op table", () => {
    const { h, of } = host();
    h.start();
    const ready = of("ready")[0];
    expect(ready.version).toBe(PROTOCOL_VERSION);
    expect(ready.ops.find((o) => o.fn === "skb_splice_bits")).toMatchObject({ params: ["skb", "int", "int", "pipe"], optional: 1, resultUnlessOptional: true });
  });

  it("marks a step the kernel BUGs on as a violation in the step columns", () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: "a = alloc_skb(256)\nskb_put(a, 4096)\n", policy: null, kernel: null });
    const loaded = of("loaded")[0];
    expect(loaded.verdict).toBe("kernel-bug");
    expect(loaded.columns.flags[1] & STEP_VIOLATION).toBeTruthy();
    expect(loaded.columns.flags[0] & STEP_VIOLATION).toBeFalsy();
  });

  it("answers a load with parsed, loaded (step columns), then the matrix and lifetimes in the background", () => {
    const { h, of, runTasks } = host();
    h.handle({ kind: "load", seq: 7, source: story, policy: null, kernel: null });
    const run = runTrace(parseTrace(story).trace);
    expect(of("parsed")[0]).toMatchObject({ seq: 7, policy: "shinfo-release", kernel: "2.6.32" });
    const loaded = of("loaded")[0];
    expect(loaded.stepCount).toBe(run.steps.length);
    const violating = run.findings.find((f) => f.kind === "premature")!.step;
    expect(loaded.columns.flags[violating - 1] & STEP_VIOLATION).toBeTruthy();
    expect(of("matrix")).toHaveLength(0);
    runTasks();
    const matrix = of("matrix")[0];
    expect(matrix.rows.map((r) => [r.policy, r.verdict])).toEqual([
      ["page-refs", "ok"],
      ["destructor", "premature"],
      ["shinfo-release", "premature"],
      ["ubuf-orphan", "n/a"],
      ["msg-zerocopy", "n/a"],
      ["page-pool", "n/a"],
      ["io-uring-notif", "n/a"],
    ]);
    const life = of("lifetimes")[0];
    const g = life.rows.find((r) => r.kind === "page" && r.name === "g")!;
    expect(g.born).toBe(1);
    expect(Math.max(...g.series.map((p) => p[1]))).toBe(2);
  });

  it("a step the engine could not judge makes the row inconclusive, naming the step (issue 11.1)", () => {
    const { h, of, runTasks } = host();
    const source =
      "# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nt = alloc_skb(256)\nskb_frag_add_head(t, a)\nsegs = skb_segment(t, 1448)\nkfree_skb(t)\n";
    h.handle({ kind: "load", seq: 1, source, policy: "msg-zerocopy", kernel: null });
    expect(of("loaded")[0].verdict).toBe("inconclusive");
    runTasks();
    const rows = Object.fromEntries(of("matrix")[0].rows.map((r) => [r.policy, r]));
    expect(rows["msg-zerocopy"]).toMatchObject({ verdict: "inconclusive", unjudged: [{ step: 7, message: expect.stringMatching(/not modelled/) }] });
    expect(rows["ubuf-orphan"]).toMatchObject({ verdict: "inconclusive", unjudged: [{ step: 7 }] });
    expect(rows["page-refs"]).toMatchObject({ verdict: "ok", unjudged: [], nothingArmed: null });
    // No page_pool page in the trace: page-pool's ok judged no completion, and the row says so.
    expect(rows["page-pool"]).toMatchObject({ verdict: "ok", nothingArmed: expect.stringMatching(/^nothing armed: .*no completion was judged/) });
  });

  it("judges a long trace's matrix and lifetimes in slices: a snapshot request is answered between them, and the rows are the whole pass's", () => {
    const { h, tasks, of } = host();
    const source = longTrace(30_000);
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    const trace = parseTrace(source).trace;
    const whole = verdictMatrix(trace, "6.1").entries;
    let ran = 0;
    let answeredBetween = 0;
    while (tasks.length) {
      tasks.shift()!();
      ran++;
      if (of("matrix").length === 0 && ran % 7 === 0) {
        h.handle({ kind: "snapshot", seq: 100 + ran, step: 29_990 - ran });
        if (of("snapshot").at(-1)?.step === 29_990 - ran) answeredBetween++;
      }
    }
    // More background tasks than rows and the lifetimes: each pass went in slices.
    expect(ran).toBeGreaterThan(whole.length + 1);
    expect(answeredBetween).toBeGreaterThan(0);
    const rows = of("matrix")[0].rows.filter((r) => r.verdict !== "n/a");
    expect(rows.map((r) => [r.policy, r.verdict, r.findings.length])).toEqual(whole.map((e) => [e.policy, e.verdict, e.findings.length]));
    expect(of("lifetimes")).toHaveLength(1);
  });

  it("a new load cancels the old trace's background work", () => {
    const { h, of, runTasks } = host();
    h.handle({ kind: "load", seq: 1, source: story, policy: null, kernel: null });
    h.handle({ kind: "load", seq: 2, source: "a = alloc_skb(1)\n", policy: null, kernel: null });
    runTasks();
    expect(of("matrix").map((m) => m.seq)).toEqual([2]);
    expect(of("lifetimes").map((m) => m.seq)).toEqual([2]);
  });

  it("sends the snapshot the engine computes, with the step before it", () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: story, policy: null, kernel: null });
    h.handle({ kind: "snapshot", seq: 2, step: 5 });
    const snap = of("snapshot")[0];
    const run = runTrace(parseTrace(story).trace);
    expect(snap.view).toEqual(stateView(run.snapshotAt(5)));
    expect(snap.prev).toEqual(stateView(run.snapshotAt(4)));
    expect(snap.detail).toMatchObject({ step: 5, op: printOp(run.steps[4].op) });
  });

  it("keeps freed host pages out of a snapshot once they are gone", () => {
    const { h, of } = host();
    const source = "p = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, p, 0, 4096)\nkfree_skb(a)\nq = alloc_page(host)\n";
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    h.handle({ kind: "snapshot", seq: 2, step: 4 });
    h.handle({ kind: "snapshot", seq: 3, step: 5 });
    const [freedNow, later] = of("snapshot");
    // The step that frees p may show it (fading out), marked freed; later steps do not.
    expect(freedNow.view.pages.every((p) => p.name === "p" && p.freed)).toBe(true);
    expect(later.view.pages.map((p) => p.name)).toEqual(["q"]);
    expect(later.prev!.pages.map((p) => p.name)).toEqual([]);
  });

  it("formats an operation exactly as printOp does", () => {
    const { h, of } = host();
    h.handle({ kind: "format", seq: 1, op: { fn: "skb_splice_bits", result: "q", args: ["a", 0, 4096] } });
    h.handle({ kind: "format", seq: 2, op: { fn: "kfree_skb_list", args: ["segs"] } });
    h.handle({ kind: "format", seq: 3, op: { fn: "sk_eat_skb", args: ["s", "segs[1]"] } });
    h.handle({ kind: "format", seq: 4, op: { fn: "alloc_page", result: "p", args: ["guest"] } });
    h.handle({ kind: "format", seq: 5, op: { fn: "kfree_skb_partial", args: ["b", true] } });
    expect(of("formatted").map((f) => f.line)).toEqual([
      "q = skb_splice_bits(a, 0, 4096)",
      "kfree_skb_list(segs)",
      "sk_eat_skb(s, segs[1])",
      "p = alloc_page(guest)",
      "kfree_skb_partial(b, true)",
    ]);
    for (const line of of("formatted").map((f) => f.line)) expect(printOp(parseTrace(`${line}\n`, { names: false }).trace.ops[0])).toBe(line);
  });

  it("dry-runs a draft after a step: skb_split on a cloned skb would be refused, the same split before the clone runs", () => {
    const { h, of } = host();
    const source = "g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 200)\nb = skb_clone(a)\n";
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    const split = { fn: "skb_split", result: "c", args: ["a", 100] };
    h.handle({ kind: "format", seq: 2, op: split, at: { loadSeq: 1, step: 4 } });
    h.handle({ kind: "format", seq: 3, op: split, at: { loadSeq: 1, step: 3 } });
    // A stale load: nothing is tried.
    h.handle({ kind: "format", seq: 4, op: split, at: { loadSeq: 0, step: 3 } });
    const [cloned, before, stale] = of("formatted");
    expect(cloned.line).toBe("c = skb_split(a, 100)");
    expect(cloned.outcome?.refused?.kind).toBe("precondition");
    expect(cloned.outcome?.refused?.message).toMatch(/a is cloned/);
    expect(before.outcome).toEqual({ refused: null, events: expect.any(Array) });
    expect(stale.outcome).toBeNull();
    // The dry run changed nothing: the loaded trace's snapshots are as before.
    h.handle({ kind: "snapshot", seq: 5, step: 4 });
    expect(of("snapshot")[0].view.skbs.map((s) => s.name)).toEqual(["a", "b"]);
  });

  it("with at.later, re-runs the steps after the draft: kfree_skb(c) after step 6 makes the old step 9 a use-after-free", () => {
    const { h, of } = host();
    const source =
      "g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a)\nc = skb_copy(a)\nkfree_skb(a)\nkfree_skb(b)\nskb_put(c, 10)\n";
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    h.handle({ kind: "format", seq: 2, op: { fn: "kfree_skb", args: ["c"] }, at: { loadSeq: 1, step: 6, later: true } });
    h.handle({ kind: "format", seq: 3, op: { fn: "kfree_skb", args: ["c"] }, at: { loadSeq: 1, step: 9, later: true } });
    h.handle({ kind: "format", seq: 4, op: { fn: "kfree_skb", args: ["a"] }, at: { loadSeq: 1, step: 8, later: true } });
    const [early, last, refused] = of("formatted").map((f) => f.outcome);
    expect(early?.refused).toBeNull();
    expect(early?.later?.failing.map((f) => [f.step, f.op, f.kind])).toEqual([[10, "skb_put(c, 10)", "use-after-free"]]);
    // Nothing follows the last step; a refused line changes nothing after it.
    expect(last?.later).toBeNull();
    expect(refused?.refused?.kind).toBe("double-free");
    expect(refused?.later).toBeNull();
    // The loaded run is untouched: step 9 still runs.
    h.handle({ kind: "snapshot", seq: 5, step: 9 });
    expect(of("snapshot")[0].detail?.error).toBeNull();
  });

  it("dry-runs the kernel's own checks: a second frag at a taken index, a free of a freed skb", () => {
    const { h, of } = host();
    const source = "g = alloc_page(guest)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = alloc_skb(64)\nkfree_skb(b)\n";
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    h.handle({ kind: "format", seq: 2, op: { fn: "skb_fill_page_desc", args: ["a", 1, "h", 0, 4096] }, at: { loadSeq: 1, step: 6 } });
    h.handle({ kind: "format", seq: 3, op: { fn: "kfree_skb", args: ["b"] }, at: { loadSeq: 1, step: 6 } });
    h.handle({ kind: "format", seq: 4, op: { fn: "kfree_skb", args: ["b"] }, at: { loadSeq: 1, step: 5 } });
    h.handle({ kind: "format", seq: 5, op: { fn: "skb_fill_page_desc", args: ["a", 0, "h", 0, 4096] }, at: { loadSeq: 1, step: 6 } });
    const [fill, twice, once, taken] = of("formatted").map((f) => f.outcome);
    expect(fill?.refused).toBeNull();
    expect(taken?.refused?.message).toMatch(/skb_fill_page_desc/);
    expect(twice?.refused).not.toBeNull();
    expect(once?.refused).toBeNull();
  });

  it("fails politely on a snapshot before any load and on an unknown op", () => {
    const { h, of } = host();
    h.handle({ kind: "snapshot", seq: 1, step: 0 });
    h.handle({ kind: "format", seq: 2, op: { fn: "nope", args: [] } });
    expect(of("failed").map((f) => f.seq)).toEqual([1, 2]);
  });

  it("keeps a host page freed in this step in the step before, so the graph can draw its ghost", () => {
    const { h, of } = host();
    const source = "p = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, p, 0, 4096)\nkfree_skb(a)\n";
    h.handle({ kind: "load", seq: 1, source, policy: null, kernel: null });
    h.handle({ kind: "snapshot", seq: 2, step: 4 });
    const snap = of("snapshot")[0];
    expect(snap.prev!.pages.map((p) => [p.name, p.freed])).toEqual([["p", false]]);
    expect(snap.view.pages.filter((p) => !p.freed)).toEqual([]);
  });

  it("sends the story's narration with each snapshot: the introduction at step 0, each step's lines after", () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: story, policy: null, kernel: null });
    const storyObj = STORIES.find((s) => s.id === "tsirkin-pskb-copy")!;
    for (let step = 0; step <= 8; step++) h.handle({ kind: "snapshot", seq: 2 + step, step });
    expect(of("snapshot").map((s) => s.caption)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => storyCaption(storyObj, n)));
    expect(of("snapshot")[0].caption).toMatch(/^Tsirkin: "it seems that/);
  });
});

describe("engine host: sharing", () => {
  async function reply<K extends FromWorker["kind"]>(of: (k: K) => Extract<FromWorker, { kind: K }>[], kind: K, seq: number) {
    for (let i = 0; i < 200; i++) {
      const m = of(kind).find((x) => (x as { seq: number }).seq === seq);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no ${kind} ${seq}`);
  }

  it("makes a link for the loaded trace that opens as the same view", async () => {
    const { h, of } = host();
    const source = "# title: mine\ng = alloc_page(guest)\na = alloc_skb(256)   # a comment\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a)\n";
    h.handle({ kind: "load", seq: 1, source, policy: "destructor", kernel: "2.6.32" });
    h.handle({ kind: "link", seq: 2, loadSeq: 1, view: { step: 3, selection: "g", storyId: null } });
    const linked = await reply(of, "linked", 2);
    expect(linked.problem).toBeNull();
    expect(linked.fragment).toMatch(/^s[A-Za-z0-9_-]+$/);
    h.handle({ kind: "open", seq: 3, text: linked.fragment!, as: "link" });
    const opened = await reply(of, "opened", 3);
    expect(opened.result).toMatchObject({
      ok: true,
      view: { policyChoice: "destructor", kernelChoice: "2.6.32", step: 3, selection: "g", storyId: null, from: "link" },
    });
    const view = (opened.result as { ok: true; view: { source: string } }).view;
    expect(stripPositions(parseTrace(view.source).trace)).toEqual(stripPositions(parseTrace(source).trace));
  });

  it("a story's link reopens as the story's own file text, with no choices where its headers agree", async () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: story, policy: null, kernel: null });
    h.handle({ kind: "link", seq: 2, loadSeq: 1, view: { step: 6, selection: null, storyId: "tsirkin-pskb-copy" } });
    const linked = await reply(of, "linked", 2);
    expect(linked.fragment!.length).toBeLessThan(80);
    h.handle({ kind: "open", seq: 3, text: `https://example.org/skbscope/#${linked.fragment}`, as: "link" });
    const opened = await reply(of, "opened", 3);
    expect(opened.result).toEqual({
      ok: true,
      view: { source: story, policyChoice: null, kernelChoice: null, step: 6, selection: null, storyId: "tsirkin-pskb-copy", notes: [], from: "link" },
    });
  });

  it("refuses a link made for a trace that is no longer loaded", async () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: story, policy: null, kernel: null });
    h.handle({ kind: "load", seq: 2, source: "a = alloc_skb(1)\n", policy: null, kernel: null });
    h.handle({ kind: "link", seq: 3, loadSeq: 1, view: { step: 0, selection: null, storyId: null } });
    expect((await reply(of, "linked", 3)).fragment).toBeNull();
  });

  it("hostile links are errors, with the reason in words", async () => {
    const { h, of } = host();
    const bad = ["s<script>alert(1)</script>", "sAAAA", "s" + "A".repeat(20_000), "hello", "s!!!!!!!!", ""];
    bad.forEach((text, i) => h.handle({ kind: "open", seq: 10 + i, text, as: "link" }));
    for (let i = 0; i < bad.length; i++) {
      const r = (await reply(of, "opened", 10 + i)).result;
      expect(r.ok, bad[i].slice(0, 20)).toBe(false);
      expect((r as { message: string }).message.length).toBeGreaterThan(10);
    }
  });

  it("the email text, pasted back quoted, opens the same trace at the same step", async () => {
    const { h, of } = host();
    const source = "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nc = pskb_copy(a)\nkfree_skb(a)\n";
    h.handle({ kind: "load", seq: 1, source, policy: "shinfo-release", kernel: null });
    h.handle({ kind: "email", seq: 2, loadSeq: 1, view: { step: 4, selection: "c", storyId: null }, base: "https://example.org/" });
    const mail = await reply(of, "emailed", 2);
    expect(mail.text).toContain("Link: https://example.org/#s");
    expect(mail.url).toMatch(/^https:\/\/example\.org\/#s/);
    for (const line of mail.text.split("\n").filter((l) => !l.startsWith("Link: "))) expect(line.length).toBeLessThanOrEqual(72);
    const quoted = mail.text
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\n");
    h.handle({ kind: "open", seq: 3, text: `Herbert wrote:\n${quoted}\n`, as: "paste" });
    const opened = (await reply(of, "opened", 3)).result as { ok: true; view: { source: string; step: number; policyChoice: string; selection: string } };
    expect(opened.ok).toBe(true);
    expect(stripPositions(parseTrace(opened.view.source).trace)).toEqual(stripPositions(parseTrace(source).trace));
    expect(opened.view).toMatchObject({ step: 4, policyChoice: "shinfo-release", selection: "c" });
  });

  it("pasted text with no trace in it is an error, not a crash", async () => {
    const { h, of } = host();
    h.handle({ kind: "open", seq: 1, text: "thanks, looks good to me\n", as: "paste" });
    expect((await reply(of, "opened", 1)).result.ok).toBe(false);
  });

  it("a binary paste in the editor is one diagnostic: not a text trace (issue 11.6)", () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: `a = alloc_skb(1)\n\u0000\u0001\u0002${"\ufffd".repeat(3_000)}`, policy: null, kernel: null });
    expect(of("parsed")[0].diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([
      "1:1 not a text trace: a NUL byte at character 18 (binary data?)",
    ]);
    expect(of("loaded")[0].stepCount).toBe(0);
  });

  it("the editor gets the first 20 diagnostics and how many more (issue 11.6)", () => {
    const { h, of } = host();
    h.handle({ kind: "load", seq: 1, source: "nonsense(\n".repeat(5_000), policy: null, kernel: null });
    const d = of("parsed")[0].diagnostics;
    expect(d).toHaveLength(21);
    expect(d[20]).toMatchObject({ line: 21, severity: "error", message: "and 4980 more (4980 errors)" });
  });

  it("a binary paste to import is refused in one line (issue 11.6)", async () => {
    const { h, of } = host();
    h.handle({ kind: "open", seq: 1, text: "\u0000\u0000\u0000ELF", as: "paste" });
    expect((await reply(of, "opened", 1)).result).toEqual({ ok: false, message: "not a text trace: a NUL byte at character 1 (binary data?)" });
  });
});
