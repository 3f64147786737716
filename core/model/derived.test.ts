// SPDX-License-Identifier: GPL-2.0-only
/**
 * The indexes derived from a large table (derived.ts: queues.ts, pins.ts,
 * armed.ts) against scans of the table, through writes in place and in
 * pure steps (an index built on a step's copied table mid-step follows
 * its later writes), deletes and undos (undoWrites), as replays and the
 * search make them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { armedOn } from "./armed";
import { holderCount, holdersIndex } from "./lookup";
import { mayBePinned } from "./pins";
import { queueHolding, queuesHolding } from "./queues";
import { emptyState, thaw, Tx, undoWrites } from "./tx";
import type { BufferId, PageId, SkbId, Sock, SockId, State, TableName, Ubuf, UbufId, ZBuffer } from "./types";

const SKBS = ["a", "b", "c", "d", "e", "f"] as SkbId[];
const PAGES = ["p", "q", "r", "s"] as PageId[];

interface Case {
  readonly table: TableName;
  /** Record i of the table, its contents picked by `pick` (small numbers). */
  readonly record: (i: number, pick: readonly number[]) => unknown;
  /** Every question the index answers, against a scan. */
  readonly check: (state: State) => void;
}

const CASES: Record<string, Case> = {
  "receive queues (queues.ts)": {
    table: "socks",
    record: (i, pick): Sock => ({ name: `x${i}` as SockId, queue: pick.map((n) => SKBS[n % SKBS.length]) }),
    check: (state) => {
      for (const skb of SKBS) {
        const want = [...state.socks.values()].filter((s) => s.queue.includes(skb)).map((s) => s.name);
        expect(queuesHolding(state.socks, skb)).toEqual(want);
        expect(queueHolding(state.socks, skb)).toBe(want[0] ?? null);
      }
    },
  },
  "io_uring pins (pins.ts)": {
    table: "ubufs",
    record: (i, pick): Ubuf => {
      const pins = pick.slice(0, 2).map((n) => PAGES[n % PAGES.length]);
      const u = {
        name: `x${i}` as UbufId,
        kind: "io-notif" as const,
        refcnt: 1,
        dont_orphan: false,
        buffer: `zb${i}` as BufferId,
        zerocopy: true,
        callbacks: 0,
      };
      return pins.length ? { ...u, pins } : u;
    },
    check: (state) => {
      const index = holdersIndex(state);
      for (const page of PAGES) {
        if (state.ubufs.size >= 32) expect(mayBePinned(state.ubufs, page)).toBe([...state.ubufs.values()].some((u) => u.pins?.includes(page)));
        expect(holderCount(state, page)).toBe(index.get(page)?.length ?? 0);
      }
    },
  },
  "buffers armed on an skb (armed.ts)": {
    table: "buffers",
    record: (i, pick): ZBuffer => ({ id: `x${i}` as BufferId, skb: SKBS[(pick[0] ?? 0) % 3], pages: [], armedAt: 0, completions: [] }),
    check: (state) => {
      for (const skb of SKBS) expect(armedOn(state.buffers, skb)).toBe([...state.buffers.values()].find((z) => z.skb === skb));
    },
  },
};

const pick = fc.array(fc.nat(11), { maxLength: 3 });
const action = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), id: fc.nat(50), pick, pure: fc.boolean() }),
  fc.record({ kind: fc.constant("delete" as const), id: fc.nat(50) }),
  fc.record({ kind: fc.constant("undo" as const) }),
);

describe("indexes derived from a large table = scans", () => {
  it.each(Object.entries(CASES))("%s, through writes, pure steps, deletes and undos", (_, c) => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        let state = thaw(emptyState("6.1", "io-uring-notif"));
        const setup = new Tx(state, "inplace");
        for (const p of PAGES) setup.set("pages", p, { name: p, owner: "host", origin: "alloc", refcount: 1, caller: 1, freed: false });
        for (let i = 0; i < 40; i++) setup.set(c.table, `x${i}`, c.record(i, i % 7 === 0 ? [i] : []) as never);
        state = setup.commit();
        const logs: (readonly unknown[])[] = [];
        for (const act of actions) {
          if (act.kind === "undo") {
            const log = logs.pop();
            if (log) undoWrites(state, log);
          } else if (act.kind === "write" && act.pure) {
            const tx = new Tx(state, "pure");
            tx.set(c.table, `x${act.id}`, c.record(act.id, act.pick) as never);
            c.check(tx.view());
            tx.set(c.table, `x${act.id + 100}`, c.record(act.id + 100, [...act.pick].reverse()) as never);
            c.check(tx.commit());
          } else {
            const tx = new Tx(state, "inplace");
            if (act.kind === "write") tx.set(c.table, `x${act.id}`, c.record(act.id, act.pick) as never);
            else tx.delete(c.table, `x${act.id}`);
            state = tx.commit();
            logs.push(tx.takeUndo());
          }
          c.check(state);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("are what answers on a large table (a write behind Tx's back goes unseen)", () => {
    let state = thaw(emptyState("6.1", "msg-zerocopy"));
    const tx = new Tx(state, "inplace");
    for (let i = 0; i < 40; i++) tx.set("socks", `s${i}`, { name: `s${i}` as SockId, queue: [] });
    state = tx.commit();
    expect(queueHolding(state.socks, "a" as SkbId)).toBe(null);
    const put = new Tx(state, "inplace");
    put.set("socks", "s39", { name: "s39" as SockId, queue: ["a" as SkbId] });
    state = put.commit();
    (state.socks as Map<SockId, Sock>).set("s3" as SockId, { name: "s3" as SockId, queue: ["b" as SkbId] });
    expect(queueHolding(state.socks, "a" as SkbId)).toBe("s39");
    expect(queueHolding(state.socks, "b" as SkbId)).toBe(null);
  });
});
