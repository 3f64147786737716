// SPDX-License-Identifier: GPL-2.0-only
/**
 * Counts stated in the README's prose are checked against what is there
 * (issue 15: "116 recordings stated, 119 exist").
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../stories/catalog";

const ROOT = join(import.meta.dirname, "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const stated = (re: RegExp) => Number(re.exec(readme)?.[1]);

describe("the README's counts", () => {
  it("says how many kernel recordings there are", () => {
    const traces = readdirSync(join(ROOT, "tests/conformance")).filter((f) => f.endsWith(".trace"));
    expect(stated(/(\d+) recorded traces/)).toBe(traces.length);
  });
  it("says how many stories there are", () => {
    expect(stated(/holds (\d+) narrated traces/)).toBe(CATALOG.length);
  });
});
