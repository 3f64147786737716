// SPDX-License-Identifier: GPL-2.0-only
/**
 * judgeTraces (the verdict matrix's passes: the policies' common prefix
 * replayed once) gives what judgeTrace gives policy by policy: findings,
 * errors, unjudged steps, verdicts, armed, and the findings handed to
 * onFinding in the same order with the same states, on every story, every
 * conformance trace and random guided traces; and it replays a prefix
 * once only until a step reads the policy.
 */
import { describe, expect, it } from "vitest";
import { POLICIES, type KernelId, type PolicyId, type State } from "../model/types";
import { parseTrace } from "../trace/parse";
import type { Trace } from "../trace/ast";
import type { Finding } from "../check/checker";
import { seeded } from "../testdata/fuzz";
import { GUIDED_SETUP, guidedTrace } from "../testdata/guided";
import { policyAbsence } from "../model/policies";
import { judgeTrace, judgeTraces, settings } from "./replay";

const STORY_FILES = import.meta.glob<string>("../../stories/**/*.trace", { query: "?raw", import: "default", eager: true });
const CONFORMANCE = import.meta.glob<string>("../../tests/conformance/*.trace", { query: "?raw", import: "default", eager: true });
const OPS_SOURCES = import.meta.glob<string>(["../ops/*.ts", "../policy/*.ts", "../model/*.ts", "../fixes/*.ts", "!../**/*.test.ts", "!../model/tx.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

function draws(seed: number, n: number) {
  const rand = seeded(seed);
  const u32 = () => Math.floor(rand() * 2 ** 32);
  return Array.from({ length: n }, () => [u32(), u32(), u32(), u32(), u32()] as const);
}

/** What onFinding saw: the finding and the state's step and live skbs then. */
const seen = (f: Finding, s: State) => ({ f, step: s.step, skbs: [...s.skbs.keys()] });

function compare(trace: Trace, kernel?: KernelId) {
  const k = kernel ?? settings(trace).kernel;
  const policies = POLICIES.filter((p) => !policyAbsence(p, k));
  const together = new Map<PolicyId, unknown[]>(policies.map((p) => [p, []]));
  const shared = judgeTraces(trace, policies, { kernel: k }, (p, f, s) => together.get(p)!.push(seen(f, s)));
  expect(shared.map((j) => j.policy)).toEqual(policies);
  policies.forEach((policy, i) => {
    const alone: unknown[] = [];
    const want = judgeTrace(trace, { policy, kernel: k }, (f, s) => alone.push(seen(f, s)));
    expect(shared[i], policy).toEqual(want);
    expect(together.get(policy), `${policy}: onFinding`).toEqual(alone);
  });
}

describe("judgeTraces = judgeTrace per policy", () => {
  it.each(Object.keys(STORY_FILES))("story %s", (file) => compare(parseTrace(STORY_FILES[file]).trace));
  it.each(Object.keys(CONFORMANCE))("conformance %s", (file) => compare(parseTrace(CONFORMANCE[file]).trace));
  const prefix = parseTrace(GUIDED_SETUP).trace.ops;
  it.each([1, 2, 3, 4, 5, 6])("guided trace, seed %i (arming at step 4)", (seed) => {
    const kernel: KernelId = seed % 3 === 0 ? "2.6.32" : "6.1";
    compare({ ops: guidedTrace(draws(seed, 400), kernel, "page-refs", prefix, 16).ops }, kernel);
  });
  it.each([7, 8, 9, 10])("guided trace, seed %i (no setup: policy first read late, or never)", (seed) => {
    compare({ ops: guidedTrace(draws(seed, 400), "6.1", "page-refs", [], 16).ops }, "6.1");
  });
});

describe("judgeTraces shares the prefix", () => {
  const replayed = (text: string) => {
    let steps = 0;
    const trace = parseTrace(text).trace;
    judgeTraces(trace, POLICIES, { onStep: () => steps++ });
    return [steps, trace.ops.length];
  };
  const LONG = "p = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, p, 0, 4096)\nb = skb_clone(a)\nkfree_skb(a)\nkfree_skb(b)\n";
  it("a trace that never reads the policy is replayed once for every policy", () => {
    expect(replayed(LONG)).toEqual([6, 6]);
  });
  it("from the first step that reads it (zerocopy_arm), each policy replays the rest alone", () => {
    const text = `g = alloc_page(guest)\n${LONG}a2 = alloc_skb(256)\nskb_fill_page_desc(a2, 0, g, 0, 4096)\nzerocopy_arm(a2)\nkfree_skb(a2)\n`;
    // 10 steps shared (the arm's too), the first policy's free, then the arm and the free under each other policy.
    expect(replayed(text)).toEqual([10 + 1 + 2 * (POLICIES.length - 1), 11]);
  });
  it("the step that first reads it may free a page from a table of over 64 (its undo on a copy puts the page back in its place)", () => {
    // kfree_skb(a) frees p0 (a delete from 71 pages: the key's place is logged)
    // and leaves g idle, which asks the policy: each other policy starts from
    // the tables as they were before that step (tablesBefore).
    const pages = Array.from({ length: 70 }, (_, i) => `p${i} = alloc_page(host)`).join("\n");
    const text = `${pages}\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, p0, 0, 4096)\nskb_fill_page_desc(a, 1, g, 0, 4096)\nkfree_skb(a)\nb = alloc_skb(256)\nskb_fill_page_desc(b, 0, p1, 0, 4096)\nkfree_skb(b)\n`;
    // 75 steps shared (the free that asks too), the first policy's last 3, then the free and those 3 under each other policy.
    expect(replayed(text)).toEqual([75 + 3 + 4 * (POLICIES.length - 1), 78]);
    compare(parseTrace(text).trace, "6.1");
  });
  it("operations read the policy through the Tx only (the probe sees no other read)", () => {
    const reads = Object.entries(OPS_SOURCES).flatMap(([file, text]) =>
      [...text.matchAll(/(\w+(?:\(\))?)\.policy\b/g)].filter((m) => m[1] !== "tx").map((m) => `${file}: ${m[0]}`),
    );
    expect(reads).toEqual([]);
  });
});
