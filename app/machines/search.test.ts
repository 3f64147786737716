// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createActor, type Actor } from "xstate";
import { POLICIES, KERNELS, policyApplies } from "../../core/index";
import { DEFAULT_DEPTH, DEFAULT_MAX_STATES, DEFAULT_PREFIX_TEXT, KIND_ORDER, search, searchThrough } from "../../core/search/index";
import { resetStore, useScope, type SearchRequest } from "../store";
import { fakeSearchWorkers, type FakeSearchWorkers } from "../testing/fakeSearchWorker";
import {
  SEARCH_DEFAULT_DEPTH,
  SEARCH_DEFAULT_PREFIX_TEXT,
  SEARCH_DEFAULT_STATES,
  SEARCH_KINDS,
  searchMachine,
  searchPolicyApplies,
  searchWorkerCount,
  validRequest,
  type SearchInput,
} from "./search";
import { sourceOf } from "./searchJob";
import { PoolClosed, createSearchPool } from "./searchPool";

const scope = () => useScope.getState().search;

async function until(ok: () => boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out: ${ok.toString()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const request = (over: Partial<SearchRequest> = {}): SearchRequest => ({
  policy: "shinfo-release",
  kernel: "2.6.32",
  start: { from: "default" },
  maxDepth: 2,
  maxStates: 200_000,
  kinds: null,
  through: false,
  stopWhenFound: false,
  ...over,
});

describe("search machine", () => {
  let workers: FakeSearchWorkers;
  let actor: Actor<typeof searchMachine>;
  const start = (input: Partial<SearchInput> = {}) => {
    actor = createActor(searchMachine, { input: { createWorker: workers.create, workers: 2, ...input } });
    actor.start();
    return actor;
  };
  beforeEach(() => {
    resetStore();
    workers = fakeSearchWorkers();
  });
  afterEach(() => actor?.stop());

  it("runs a job on its workers: the counterexamples of `skbscope search`, progress, then every worker terminated", async () => {
    start();
    actor.send({ type: "START", request: request({ through: true }) });
    expect(actor.getSnapshot().value).toBe("running");
    expect(scope().workers).toBe(2);
    await until(() => actor.getSnapshot().value !== "running");
    expect(actor.getSnapshot().value).toBe("done");
    const { phases, progress, summary } = scope();

    // The main search: what search() finds in one thread, trace for trace.
    const one = search({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2 });
    expect(phases[0].op).toBeNull();
    expect(phases[0].states).toBe(one.states);
    expect(phases[0].found.map((f) => f.source)).toEqual(one.counterexamples.map((c) => sourceOf(c.trace)));
    expect(phases[0].found[0]).toMatchObject({ kind: "premature", length: 1, ops: ["pskb_expand_head(a, 0, 0)"], verified: true });

    // Through each operation: pskb_copy and skb_split in two steps, pskb_expand_head in one (Tsirkin, 2009).
    const through = searchThrough({ policy: "shinfo-release", kernel: "2.6.32", maxDepth: 2 });
    expect(phases.slice(1).map((p) => p.op)).toEqual(through.map((t) => t.op));
    for (const t of through) {
      const phase = phases.find((p) => p.op === t.op)!;
      expect(
        phase.found.map((f) => f.source),
        t.op,
      ).toEqual(t.own.map((c) => sourceOf(c.trace)));
    }
    const premature = (op: string) => phases.find((p) => p.op === op)!.found.find((f) => f.kind === "premature");
    expect(premature("pskb_copy")).toMatchObject({ length: 2, ops: ["b = pskb_copy(a)", "kfree_skb(a)"], finding: { kind: "premature", step: 6 } });
    expect(premature("skb_split")).toMatchObject({ length: 2, finding: { kind: "premature", step: 6 } });
    expect(premature("pskb_expand_head")).toMatchObject({ length: 1, finding: { kind: "premature", step: 5 } });
    // The trace `skbscope search` prints, without the comment marking the last step (it would read as narration).
    expect(premature("pskb_copy")!.source).toBe(
      "# title: premature via pskb_copy in 2 steps (search)\n# policy: shinfo-release\n# kernel: 2.6.32\n" +
        DEFAULT_PREFIX_TEXT +
        "b = pskb_copy(a)\nkfree_skb(a)\n",
    );

    expect(progress).toMatchObject({ phase: phases.length - 1, phases: phases.length, maxDepth: 2 });
    expect(progress!.totalStates).toBe(phases.reduce((n, p) => n + p.states, 0));
    expect(summary).toMatchObject({ totalStates: progress!.totalStates });
    expect(scope().error).toBeNull();
    expect(workers.made).toHaveLength(2);
    expect(workers.live()).toBe(0);
    expect(workers.made.every((w) => w.tasks > 0)).toBe(true);
  });

  it("reports progress while a level is being expanded, at most every 100 ms", async () => {
    start();
    const seen: number[] = [];
    const unsubscribe = useScope.subscribe((s, before) => {
      if (s.search.progress !== before.search.progress && s.search.progress) seen.push(s.search.progress.states);
    });
    // Depth 4: seconds of work, so several reports whatever the machine (depth 3 now ends within one 100 ms period).
    actor.send({ type: "START", request: request({ maxDepth: 4 }) });
    await until(() => actor.getSnapshot().value !== "running", 60_000);
    unsubscribe();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(scope().phases[0].states);
    expect(scope().progress).toMatchObject({ depth: 4, maxDepth: 4 });
    expect(scope().progress!.statesPerSecond).toBeGreaterThan(0);
  });

  it("cancel stops at once: every worker terminated, nothing more reaches the store; a new search gets new workers", async () => {
    start();
    actor.send({ type: "START", request: request({ maxDepth: 6, maxStates: 1_000_000, through: true }) });
    await until(() => (scope().progress?.states ?? 0) > 50);
    expect(workers.live()).toBe(2);
    actor.send({ type: "CANCEL" });
    expect(actor.getSnapshot().value).toBe("cancelled");
    expect(workers.live()).toBe(0);
    const frozen = useScope.getState().search;
    await new Promise((r) => setTimeout(r, 300));
    expect(useScope.getState().search).toBe(frozen);
    expect(frozen.error).toBeNull();
    expect(frozen.summary).toBeNull();

    actor.send({ type: "START", request: request({ maxDepth: 1 }) });
    expect(scope().progress).toBeNull();
    await until(() => actor.getSnapshot().value === "done");
    expect(workers.made).toHaveLength(4);
    expect(workers.made.slice(2).some((w) => w.tasks > 0)).toBe(true);
    expect(workers.live()).toBe(0);
    expect(scope().phases).toHaveLength(1);
  });

  it("finds no premature, duplicate or missed completion for page-refs, and says how far it looked", async () => {
    start();
    actor.send({ type: "START", request: request({ policy: "page-refs", kernel: "6.1", maxDepth: 2, kinds: ["premature", "duplicate", "missed"] }) });
    await until(() => actor.getSnapshot().value === "done");
    expect(scope().phases[0]).toMatchObject({ op: null, depth: 2, maxDepth: 2, stoppedBy: null, found: [] });
    expect(scope().phases[0].states).toBeGreaterThan(1);
  });

  it("keeps to the kinds asked for, and stops at the first when told to", async () => {
    start();
    actor.send({ type: "START", request: request({ kinds: ["premature"], stopWhenFound: true, maxDepth: 5 }) });
    await until(() => actor.getSnapshot().value === "done");
    expect(scope().phases[0]).toMatchObject({ stoppedBy: "found", found: [{ kind: "premature", length: 1 }] });
  });

  it("starts from the trace on screen up to a step: its operations without narration", async () => {
    start();
    const source = `# title: mine\n# policy: shinfo-release\n# kernel: 2.6.32\n${DEFAULT_PREFIX_TEXT}# a story line\nb = pskb_copy(a)\nkfree_skb(b)\n`;
    actor.send({ type: "START", request: request({ start: { from: "trace", source, step: 5 }, maxDepth: 1, through: true }) });
    await until(() => actor.getSnapshot().value === "done");
    const copy = scope()
      .phases.find((p) => p.op === null)!
      .found.find((f) => f.kind === "premature")!;
    // pskb_copy is in the start already: one kfree_skb(a) completes while b holds the page.
    expect(copy).toMatchObject({ length: 1, ops: ["kfree_skb(a)"], finding: { step: 6 } });
    expect(copy.source).not.toMatch(/a story line/);
    expect(copy.source.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      ...DEFAULT_PREFIX_TEXT.trim().split("\n"),
      "b = pskb_copy(a)",
      "kfree_skb(a)",
    ]);
  });

  it.each([
    [
      "a start that fails",
      request({ start: { from: "trace", source: "a = alloc_skb(1)\nkfree_skb(a)\nkfree_skb(a)\n", step: 3 } }),
      /The start fails at kfree_skb\(a\)/,
    ],
    [
      "a start naming what it never defined",
      request({ start: { from: "trace", source: "kfree_skb(a)\n", step: 1 } }),
      /The trace on screen has errors \(line 1:11/,
    ],
    ["a trace with errors", request({ start: { from: "trace", source: "b = skb_clone(\n", step: 1 } }), /The trace on screen has errors \(line 1:/],
    [
      "a policy the kernel cannot have",
      request({ policy: "ubuf-orphan", kernel: "2.6.32" }),
      /ubuf-orphan models ubuf_info, which Linux 2\.6\.32 does not have/,
    ],
  ])("fails with a message for %s, and terminates its workers", async (_what, req, message) => {
    start();
    actor.send({ type: "START", request: req });
    await until(() => actor.getSnapshot().value === "failed");
    expect(scope().error).toMatch(message);
    expect(workers.live()).toBe(0);
  });

  it.each([
    ["throws", "throw", /a search worker stopped: test: a search worker threw/],
    ["answers outside the protocol", "garbage", /outside the protocol/],
    ["hangs", "hang", /stopped answering \(watchdog\)/],
  ] as const)("fails with a message when a worker %s, terminating every worker", async (_what, misbehave, message) => {
    workers = fakeSearchWorkers({ misbehave, afterTasks: 3 });
    start({ taskBudgetMs: 200 });
    actor.send({ type: "START", request: request({ maxDepth: 3 }) });
    await until(() => actor.getSnapshot().value === "failed");
    expect(scope().error).toMatch(message);
    expect(workers.live()).toBe(0);
    // The next search starts fresh and fails the same way, not on the old workers.
    actor.send({ type: "START", request: request({ maxDepth: 3 }) });
    expect(actor.getSnapshot().value).toBe("running");
    await until(() => actor.getSnapshot().value === "failed");
    expect(workers.made).toHaveLength(4);
  });

  it("fails with a message when workers cannot be made, or the search cannot be loaded", async () => {
    start({
      createWorker: () => {
        throw new Error("no Worker here");
      },
    });
    actor.send({ type: "START", request: request() });
    await until(() => actor.getSnapshot().value === "failed");
    expect(scope().error).toMatch(/could not be started: no Worker here/);
    actor.stop();

    start({ loadJob: () => Promise.reject(new Error("offline")) });
    actor.send({ type: "START", request: request() });
    await until(() => actor.getSnapshot().value === "failed");
    expect(scope().error).toBe("the search could not be loaded: offline");
    expect(workers.live()).toBe(0);
  });

  it("takes no START while running, nor one out of bounds", () => {
    start();
    for (const bad of [request({ maxDepth: 0 }), request({ maxDepth: 7 }), request({ maxStates: 0 }), request({ maxDepth: 2.5 }), request({ kinds: [] })]) {
      expect(validRequest(bad)).toBe(false);
      expect(actor.getSnapshot().can({ type: "START", request: bad })).toBe(false);
    }
    expect(actor.getSnapshot().can({ type: "START", request: request() })).toBe(true);
    actor.send({ type: "START", request: request({ maxDepth: 6, maxStates: 1_000_000 }) });
    expect(actor.getSnapshot().can({ type: "START", request: request() })).toBe(false);
    expect(actor.getSnapshot().can({ type: "CANCEL" })).toBe(true);
    actor.send({ type: "CANCEL" });
    expect(workers.live()).toBe(0);
  });

  it("stopping the machine (the page going away) terminates a running job's workers", async () => {
    start();
    actor.send({ type: "START", request: request({ maxDepth: 6, maxStates: 1_000_000 }) });
    await until(() => workers.made.some((w) => w.tasks > 0));
    actor.stop();
    expect(workers.live()).toBe(0);
  });
});

describe("search pool", () => {
  it("gives each task to the worker with the fewest in flight, and rejects what is in flight on terminate", async () => {
    const workers = fakeSearchWorkers({ misbehave: "hang" });
    const pool = createSearchPool(workers.create, 3);
    const config = { policy: "shinfo-release", kernel: "2.6.32", prefix: [], ops: [], require: null, missedAt: "quiescent", reduce: true } as const;
    const runs = Array.from({ length: 7 }, () => pool.run({ config, slice: [] }));
    await new Promise((r) => setTimeout(r, 10));
    expect(workers.made.map((w) => w.tasks)).toEqual([3, 2, 2]);
    pool.terminate();
    for (const r of runs) await expect(r).rejects.toBeInstanceOf(PoolClosed);
    await expect(pool.run({ config, slice: [] })).rejects.toBeInstanceOf(PoolClosed);
    expect(workers.live()).toBe(0);
  });
});

describe("what the main bundle restates of core", () => {
  it("agrees with core/search and policyApplies", () => {
    expect(SEARCH_KINDS).toEqual(KIND_ORDER);
    expect(SEARCH_DEFAULT_DEPTH).toBe(DEFAULT_DEPTH);
    expect(SEARCH_DEFAULT_STATES).toBe(DEFAULT_MAX_STATES);
    expect(SEARCH_DEFAULT_PREFIX_TEXT).toBe(DEFAULT_PREFIX_TEXT);
    for (const p of POLICIES) for (const k of KERNELS) expect(searchPolicyApplies(p, k), `${p} ${k}`).toBe(policyApplies(p, k));
  });

  it("one search worker per core, at least one, at most eight", () => {
    expect([undefined, 0, 1, 2, 4, 16, 64].map(searchWorkerCount)).toEqual([2, 2, 1, 2, 4, 8, 8]);
  });
});
