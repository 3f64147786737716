// SPDX-License-Identifier: GPL-2.0-only
/**
 * The hostile fuzz test (issue 16.7): a few hundred seeded traces over
 * every operation of the registry, hostile numbers included; each replay
 * bounded in time, none may throw, hit an engine bug, leave a negative
 * length/headroom/count, break conservation unreported, or differ between
 * two replays. `npm run fuzz` runs the same at length; what it finds is
 * minimised into core/testdata/regressions/, replayed here.
 */
import { describe, expect, it } from "vitest";
import { OPS } from "../ops";
import { hasErrors, parseTrace } from "../trace/parse";
import { fuzzCase, fuzzProblems, negativeFields, seeded } from "./fuzz";

const TRACES = 300;
const SEED = 16;

const REGRESSIONS = import.meta.glob<string>("./regressions/*.trace", { query: "?raw", import: "default", eager: true });

describe("hostile fuzz", () => {
  it(`${TRACES} seeded traces (seed ${SEED}): no throw, no hang, no negative field, deterministic, conservation reported`, () => {
    const rand = seeded(SEED);
    const seen = new Set<string>();
    const failures: string[] = [];
    for (let i = 0; i < TRACES; i++) {
      const c = fuzzCase(rand);
      for (const op of c.trace.ops) seen.add(op.fn);
      // A runaway step is an `internal` error (the work budget), which fuzzProblems reports;
      // how long replays take is measured by `npm run fuzz`.
      const problems = fuzzProblems(c);
      if (problems.length) failures.push(`trace ${i}: ${problems[0]}`);
    }
    expect(failures).toEqual([]);
    // every operation of the registry was tried
    expect([...OPS.keys()].filter((fn) => !seen.has(fn))).toEqual([]);
  });

  it("the fuzzer is deterministic for a seed", () => {
    const a = seeded(3);
    const b = seeded(3);
    expect(fuzzCase(a)).toEqual(fuzzCase(b));
  });

  it("the judge sees a negative field anywhere in a view, and a throw", () => {
    expect(negativeFields({ skbs: [{ len: 10, headroom: 0, frags: [{ size: 1 }] }] })).toEqual([]);
    expect(negativeFields({ skbs: [{ len: -3896, headroom: 4224 }], datas: [{ frags: [{ size: -1 }] }] })).toEqual([
      "skbs[0].len = -3896",
      "datas[0].frags[0].size = -1",
    ]);
    expect(negativeFields({ pages: [{ refcount: Number.NaN }] })).toEqual(["pages[0].refcount = NaN"]);
    expect(fuzzProblems({ trace: null as never, options: { policy: "page-refs", kernel: "6.1" } })[0]).toMatch(/the replay threw/);
  });

  const files = Object.keys(REGRESSIONS);
  it("there are saved regressions", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`regression ${file.replace("./regressions/", "")} parses and replays cleanly`, () => {
      const parsed = parseTrace(REGRESSIONS[file]);
      expect(hasErrors(parsed)).toBe(false);
      const { policy = "page-refs", kernel = "6.1" } = parsed.trace;
      expect(fuzzProblems({ trace: parsed.trace, options: { policy, kernel } })).toEqual([]);
    });
  }
});
