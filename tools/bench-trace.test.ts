// SPDX-License-Identifier: GPL-2.0-only
/**
 * The bench's trace is the same for the same seed: a hash of the
 * 20,000-draw trace, taken before the guided generator read its indexes
 * (core/testdata/guided.ts GuidedIndex) instead of scanning the tables.
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { printTrace } from "../core/index";
import { randomTrace } from "./bench-trace";

it("randomTrace(20000) is the trace the scanning generator made", () => {
  const trace = randomTrace(20_000);
  expect(trace.ops.length).toBe(19_058);
  expect(createHash("sha256").update(printTrace(trace)).digest("hex")).toBe("ffed6089ae28c024716528e8f577519fac8c4220ef03530f4c739ef9c4b1740a");
});
