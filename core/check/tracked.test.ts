// SPDX-License-Identifier: GPL-2.0-only
/**
 * The checker's tracked indexes (tracked.ts), kept from each step's
 * writes, against the scans they replace, after every step of random
 * in-place replays: page references, open buffers, live queue entries,
 * the buffers holding each page.
 */
import { describe, expect, it } from "vitest";
import { applyOp } from "../engine/apply";
import { holderCount, queueOf } from "../model/lookup";
import { emptyState, thaw } from "../model/tx";
import { POLICIES, type BufferId, type KernelId, type PolicyId, type State } from "../model/types";
import { parseTrace } from "../trace/parse";
import { seeded } from "../testdata/fuzz";
import { GUIDED_SETUP, guidedTrace } from "../testdata/guided";
import { Tracked } from "./tracked";

const PREFIX = parseTrace(GUIDED_SETUP).trace.ops;

function draws(seed: number, n: number) {
  const rand = seeded(seed);
  const u32 = () => Math.floor(rand() * 2 ** 32);
  return Array.from({ length: n }, () => [u32(), u32(), u32(), u32(), u32()] as const);
}

/** What the scans give: per page the references besides the page's own caller/pool and the task frag. */
function scanned(state: State, done: ReadonlySet<string>) {
  const refs = new Map<string, number>();
  for (const p of state.pages.values()) {
    const own = p.caller + (p.pp_in_pool ? 1 : 0) + (state.caches.pfrag?.page === p.name ? 1 : 0);
    const n = holderCount(state, p.name) - own;
    if (n) refs.set(p.name, n);
  }
  const open = [...state.buffers.keys()].filter((b) => !done.has(b));
  const roots = [
    ...[...state.socks.values()].flatMap((s) => s.queue.filter((q) => state.skbs.has(q)).map((skb) => ({ sock: s.name, skb }))),
    ...[...state.devq.keys()].filter((q) => state.skbs.has(q)).map((skb) => ({ sock: null, skb })),
  ];
  return { refs, open, roots };
}

describe("tracked indexes = scans", () => {
  const cases: [PolicyId, KernelId, number][] = [];
  POLICIES.forEach((policy, i) => cases.push([policy, i % 2 ? "2.6.32" : "6.1", 101 + i], [policy, "6.1", 7 + i]));
  it.each(cases)("%s on %s, seed %i: after every step", (policy, kernel, seed) => {
    const { queuedSteps, withPages } = replayAgainstScans(policy, kernel, seed, 600);
    // The traces do put live skbs on queues (else the roots check is vacuous).
    if (policy === "msg-zerocopy") expect(queuedSteps).toBeGreaterThan(0);
    // And buffers hold pages on 6.1, where every policy arms (else the buffersWith check is vacuous).
    if (kernel === "6.1") expect(withPages).toBeGreaterThan(0);
  });

  it("on a long trace with many sockets (each step reads only the sockets it wrote)", () => {
    const { socks, rootSocks } = replayAgainstScans("msg-zerocopy", "6.1", 2009, 2500);
    // Enough sockets for the queue index (model/queues.ts), and live entries on several at once.
    expect(socks).toBeGreaterThanOrEqual(40);
    expect(rootSocks).toBeGreaterThanOrEqual(2);
  });
});

function replayAgainstScans(policy: PolicyId, kernel: KernelId, seed: number, n: number) {
  {
    const trace = guidedTrace(draws(seed, n), kernel, policy, PREFIX, 16);
    let state = thaw(emptyState(kernel, policy));
    // Buffers "told complete": every third one, as a Checker would drop them.
    const done = new Set<string>();
    const isOpen = (id: BufferId) => !done.has(id);
    let tracked: Tracked | null = null;
    let queuedSteps = 0;
    let withPages = 0;
    let rootSocks = 0;
    for (const op of trace.ops) {
      const out = applyOp(state, op, "inplace");
      state = out.state;
      if (!tracked) tracked = new Tracked(state, isOpen);
      else tracked.update(state, out.writes ?? []);
      for (const id of state.buffers.keys()) if (Number(id.replace(/\D/g, "")) % 3 === 0) done.add(id);
      const want = scanned(state, done);
      for (const p of state.pages.keys()) expect(tracked.refsOf(p), `${p} at step ${state.step}`).toBe(want.refs.get(p) ?? 0);
      expect([...tracked.openBuffers(isOpen)], `open buffers at step ${state.step}`).toEqual(want.open);
      // Late: every fifth buffer, as a Checker would find some.
      const walkable = (id: BufferId) => isOpen(id) && Number(id.replace(/\D/g, "")) % 5 !== 0;
      expect([...tracked.walkableBuffers(walkable)], `walkable buffers at step ${state.step}`).toEqual(want.open.filter(walkable));
      expect(tracked.roots(), `queue entries at step ${state.step}`).toEqual(want.roots);
      for (const p of new Set([...state.pages.keys(), ...[...state.buffers.values()].flatMap((zb) => zb.pages)])) {
        const holding = [...state.buffers.values()].filter((zb) => zb.pages.includes(p)).map((zb) => zb.id);
        expect(tracked.buffersWith(p), `buffers with ${p} at step ${state.step}`).toEqual(holding);
        if (holding.length) withPages++;
      }
      if (want.roots.length) queuedSteps++;
      rootSocks = Math.max(rootSocks, new Set(want.roots.filter((r) => r.sock).map((r) => r.sock)).size);
      for (const skb of state.skbs.keys())
        expect(queueOf(state, skb), `queue of ${skb} at step ${state.step}`).toBe(want.roots.find((r) => r.sock && r.skb === skb)?.sock ?? null);
    }
    return { queuedSteps, withPages, rootSocks, socks: state.socks.size };
  }
}
