import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseTrace, printOp, runTrace, stateView } from "../../core/index";
import { EngineHost } from "./engineHost";
import { PROTOCOL_VERSION, STEP_VIOLATION, type FromWorker } from "./protocol";

const story = readFileSync(new URL("../../stories/seed/tsirkin-pskb-copy.trace", import.meta.url), "utf8");

function host() {
  const out: FromWorker[] = [];
  const tasks: (() => void)[] = [];
  const h = new EngineHost((m) => out.push(m), (t) => tasks.push(t));
  const runTasks = () => {
    while (tasks.length) tasks.shift()!();
  };
  return { h, out, runTasks, of: <K extends FromWorker["kind"]>(k: K) => out.filter((m): m is Extract<FromWorker, { kind: K }> => m.kind === k) };
}

describe("engine host (the worker side of the protocol)", () => {
  it("says ready with the protocol version and the op table", () => {
    const { h, of } = host();
    h.start();
    const ready = of("ready")[0];
    expect(ready.version).toBe(PROTOCOL_VERSION);
    expect(ready.ops.find((o) => o.fn === "skb_splice_bits")).toMatchObject({ params: ["skb", "int", "int", "pipe"], optional: 1, resultUnlessOptional: true });
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
    ]);
    const life = of("lifetimes")[0];
    const g = life.rows.find((r) => r.kind === "page" && r.name === "g")!;
    expect(g.born).toBe(1);
    expect(Math.max(...g.series.map((p) => p[1]))).toBe(2);
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
    for (const line of of("formatted").map((f) => f.line)) expect(printOp(parseTrace(`${line}\n`).trace.ops[0])).toBe(line);
  });

  it("fails politely on a snapshot before any load and on an unknown op", () => {
    const { h, of } = host();
    h.handle({ kind: "snapshot", seq: 1, step: 0 });
    h.handle({ kind: "format", seq: 2, op: { fn: "nope", args: [] } });
    expect(of("failed").map((f) => f.seq)).toEqual([1, 2]);
  });
});
