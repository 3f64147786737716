// SPDX-License-Identifier: GPL-2.0-only
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { POLICIES, policyAbsence } from "../model/policies";
import { seeded, fuzzCase } from "../testdata/fuzz";
import type { Trace } from "../trace/ast";
import { parseTrace } from "../trace/parse";
import { judgeTrace, settings } from "./replay";
import { SlicedJudge } from "./sliced";

const STORIES = join(import.meta.dirname, "..", "..", "stories");

function storyTraces(): { name: string; trace: Trace }[] {
  const out: { name: string; trace: Trace }[] = [];
  for (const dir of readdirSync(STORIES, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(STORIES, dir.name))) {
      if (file.endsWith(".trace")) out.push({ name: `${dir.name}/${file}`, trace: parseTrace(readFileSync(join(STORIES, dir.name, file), "utf8")).trace });
    }
  }
  return out;
}

/** Judged in slices of `size` operations (the last one shorter). */
function sliced(trace: Trace, policy: (typeof POLICIES)[number], size: number) {
  const judge = new SlicedJudge(trace, { policy });
  let slices = 0;
  while (!judge.advance(size)) slices++;
  return { judgement: judge.judgement(), slices: slices + 1 };
}

describe("SlicedJudge", () => {
  const stories = storyTraces();

  it("judges every story under every policy of its kernel as judgeTrace does, in slices of 1, 2 and 5 operations", () => {
    expect(stories.length).toBeGreaterThan(20);
    let compared = 0;
    for (const { name, trace } of stories) {
      const { kernel } = settings(trace);
      for (const policy of POLICIES) {
        if (policyAbsence(policy, kernel)) continue;
        const whole = judgeTrace(trace, { policy });
        for (const size of [1, 2, 5]) expect(sliced(trace, policy, size).judgement, `${name} ${policy} by ${size}`).toEqual(whole);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("agrees with judgeTrace on 300 random traces, with failing steps among them", () => {
    const rand = seeded(1212);
    let failing = 0;
    for (let i = 0; i < 300; i++) {
      const { trace, options } = fuzzCase(rand);
      const whole = judgeTrace(trace, options);
      failing += whole.errors.length;
      const judge = new SlicedJudge(trace, options);
      while (!judge.advance(1 + Math.floor(rand() * 7)));
      expect(judge.judgement()).toEqual(whole);
    }
    expect(failing).toBeGreaterThan(0);
  });

  it("takes as many slices as asked, and has no judgement before the last", () => {
    const trace = parseTrace("p = alloc_page(host)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, p, 0, 4096)\nkfree_skb(a)\n").trace;
    expect(sliced(trace, "page-refs", 3).slices).toBe(2);
    const judge = new SlicedJudge(trace, { policy: "page-refs" });
    judge.advance(2);
    expect(judge.done).toBe(false);
    expect(() => judge.judgement()).toThrow(/2 of 4 operations judged/);
    expect(judge.advance(2)).toBe(true);
    expect(judge.judgement().verdict).toBe(judgeTrace(trace, { policy: "page-refs" }).verdict);
  });

  it("an empty trace is judged at once", () => {
    const judge = new SlicedJudge({ ops: [] });
    expect(judge.done).toBe(true);
    expect(judge.judgement()).toEqual(judgeTrace({ ops: [] }));
  });
});
