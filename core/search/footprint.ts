// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which search steps commute, derived from what each step reads and
 * writes: the engine's transaction reports every table entry an
 * operation touches (Tx.access), so the independence relation follows the
 * operation modules themselves and needs no per-operation list.
 *
 * Two steps are independent at a state when neither writes what the
 * other reads or writes; a whole-table read (a scan, Tx.all, Tx.view)
 * conflicts with any write to that table. The naming counters are left
 * out: they only pick names, and the canonical form is name-free.
 *
 * Used for a sleep-set reduction (search.ts): at a node reached by step e,
 * a step t that its parent also offered before e, and that is independent
 * of e, is not judged again: parent·t·e reaches the same state and was
 * judged first.
 */
import type { AccessLog } from "../model/tx";
import type { TableName } from "../model/types";

type Table = TableName | "caches";

/** What one step read and wrote. */
export class Footprint implements AccessLog {
  readonly reads = new Set<string>();
  readonly writes = new Set<string>();
  /** Tables read whole. */
  readonly scans = new Set<Table>();
  /** Tables written at all (against others' scans). */
  readonly written = new Set<Table>();

  read(table: Table, key: string | null): void {
    if (key === null) this.scans.add(table);
    else this.reads.add(`${table}\u0000${key}`);
  }

  write(table: Table, key: string | null): void {
    this.written.add(table);
    this.writes.add(key === null ? `${table}\u0000*` : `${table}\u0000${key}`);
    if (key === null) this.scans.add(table);
  }

  clear(): void {
    this.reads.clear();
    this.writes.clear();
    this.scans.clear();
    this.written.clear();
  }
}

function writesInto(w: Footprint, other: Footprint): boolean {
  for (const t of w.written) if (other.scans.has(t)) return true;
  for (const k of w.writes) {
    if (other.reads.has(k) || other.writes.has(k)) return true;
    // A whole-table write ("caches") meets any access to that table.
    if (k.endsWith("\u0000*")) {
      const table = k.slice(0, -2) as Table;
      if (other.written.has(table) || other.scans.has(table)) return true;
      for (const r of other.reads) if (r.startsWith(`${table}\u0000`)) return true;
    }
  }
  return false;
}

/** Neither step writes what the other reads or writes. */
export function independent(a: Footprint, b: Footprint): boolean {
  return !writesInto(a, b) && !writesInto(b, a);
}
