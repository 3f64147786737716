// SPDX-License-Identifier: GPL-2.0-only
/**
 * How many holders each page has, kept up to date step by step from the
 * in-place replay's write log instead of scanning every Data and pipe for
 * each page a step touched (model/lookup.ts holderCount, which this must
 * agree with: core/engine/fastpath.test.ts replays random traces both ways).
 *
 * The structural holders (a Data's head page, its frags, a pipe buffer) are
 * counted here; the caller's references and the pfrag cache are read from
 * the state itself, being O(1) there.
 */
import type { Data, PageId, Pipe, State } from "../model/types";

type Counted = "datas" | "pipes";

export class HolderCounts {
  private readonly counts = new Map<PageId, number>();

  constructor(state: State) {
    for (const d of state.datas.values()) this.addData(d, 1);
    for (const p of state.pipes.values()) this.addPipe(p, 1);
  }

  /** holderCount(state, page) for the state this index follows. */
  count(state: Pick<State, "pages" | "caches">, page: PageId): number {
    return (state.pages.get(page)?.caller ?? 0) + (this.counts.get(page) ?? 0) + (state.caches.pfrag?.page === page ? 1 : 0);
  }

  /**
   * Follow one committed in-place step: `undo` is its write log (Tx
   * takeUndo: table, key, old value, had), `state` the tables after it. The
   * first logged write of a key holds its value before the step.
   */
  afterStep(state: State, undo: readonly unknown[]): void {
    let seen: Set<string> | null = null;
    for (let i = 0; i < undo.length; i += 4) {
      const table = undo[i] as Counted;
      const key = undo[i + 1] as string | null;
      if ((table !== "datas" && table !== "pipes") || key === null) continue;
      const id = table === "datas" ? `d${key}` : `p${key}`;
      seen ??= new Set();
      if (seen.has(id)) continue;
      seen.add(id);
      if (undo[i + 3]) this.add(table, undo[i + 2], -1);
      const now = (state[table] as ReadonlyMap<string, unknown>).get(key);
      if (now !== undefined) this.add(table, now, 1);
    }
  }

  private add(table: Counted, record: unknown, by: 1 | -1): void {
    if (table === "datas") this.addData(record as Data, by);
    else this.addPipe(record as Pipe, by);
  }

  private addData(d: Data, by: 1 | -1): void {
    if (d.head_page) this.bump(d.head_page, by);
    for (const f of d.frags) this.bump(f.page, by);
  }

  private addPipe(p: Pipe, by: 1 | -1): void {
    for (const b of p.bufs) this.bump(b.page, by);
  }

  private bump(page: PageId, by: 1 | -1): void {
    const n = (this.counts.get(page) ?? 0) + by;
    if (n === 0) this.counts.delete(page);
    else this.counts.set(page, n);
  }
}
