// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which search steps commute, derived from what each step reads and
 * writes: the engine's transaction reports every table entry an
 * operation touches (Tx.access), so the independence relation follows the
 * operation modules themselves and needs no per-operation list.
 *
 * Two steps are independent at a state when neither writes what the
 * other reads or writes; a whole-table read (a scan, Tx.all, Tx.view)
 * conflicts with any write to that table. Names are left out: the naming
 * counters only pick names, and an entry the step makes (its key absent
 * before the step: a result's first free name, a Data's h<N>) is a new
 * object whatever its name, so its key, and reads of absent keys (a name
 * checked free), meet nothing; the canonical form is name-free. The
 * step's table still counts as written, so it meets another's scan.
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
  /** Per table, the keys read (a Set per table, kept across clear() to spare allocations). */
  readonly reads = new Map<Table, Set<string>>();
  readonly writes = new Map<Table, Set<string>>();
  /** Tables read whole. */
  readonly scans = new Set<Table>();
  /** Tables written at all (against others' scans). */
  readonly written = new Set<Table>();
  /** Tables written whole ("caches"): they meet any access to the table. */
  readonly wholeWrites = new Set<Table>();
  /** Per table, the keys this step made (absent before it). */
  private readonly made = new Map<Table, Set<string>>();

  read(table: Table, key: string | null, present = true): void {
    if (key === null) this.scans.add(table);
    else if (present && !this.made.get(table)?.has(key)) keysOf(this.reads, table).add(key);
  }

  write(table: Table, key: string | null, present = true): void {
    this.written.add(table);
    if (key === null) {
      this.wholeWrites.add(table);
      this.scans.add(table);
    } else if (!present) keysOf(this.made, table).add(key);
    else if (!this.made.get(table)?.has(key)) keysOf(this.writes, table).add(key);
  }

  clear(): void {
    for (const keys of this.reads.values()) keys.clear();
    for (const keys of this.writes.values()) keys.clear();
    for (const keys of this.made.values()) keys.clear();
    this.scans.clear();
    this.written.clear();
    this.wholeWrites.clear();
  }

  /** Read any key of `table`, or the whole table. */
  touches(table: Table): boolean {
    return this.scans.has(table) || this.written.has(table) || (this.reads.get(table)?.size ?? 0) > 0;
  }
}

function keysOf(m: Map<Table, Set<string>>, table: Table): Set<string> {
  let keys = m.get(table);
  if (!keys) m.set(table, (keys = new Set()));
  return keys;
}

function meets(keys: ReadonlySet<string>, other: ReadonlySet<string> | undefined): boolean {
  if (!other || other.size === 0) return false;
  for (const k of keys) if (other.has(k)) return true;
  return false;
}

function writesInto(w: Footprint, other: Footprint): boolean {
  for (const t of w.written) if (other.scans.has(t)) return true;
  for (const [table, keys] of w.writes) {
    if (keys.size === 0) continue;
    if (meets(keys, other.reads.get(table)) || meets(keys, other.writes.get(table))) return true;
  }
  // A whole-table write ("caches") meets any access to that table.
  for (const t of w.wholeWrites) if (other.touches(t)) return true;
  return false;
}

/** Neither step writes what the other reads or writes. */
export function independent(a: Footprint, b: Footprint): boolean {
  return !writesInto(a, b) && !writesInto(b, a);
}
