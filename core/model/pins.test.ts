// SPDX-License-Identifier: GPL-2.0-only
/**
 * The pin count (pins.ts) against a scan of the ubufs, on tables large
 * enough to be counted, written through Tx in place and undone
 * (undoWrites) as replays and the search do; and holderCount, which asks
 * it, against holdersIndex, which scans.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holderCount, holdersIndex } from "./lookup";
import { mayBePinned } from "./pins";
import { emptyState, thaw, Tx, undoWrites } from "./tx";
import type { BufferId, PageId, State, Ubuf, UbufId } from "./types";

const PAGES = ["p", "q", "r", "s"] as PageId[];

const ubuf = (i: number, pins: readonly PageId[]): Ubuf => ({
  name: `u${i}` as UbufId,
  kind: "io-notif",
  refcnt: 1,
  dont_orphan: false,
  buffer: `zb${i}` as BufferId,
  zerocopy: true,
  callbacks: 0,
  ...(pins.length ? { pins } : {}),
});

const action = fc.oneof(
  fc.record({ kind: fc.constant("pin" as const), ubuf: fc.nat(45), pins: fc.array(fc.constantFrom(...PAGES), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("delete" as const), ubuf: fc.nat(45) }),
  fc.record({ kind: fc.constant("undo" as const) }),
);

const pinned = (state: State, page: PageId) => [...state.ubufs.values()].some((u) => u.pins?.includes(page));

describe("mayBePinned", () => {
  it("is exact on a large ubufs table through writes, deletes and undos, and holderCount agrees with holdersIndex", () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        let state = thaw(emptyState("6.1", "io-uring-notif"));
        const setup = new Tx(state, "inplace");
        for (const p of PAGES) setup.set("pages", p, { name: p, owner: "host", origin: "alloc", refcount: 1, caller: 1, freed: false });
        for (let i = 0; i < 40; i++) setup.set("ubufs", `u${i}`, ubuf(i, i % 9 === 0 ? ["p" as PageId] : []));
        state = setup.commit();
        const logs: (readonly unknown[])[] = [];
        for (const act of actions) {
          if (act.kind === "undo") {
            const log = logs.pop();
            if (log) undoWrites(state, log);
          } else {
            const tx = new Tx(state, "inplace");
            if (act.kind === "pin") tx.set("ubufs", `u${act.ubuf}`, ubuf(act.ubuf, act.pins));
            else tx.delete("ubufs", `u${act.ubuf}`);
            state = tx.commit();
            logs.push(tx.takeUndo());
          }
          const index = holdersIndex(state);
          for (const page of PAGES) {
            if (state.ubufs.size >= 32) expect(mayBePinned(state.ubufs, page)).toBe(pinned(state, page));
            expect(holderCount(state, page)).toBe(index.get(page)?.length ?? 0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
