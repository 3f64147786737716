// SPDX-License-Identifier: GPL-2.0-only
/**
 * Indexes derived from one table, for questions the kernel answers from a
 * pointer the model does not keep: which receive queue holds an skb
 * (queues.ts), which pages io_uring pins (pins.ts), which buffer the owner
 * armed on an skb (armed.ts). A scan answers for the search's small
 * tables; a long trace keeps what it made (sockets it never closes, every
 * buffer it armed), so a large table gets an index, built at the first
 * question, kept from Tx's writes (noteWrite) and dropped by an undo
 * (forgetDerived), to be built again when asked.
 */
import type { TableName } from "./types";

/** Below this many records a scan is cheaper than keeping an index. */
const INDEX_FROM = 32;

interface Registered {
  noteWrite(map: object, before: unknown, after: unknown): void;
  forget(map: object): void;
}

const byTable = new Map<TableName, Registered[]>();

/** No index built yet in this process (the search's tables never are): every write skips the lookup. */
let noneBuilt = true;

export class Derived<R, I> implements Registered {
  private readonly built = new WeakMap<object, I>();

  /**
   * `enter` adds a record to the index (sign 1) or takes it out (-1);
   * `staying`: its key stays in the table (a record replaced in place, not
   * a key added or deleted). `same` says two records of a key index alike
   * (a write that keeps it is not entered again).
   */
  constructor(
    table: TableName,
    private readonly make: () => I,
    private readonly enter: (index: I, record: R, sign: 1 | -1, staying: boolean) => void,
    private readonly same: (a: R, b: R) => boolean,
  ) {
    byTable.set(table, [...(byTable.get(table) ?? []), this]);
  }

  /** The index of a large table (a real Map: not a logged view), or null: scan it. */
  of(table: ReadonlyMap<string, R>): I | null {
    if (table.size < INDEX_FROM || !(table instanceof Map)) return null;
    let index = this.built.get(table);
    if (index === undefined) {
      index = this.make();
      noneBuilt = false;
      for (const record of table.values()) this.enter(index, record, 1, false);
      this.built.set(table, index);
    }
    return index;
  }

  noteWrite(map: object, before: unknown, after: unknown): void {
    const index = this.built.get(map);
    if (index === undefined) return;
    const staying = before !== undefined && after !== undefined;
    if (staying && this.same(before as R, after as R)) return;
    if (before !== undefined) this.enter(index, before as R, -1, staying);
    if (after !== undefined) this.enter(index, after as R, 1, staying);
  }

  forget(map: object): void {
    this.built.delete(map);
  }
}

/** A table's record changes in place (`before`/`after` undefined: absent): its indexes follow. */
export function noteWrite(table: TableName, map: object, before: unknown, after: unknown): void {
  if (noneBuilt) return;
  const indexes = byTable.get(table);
  if (indexes) for (const d of indexes) d.noteWrite(map, before, after);
}

/** A table changed behind its indexes' back (an undo): they are dropped. */
export function forgetDerived(table: TableName, map: object): void {
  if (noneBuilt) return;
  const indexes = byTable.get(table);
  if (indexes) for (const d of indexes) d.forget(map);
}
