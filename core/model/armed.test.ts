// SPDX-License-Identifier: GPL-2.0-only
/**
 * The armed-buffer index (armed.ts) against a scan of the buffers, on a
 * table large enough to be indexed, written through Tx (in place and pure)
 * and undone (undoWrites).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { armedOn } from "./armed";
import { emptyState, thaw, Tx, undoWrites } from "./tx";
import type { BufferId, SkbId, State, ZBuffer } from "./types";

const SKBS = ["a", "b", "c"] as SkbId[];
const zb = (i: number, skb: SkbId): ZBuffer => ({ id: `zb${i}` as BufferId, skb, pages: [], armedAt: 0, completions: [] });
const scan = (state: State, skb: SkbId) => [...state.buffers.values()].find((z) => z.skb === skb);

const action = fc.oneof(
  fc.record({ kind: fc.constant("arm" as const), id: fc.nat(60), skb: fc.constantFrom(...SKBS), pure: fc.boolean() }),
  fc.record({ kind: fc.constant("delete" as const), id: fc.nat(60) }),
  fc.record({ kind: fc.constant("undo" as const) }),
);

describe("armedOn", () => {
  it("answers as a scan does through writes (in place and pure), deletes and undos of a large buffers table", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        let state = thaw(emptyState("6.1", "msg-zerocopy"));
        const setup = new Tx(state, "inplace");
        for (let i = 0; i < 40; i++) setup.set("buffers", `zb${i}`, zb(i, SKBS[i % 3]));
        state = setup.commit();
        const logs: (readonly unknown[])[] = [];
        for (const act of actions) {
          if (act.kind === "undo") {
            const log = logs.pop();
            if (log) undoWrites(state, log);
          } else if (act.kind === "arm" && act.pure) {
            // A pure step copies the table at its first write; an index built on the copy mid-step follows its later writes.
            const tx = new Tx(state, "pure");
            tx.set("buffers", `zb${act.id}`, zb(act.id, act.skb));
            armedOn(tx.all("buffers"), act.skb);
            tx.set("buffers", `zb${act.id + 100}`, zb(act.id + 100, act.skb));
            const after = tx.commit();
            for (const skb of SKBS) expect(armedOn(after.buffers, skb)).toBe(scan(after, skb));
          } else {
            const tx = new Tx(state, "inplace");
            if (act.kind === "arm") tx.set("buffers", `zb${act.id}`, zb(act.id, act.skb));
            else tx.delete("buffers", `zb${act.id}`);
            state = tx.commit();
            logs.push(tx.takeUndo());
          }
          for (const skb of SKBS) expect(armedOn(state.buffers, skb)).toBe(scan(state, skb));
        }
      }),
      { numRuns: 200 },
    );
  });
});
