// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { runTrace } from "../engine/replay";
import { fuzzCase, seeded } from "../testdata/fuzz";
import { TABLES } from "./tx";
import type { State, TableName } from "./types";

/** Each table's key lists, as written by every kind of operation a fuzzed trace runs. */
function keyLists(states: readonly State[]): Map<TableName, Set<string>> {
  const out = new Map<TableName, Set<string>>();
  for (const state of states)
    for (const table of TABLES) {
      const lists = out.get(table) ?? new Set<string>();
      for (const record of (state[table] as ReadonlyMap<string, object>).values()) lists.add(Object.keys(record).join(","));
      out.set(table, lists);
    }
  return out;
}

describe("shapes: one layout per table (shapes.ts, Tx.set)", () => {
  it("every record of a table has the same fields in the same order, whichever operation wrote it", () => {
    const states: State[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const { trace, options } = fuzzCase(seeded(seed), { maxOps: 60, hostile: 0 });
      runTrace(trace, options).eachState((_step, state) => states.push(state));
    }
    const lists = keyLists(states);
    // The fuzzed traces reach every table whose records operations rebuild by spread.
    for (const table of ["skbs", "datas", "pages", "pipes", "socks", "ubufs", "buffers"] as const) {
      expect(lists.get(table)?.size, table).toBe(1);
    }
    expect([...lists.get("skbs")!][0]).toContain("pp_recycle");
    expect([...lists.get("datas")!][0]).toContain("pure_zerocopy");
  });
});
