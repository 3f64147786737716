// SPDX-License-Identifier: GPL-2.0-only
/**
 * Bounded work (issue 16.1): no engine loop depends on an unchecked number.
 * Read: include/linux/slab.h l.281-314 (KMALLOC_MAX_SIZE, 6.1 SLUB),
 * net/core/skbuff.c kmalloc_reserve() l.427 and pskb_expand_head() l.1834
 * (`goto nodata` -> -ENOMEM), skb_copy_ubufs() l.1564 (alloc_pages order).
 */
import { describe, expect, it } from "vitest";
import { KMALLOC_MAX_SIZE, kmallocRoundup } from "../model/kernel";
import { emptyState } from "../model/tx";
import { parseTrace } from "../trace/parse";
import { trace, view } from "../testdata/harness";
import { applyOp } from "./apply";
import { runTrace } from "./replay";
import { stateView } from "./view";

describe("kmalloc's ceiling", () => {
  it("KMALLOC_MAX_SIZE is 1 << (MAX_ORDER + PAGE_SHIFT - 1) = 4 MiB on x86-64", () => {
    expect(KMALLOC_MAX_SIZE).toBe(4 * 1024 * 1024);
  });

  it("kmalloc_size_roundup() has no bucket above it, and answers at once", () => {
    expect(kmallocRoundup(KMALLOC_MAX_SIZE)).toBe(KMALLOC_MAX_SIZE);
    expect(kmallocRoundup(KMALLOC_MAX_SIZE - 1)).toBe(KMALLOC_MAX_SIZE);
    expect(kmallocRoundup(8193)).toBe(16384);
    expect(kmallocRoundup(KMALLOC_MAX_SIZE + 1)).toBeUndefined();
    expect(kmallocRoundup(2 ** 30 + 1)).toBeUndefined();
    expect(kmallocRoundup(2 ** 40)).toBeUndefined();
  });
});

const BASE = `
a = alloc_skb(256)
skb_put(a, 100)
`;

describe("a head larger than kmalloc can give fails -ENOMEM, state unchanged", () => {
  for (const [line, fn] of [
    ["pskb_expand_head(a, 1073741824, 0)", "pskb_expand_head"],
    ["pskb_expand_head(a, 0, 2147483647)", "pskb_expand_head"],
    ["pskb_expand_head(a, 4194304, 0)", "pskb_expand_head"],
    ["b = alloc_skb(4294967295)", "alloc_skb"],
    ["b = alloc_skb_fclone(4194304)", "alloc_skb_fclone"],
    ["b = napi_alloc_skb(4294967295)", "napi_alloc_skb"],
  ] as const) {
    it(`${line} returns -ENOMEM promptly`, () => {
      const started = Date.now();
      const before = trace(BASE);
      const run = trace(`${BASE}${line}`);
      expect(Date.now() - started).toBeLessThan(2000);
      const err = run.steps[2].error;
      expect(err).toMatchObject({ kind: "kernel-check", fn, check: "kmalloc_reserve() returned NULL" });
      expect(err!.message).toContain("-ENOMEM");
      expect(view(run.final)).toEqual(view(before.final));
    });
  }

  it("a head just under the ceiling is still allocated (6.1 bucket of 4 MiB)", () => {
    const run = trace(`${BASE}pskb_expand_head(a, 2097152, 0)`);
    expect(run.steps[2].error).toBeUndefined();
    expect(run.final.datas.get("h2" as never)!.end).toBe(KMALLOC_MAX_SIZE - 320);
  });
});

describe("a per-step work budget", () => {
  it("turns a step that runs past its budget into an internal error, state unchanged", () => {
    const parsed = parseTrace("a = alloc_skb(4000)\nskb_put(a, 4000)\nsegs = skb_segment(a, 100)");
    let state = emptyState("6.1", "page-refs");
    for (const op of parsed.trace.ops.slice(0, 2)) state = applyOp(state, op, "pure").state;
    const out = applyOp(state, parsed.trace.ops[2], "pure", { budget: 50 });
    expect(out.error?.kind).toBe("internal");
    expect(out.error?.message).toMatch(/skb_segment.*more than 50 units of work/);
    expect(out.state.skbs).toBe(state.skbs);
    // with the default budget the same step succeeds
    expect(applyOp(state, parsed.trace.ops[2], "pure").error).toBeUndefined();
  });
});

describe("replay memory is bounded by the trace, not steps x live objects (issue 16.4)", () => {
  // 2,000 live skbs, then 12,000 steps over them: checkpoints every 256
  // steps would hold 54 copies of 2,000 entries.
  const lines = [
    ...Array.from({ length: 2000 }, (_, i) => `s${i} = alloc_skb(64)`),
    ...Array.from({ length: 6000 }, (_, i) => `skb_get(s${i % 2000})\nkfree_skb(s${i % 2000})`),
  ];
  const parsed = parseTrace(lines.join("\n"));
  const run = runTrace(parsed.trace);

  it("checkpoints hold at most about two entries per step in all", () => {
    expect(run.steps).toHaveLength(14_000);
    expect(run.stats.checkpointEntries).toBeLessThanOrEqual(2 * run.steps.length);
    expect(run.stats.checkpoints).toBeGreaterThan(2);
  });

  it("snapshotAt(n) still equals a plain replay of the first n operations", () => {
    // The oracle: one plain in-place pass from step 0, no checkpoints.
    const wanted = [0, 255, 256, 1999, 2000, 2001, 7_777, 13_999, 14_000];
    const plain = new Map<number, unknown>();
    let state = emptyState("6.1", "page-refs");
    for (let n = 0; n <= parsed.trace.ops.length; n++) {
      if (wanted.includes(n)) plain.set(n, stateView(state));
      if (n < parsed.trace.ops.length) state = applyOp(state, parsed.trace.ops[n], "inplace").state;
    }
    for (const n of wanted) expect(stateView(run.snapshotAt(n)), `step ${n}`).toEqual(plain.get(n));
  });
});
