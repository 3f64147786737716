// SPDX-License-Identifier: GPL-2.0-only
/**
 * The Checker's own save/restore/fork: a path judged by one Checker, or
 * by a Checker restored from the last one's saved memory at every step
 * (as the search does), raises the same findings.
 */
import { describe, expect, it } from "vitest";
import { applyOp } from "../engine/apply";
import { emptyState } from "../model/tx";
import type { KernelId, PolicyId } from "../model/types";
import { parseTrace } from "../trace/parse";
import { Checker, EMPTY_MEMORY } from "./checker";

const SPLICE =
  "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\nq = skb_splice_bits(a, 0, 4096)\nsk_eat_skb(s, a)\nowner_reuse(g)\npipe_release(q)\n";
const TSIRKIN =
  "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\nowner_reuse(g)\nowner_reuse(g)\nkfree_skb(c)\n";

/** Each step's finding kinds, with one Checker or a restored one per step. */
function walk(source: string, policy: PolicyId, kernel: KernelId, restoreEachStep: boolean) {
  let state = emptyState(kernel, policy);
  let checker = new Checker(policy);
  const kinds: string[][] = [];
  for (const op of parseTrace(source).trace.ops) {
    if (restoreEachStep) checker = Checker.restore(policy, checker.save(), state.step);
    const out = applyOp(state, op, "pure");
    state = out.state;
    kinds.push(checker.afterStep(state, out.events, out.error, out.touchedPages).map((f) => f.kind));
  }
  kinds.push(checker.finish(state).map((f) => f.kind));
  return { kinds, memory: checker.save() };
}

describe("Checker save / restore / fork", () => {
  it.each([
    [SPLICE, "page-refs", "2.6.32"],
    [SPLICE, "shinfo-release", "2.6.32"],
    [SPLICE, "destructor", "2.6.32"],
    [TSIRKIN, "shinfo-release", "2.6.32"],
    [TSIRKIN, "destructor", "6.1"],
  ] as const)("restoring at every step changes no finding (%#: %s)", (source, policy, kernel) => {
    const one = walk(source, policy, kernel, false);
    const restored = walk(source, policy, kernel, true);
    expect(restored).toEqual(one);
    expect(one.kinds.flat().length).toBeGreaterThan(0);
  });

  it("remembers what decides later findings: told, reported premature and late", () => {
    expect(walk(SPLICE, "shinfo-release", "2.6.32", false).memory).toMatchObject({ completed: ["z1"], premature: ["z1"], late: ["z1"] });
    expect(new Checker("page-refs").save()).toBe(EMPTY_MEMORY);
  });

  it("shares unchanged memory between saves, and a fork goes its own way", () => {
    const { trace } = parseTrace(TSIRKIN);
    let state = emptyState("2.6.32", "shinfo-release");
    const checker = new Checker("shinfo-release");
    for (const op of trace.ops.slice(0, 6)) {
      const out = applyOp(state, op, "pure");
      state = out.state;
      checker.afterStep(state, out.events, out.error, out.touchedPages);
    }
    const saved = checker.save();
    expect(checker.save()).toBe(saved);
    const fork = checker.fork();
    expect(fork.all()).toEqual(checker.all());
    // The owner's reuse is reported on the fork only; the original is untouched.
    const reuse = applyOp(state, trace.ops[6], "pure");
    expect(fork.afterStep(reuse.state, reuse.events, reuse.error, reuse.touchedPages).map((f) => f.kind)).toEqual(["premature"]);
    expect(fork.all().length).toBe(checker.all().length + 1);
    expect(checker.save()).toBe(saved);
  });
});
