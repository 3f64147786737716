// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resetStore, select, setCursor, useScope } from "../store";
import { fakeWorkers } from "../testing/fakeWorker";
import { startMachines, type Machines } from "./index";
import { insertAfterStep } from "./engine";

const story = readFileSync(new URL("../../stories/seed/tsirkin-pskb-copy.trace", import.meta.url), "utf8");
const scope = () => useScope.getState();

/** Resolves when the store satisfies `ok` (polling; the fake worker is asynchronous). */
async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out: ${ok.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const shown = () => scope().shownStep === scope().cursor && scope().view !== null;

describe("engine machine (worker lifecycle)", () => {
  let m: Machines;
  let workers: ReturnType<typeof fakeWorkers>;
  beforeEach(() => {
    resetStore();
    workers = fakeWorkers();
  });
  afterEach(() => m?.stop());

  it("loads a story and positions the cursor at its first violation", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "first-violation");
    await until(() => scope().matrix !== null && scope().lifetimes !== null && shown());
    const first = scope().findings.find((f) => f.kind === "premature")!;
    expect(scope().cursor).toBe(first.step);
    expect(scope().view!.step).toBe(first.step);
    expect(scope().detail!.findings.map((f) => f.kind)).toContain("premature");
    expect(scope().policy).toBe("shinfo-release");
    expect(scope().kernel).toBe("2.6.32");
    expect(scope().ops.length).toBeGreaterThan(30);
  });

  it("coalesces snapshot requests: a burst of cursor moves asks for at most the first and the last", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "keep");
    await until(shown);
    const before = workers.made[0].sent.filter((x) => x.kind === "snapshot").length;
    for (let i = 0; i <= scope().stepCount; i++) setCursor(i);
    setCursor(2);
    await until(() => shown() && scope().cursor === 2);
    const asked = workers.made[0].sent.filter((x) => x.kind === "snapshot").slice(before);
    expect(asked.length).toBeLessThanOrEqual(2);
    expect(asked.at(-1)).toMatchObject({ step: 2 });
  });

  it("drops a stale reply: an edit while a load is under way shows only the newest trace", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "keep");
    m.open("g = alloc_page(guest)\n", "end");
    await until(() => shown() && scope().stepCount === 1);
    expect(scope().view!.pages.map((p) => p.name)).toEqual(["g"]);
    expect(scope().title).toBeNull();
  });

  it("recovers from a worker that throws: new worker, trace replayed, cursor, text and selection kept", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "first-violation");
    await until(shown);
    select("page:g");
    setCursor(3);
    await until(() => shown() && scope().cursor === 3);
    const text = scope().source;
    m.crash("throw");
    await until(() => scope().health.state === "recovered" && shown());
    expect(workers.made).toHaveLength(2);
    expect(workers.made[0].terminated).toBe(true);
    expect(workers.made[1].sent[0]).toMatchObject({ kind: "load", source: text });
    expect(scope().cursor).toBe(3);
    expect(scope().view!.step).toBe(3);
    expect(scope().selection).toBe("page:g");
    expect(scope().source).toBe(text);
  });

  it("recovers from a hung worker through the watchdog", async () => {
    m = startMachines(workers.create, 300);
    m.open(story, "end");
    await until(shown);
    m.crash("hang");
    await until(() => scope().health.state === "recovered" && shown(), 8000);
    expect(scope().health).toMatchObject({ reason: expect.stringContaining("watchdog") });
    expect(scope().cursor).toBe(scope().stepCount);
  });

  it("notices a worker that exits silently at once, not at the next request (issue 16.1)", async () => {
    m = startMachines(workers.create, 30_000);
    m.open(story, "end");
    await until(shown);
    m.crash("exit");
    await until(() => scope().health.state === "recovered" && shown(), 20_000);
    // Seen as an exit, not as the 30 s watchdog's "stopped answering".
    expect(scope().health).toMatchObject({ reason: "the engine worker exited" });
    expect(workers.made).toHaveLength(2);
  });

  it("stops replaying a load the watchdog killed twice, and says which line it had reached (issue 16.1)", async () => {
    const poisoned = "a = alloc_skb(256)\nskb_put(a, 100)\npskb_expand_head(a, 1073741824, 0)\nkfree_skb(a)\n";
    workers = fakeWorkers({ hangOn: "pskb_expand_head(a, 1073741824" });
    m = startMachines(workers.create, 200);
    m.open(poisoned, "end");
    await until(() => scope().health.state === "failed", 10_000);
    expect(scope().health).toMatchObject({
      state: "failed",
      reason: expect.stringMatching(/stopped answering twice while replaying this trace \(it was past line 3\)/),
    });
    // two workers, each killed once: no third start
    expect(workers.made).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 600));
    expect(workers.made).toHaveLength(2);
    // an edited trace is loaded again by a new worker
    m.open("a = alloc_skb(256)\n", "end");
    await until(() => shown() && scope().stepCount === 1);
    expect(workers.made).toHaveLength(3);
  });

  it("appends the line printOp prints and moves to the new last step", async () => {
    m = startMachines(workers.create, 1000);
    m.open("a = alloc_skb(256)\n", "end");
    await until(shown);
    m.append({ fn: "skb_clone", result: "b", args: ["a"] });
    await until(() => scope().stepCount === 2 && shown());
    expect(scope().source).toBe("a = alloc_skb(256)\nb = skb_clone(a)\n");
    expect(scope().cursor).toBe(2);
    expect(scope().view!.skbs.map((s) => [s.name, s.users, s.cloned])).toEqual([
      ["a", 1, true],
      ["b", 1, true],
    ]);
  });

  it("tries the form's line after the step on screen first: a refused one is held back until the user insists (issue 17.3)", async () => {
    m = startMachines(workers.create, 1000);
    const source = "a = alloc_skb(256)\nskb_put(a, 200)\nb = skb_clone(a)\n";
    m.open(source, "end");
    await until(shown);
    const split = { fn: "skb_split", result: "c", args: ["a", 100] };
    // A try alone never commits: it says what the step would do.
    m.tryDraft(split, "k1");
    await until(() => scope().dryRun?.key === "k1");
    expect(scope().dryRun).toMatchObject({ line: "c = skb_split(a, 100)", heldBack: false });
    expect(scope().dryRun!.outcome!.refused!.message).toMatch(/a is cloned/);
    // Committing it is refused and held back, the text unchanged ...
    m.append(split, "k2");
    await until(() => scope().dryRun?.key === "k2");
    expect(scope().dryRun!.heldBack).toBe(true);
    expect(scope().source).toBe(source);
    // ... unless the user insists.
    m.append(split, "k2", true);
    await until(() => scope().stepCount === 4 && shown());
    expect(scope().source).toBe(`${source}c = skb_split(a, 100)\n`);
    expect(scope().dryRun).toBeNull();
    // Before the clone (step 2), the same split is accepted and goes in at once.
    setCursor(2);
    await until(() => shown() && scope().cursor === 2);
    m.append({ fn: "skb_split", result: "d", args: ["a", 50] }, "k3");
    await until(() => scope().stepCount === 5 && shown());
    expect(scope().source.split("\n")[2]).toBe("d = skb_split(a, 50)");
    expect(scope().cursor).toBe(3);
  });

  it("re-runs under a chosen policy and kernel", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "keep");
    await until(shown);
    m.choose("page-refs", null);
    await until(() => scope().policy === "page-refs" && shown());
    expect(scope().verdict).toBe("ok");
  });

  it("opens a permalink as the exact view: trace, policy, kernel, step and selection", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "keep");
    await until(shown);
    m.choose("destructor", "6.1");
    await until(() => scope().policy === "destructor" && scope().kernel === "6.1" && shown());
    setCursor(5);
    select("page:g");
    await until(() => shown() && scope().cursor === 5);
    m.engine.send({ type: "LINK", key: "k", view: { step: 5, selection: "g", storyId: "tsirkin-pskb-copy" } });
    await until(() => scope().link?.key === "k");
    const fragment = scope().link!.fragment!;
    m.stop();

    resetStore();
    m = startMachines(workers.create, 1000);
    m.openText(fragment, "link");
    expect(scope().opening).toBe(true);
    await until(() => !scope().opening && shown() && scope().selection !== null);
    expect(scope()).toMatchObject({
      source: story,
      policyChoice: "destructor",
      kernelChoice: "6.1",
      policy: "destructor",
      kernel: "6.1",
      cursor: 5,
      selection: "page:g",
      storyId: "tsirkin-pskb-copy",
      notice: null,
    });
  });

  it("a hostile link says why, in words, and leaves the app on the fallback story", async () => {
    m = startMachines(workers.create, 1000, { fallback: () => ({ source: story, storyId: "tsirkin-pskb-copy" }) });
    m.openText("s<img src=x onerror=alert(1)>", "link");
    await until(() => scope().notice !== null && shown());
    expect(scope().notice).toMatchObject({ kind: "error", text: expect.stringMatching(/^This link cannot be opened: .*character/) });
    expect(scope().source).toBe(story);
    expect(scope().cursor).toBe(scope().findings.find((f) => f.kind === "premature")!.step);
  });

  it("a bad link over the user's own trace keeps it as it was", async () => {
    m = startMachines(workers.create, 1000, { fallback: () => ({ source: story, storyId: null }) });
    const mine = "a = alloc_skb(256)\nb = skb_clone(a)\n";
    m.open(mine, "end");
    await until(shown);
    m.openText("sAAAAAAAAAAAAAAA", "link");
    await until(() => scope().notice?.kind === "error");
    expect(scope().source).toBe(mine);
    expect(scope().cursor).toBe(2);
  });

  it("opening something over the user's own trace offers it back", async () => {
    m = startMachines(workers.create, 1000);
    const mine = "a = alloc_skb(256)\nb = skb_clone(a)\n";
    m.open(mine, "end");
    await until(shown);
    m.openText("x = alloc_skb(64)\nkfree_skb(x)\n", "paste");
    await until(() => scope().source.includes("x = alloc_skb") && shown());
    const previous = scope().notice!.previous!;
    expect(previous).toMatchObject({ source: mine, cursor: 2 });
    m.restore(previous);
    await until(() => scope().source === mine && shown());
    expect(scope().cursor).toBe(2);
    expect(scope().notice).toBeNull();
  });

  it("checks a story's verdict matrix against the story's expected verdicts", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "keep");
    await until(() => scope().matrix !== null);
    expect(scope().storyId).toBe("tsirkin-pskb-copy");
    expect(scope().checked["tsirkin-pskb-copy"]).toEqual([]);
  });

  it("makes the email text of the loaded trace", async () => {
    m = startMachines(workers.create, 1000);
    m.open(story, "first-violation");
    await until(shown);
    m.email(6, "https://example.org/");
    await until(() => scope().email !== null);
    expect(scope().email!.text).toMatch(/^skbscope report: Tsirkin/);
    expect(scope().email!.text).toContain("step 6 of 8");
  });
});

describe("the operation form's line goes after the step on screen (issue 17.3)", () => {
  const source = "# title: t\ng = alloc_page(guest)\na = alloc_skb(256)\n# narration of the free\nkfree_skb(a)\n";
  const lines = Int32Array.from([2, 3, 5]);
  it("inserts after the cursor's step, so later steps re-run after it", () => {
    expect(insertAfterStep(source, lines, 2, 3, "c = skb_clone(a)")).toEqual({
      source: "# title: t\ng = alloc_page(guest)\na = alloc_skb(256)\nc = skb_clone(a)\n# narration of the free\nkfree_skb(a)\n",
      step: 3,
    });
  });
  it("at step 0, before the first operation; at the last step, at the end", () => {
    expect(insertAfterStep(source, lines, 0, 3, "h = alloc_page(host)").source).toBe(
      "# title: t\nh = alloc_page(host)\ng = alloc_page(guest)\na = alloc_skb(256)\n# narration of the free\nkfree_skb(a)\n",
    );
    expect(insertAfterStep(source, lines, 3, 3, "put_page(g)")).toEqual({ source: `${source}put_page(g)\n`, step: 4 });
  });
});
