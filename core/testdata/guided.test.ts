// SPDX-License-Identifier: GPL-2.0-only
/**
 * The guided generator's indexes (GuidedIndex: live pages, page-cache
 * pages, freeable skbs, live receive-queue entries) against the scans
 * they replace, after every step of guided traces: the same lists in the
 * same order, so the same draws make the same trace; and their text
 * parses back.
 */
import { describe, expect, it } from "vitest";
import { applyOp } from "../engine/apply";
import { emptyState, thaw } from "../model/tx";
import { KERNELS, POLICIES, type KernelId, type PolicyId } from "../model/types";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { seeded } from "./fuzz";
import { GUIDED_SETUP, GuidedIndex, SCANNED, guidedTrace } from "./guided";

const PREFIX = parseTrace(GUIDED_SETUP).trace.ops;

function draws(seed: number, n: number) {
  const rand = seeded(seed);
  const u32 = () => Math.floor(rand() * 2 ** 32);
  return Array.from({ length: n }, () => [u32(), u32(), u32(), u32(), u32()] as const);
}

describe("guided generator: indexes = scans", () => {
  const cases: [KernelId, PolicyId, number, number][] = [];
  KERNELS.forEach((kernel, k) => POLICIES.forEach((policy, i) => cases.push([kernel, policy, 31 + 10 * k + i, i % 2 ? 12 : Infinity])));
  it.each(cases)("%s, %s, seed %i, max live %s: after every step", (kernel, policy, seed, maxLive) => {
    const trace = guidedTrace(draws(seed, 1500), kernel, policy, PREFIX, maxLive);
    let state = thaw(emptyState(kernel, policy));
    const index = new GuidedIndex(state);
    let pages = 0;
    let files = 0;
    let queued = 0;
    for (const op of trace.ops) {
      const out = applyOp(state, op, "inplace");
      state = out.state;
      index.stepped(state, out);
      const at = `step ${state.step} (${op.fn})`;
      expect(index.livePages(), `live pages at ${at}`).toEqual(SCANNED.livePages(state));
      expect(index.filePages(), `page-cache pages at ${at}`).toEqual(SCANNED.filePages(state));
      expect(index.freeable(state), `freeable skbs at ${at}`).toEqual(SCANNED.freeable(state));
      expect(index.liveQueued(state), `live queue entries at ${at}`).toEqual(SCANNED.liveQueued(state));
      pages += index.livePages().length;
      files += index.filePages().length;
      queued += index.liveQueued(state).length;
    }
    // The lists compared were not all empty.
    expect(pages).toBeGreaterThan(0);
    if (kernel === "6.1") expect(files).toBeGreaterThan(0);
    if (kernel === "6.1") expect(queued).toBeGreaterThan(0);
  });
});

describe("guided generator: printable traces", () => {
  it("never names the kernel's own skbs (~s1, ...), so its trace parses back", () => {
    const trace = guidedTrace(draws(2009, 6000), "6.1", "msg-zerocopy", PREFIX, 24);
    const text = printTrace(trace);
    expect(parseTrace(text, { names: false }).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // The kernel did make skbs of its own along the way (else the check is vacuous).
    let state = thaw(emptyState("6.1", "msg-zerocopy"));
    let kernelSkbs = 0;
    for (const op of trace.ops) {
      state = applyOp(state, op, "inplace").state;
      if ([...state.skbs.keys()].some((n) => n.startsWith("~"))) kernelSkbs++;
    }
    expect(kernelSkbs).toBeGreaterThan(0);
  });
});
