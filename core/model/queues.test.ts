// SPDX-License-Identifier: GPL-2.0-only
/**
 * The receive-queue index (queues.ts) against a scan of the sockets, on
 * tables large enough to be indexed, written through Tx in place and
 * undone (undoWrites) as replays and the search do.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { queueHolding, queuesHolding } from "./queues";
import { emptyState, thaw, Tx, undoWrites } from "./tx";
import type { SkbId, SockId, State } from "./types";

const SKBS = ["a", "b", "c", "d", "e", "f"] as SkbId[];

function scanAll(state: State, skb: SkbId): SockId[] {
  return [...state.socks.values()].filter((s) => s.queue.includes(skb)).map((s) => s.name);
}

const action = fc.oneof(
  fc.record({ kind: fc.constant("queue" as const), sock: fc.nat(50), queue: fc.array(fc.constantFrom(...SKBS), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("delete" as const), sock: fc.nat(50) }),
  fc.record({ kind: fc.constant("undo" as const) }),
);

describe("queueHolding / queuesHolding", () => {
  it("answer as a scan does, through writes, deletes and undos of a large sockets table", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        let state = thaw(emptyState("6.1", "msg-zerocopy"));
        const setup = new Tx(state, "inplace");
        for (let i = 0; i < 40; i++) setup.set("socks", `s${i}`, { name: `s${i}` as SockId, queue: i % 7 === 0 ? ["a" as SkbId] : [] });
        state = setup.commit();
        const logs: (readonly unknown[])[] = [];
        for (const act of actions) {
          if (act.kind === "undo") {
            const log = logs.pop();
            if (log) undoWrites(state, log);
          } else {
            const tx = new Tx(state, "inplace");
            const name = `s${act.sock}`;
            if (act.kind === "queue") tx.set("socks", name, { name: name as SockId, queue: act.queue });
            else tx.delete("socks", name);
            state = tx.commit();
            logs.push(tx.takeUndo());
          }
          for (const skb of SKBS) {
            const want = scanAll(state, skb);
            expect(queuesHolding(state.socks, skb)).toEqual(want);
            expect(queueHolding(state.socks, skb)).toBe(want[0] ?? null);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("are indexed on a large table (the first answer builds it, writes keep it)", () => {
    let state = thaw(emptyState("6.1", "msg-zerocopy"));
    const tx = new Tx(state, "inplace");
    for (let i = 0; i < 40; i++) tx.set("socks", `s${i}`, { name: `s${i}` as SockId, queue: [] });
    state = tx.commit();
    expect(queueHolding(state.socks, "a" as SkbId)).toBe(null);
    const put = new Tx(state, "inplace");
    put.set("socks", "s39", { name: "s39" as SockId, queue: ["a" as SkbId] });
    state = put.commit();
    // A write the index was not told of (behind Tx's back) shows it is the index that answers.
    (state.socks as Map<SockId, { name: SockId; queue: SkbId[] }>).set("s3" as SockId, { name: "s3" as SockId, queue: ["b" as SkbId] });
    expect(queueHolding(state.socks, "a" as SkbId)).toBe("s39");
    expect(queueHolding(state.socks, "b" as SkbId)).toBe(null);
  });
});
