// SPDX-License-Identifier: GPL-2.0-only
/**
 * An in-place step's writes undone (a failed step's rollback, or
 * undoWrites of its log later) leave each table exactly as it was, its
 * key order too, whether the table is small (its order logged whole) or
 * large (each delete logs the key before it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tx, emptyState, thaw, undoWrites } from "./tx";
import type { Grave } from "./types";

/** A step's writes: set a new key, set a key there is, or delete one, by index into the keys there are. */
const writeArb = fc.oneof(
  fc.record({ kind: fc.constant("new" as const) }),
  fc.record({ kind: fc.constantFrom("set" as const, "delete" as const), at: fc.nat() }),
);

function tableOf(size: number) {
  const state = thaw(emptyState("6.1", "page-refs"));
  const graves = state.graves as Map<string, Grave>;
  for (let i = 0; i < size; i++) graves.set(`k${i}`, { step: i } as unknown as Grave);
  return { state, graves };
}

type Write = { kind: "new" } | { kind: "set" | "delete"; at: number };

function write(tx: Tx, graves: Map<string, Grave>, w: Write, n: number): void {
  const keys = [...graves.keys()];
  if (w.kind === "new") tx.set("graves", `n${n}`, { step: -n } as unknown as Grave);
  else if (keys.length === 0) return;
  else if (w.kind === "set") tx.set("graves", keys[w.at % keys.length], { step: -n } as unknown as Grave);
  else tx.delete("graves", keys[w.at % keys.length]);
}

describe("in-place undo", () => {
  it("puts every key back in its place, in a small table and in a large one", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 60, max: 300 })),
        fc.array(writeArb, { maxLength: 40 }),
        fc.boolean(),
        (size, writes, fail) => {
          const { state, graves } = tableOf(size);
          const before = [...graves.entries()];
          const tx = new Tx(state, "inplace");
          writes.forEach((w, n) => write(tx, graves, w, n));
          if (fail) tx.rollback();
          else {
            const after = tx.commit();
            undoWrites(after, tx.takeUndo());
          }
          expect([...graves.entries()]).toEqual(before);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("logs a large table's deletes without copying its keys", () => {
    const { state, graves } = tableOf(1000);
    const tx = new Tx(state, "inplace");
    tx.delete("graves", "k500");
    tx.delete("graves", "k0");
    const log = tx.takeUndo();
    // Two entries per delete: where the key stood, and the key with its record.
    expect(log.length).toBe(16);
    expect(log.some((x) => Array.isArray(x))).toBe(false);
    expect(graves.size).toBe(998);
  });
});
