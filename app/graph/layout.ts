// SPDX-License-Identifier: GPL-2.0-only
/**
 * Stable layout: an object keeps its column and row while it lives; a new
 * object takes the lowest free row of its column; rows of objects that left
 * in this very step stay blocked for that step, so a fading node and a new
 * one never overlap. Nothing that survives ever moves.
 */

export interface Slot {
  readonly col: number;
  readonly row: number;
}

export type Layout = ReadonlyMap<string, Slot>;

export const EMPTY_LAYOUT: Layout = new Map();

export function nextLayout(prev: Layout, objects: readonly { key: string; col: number }[]): Layout {
  const next = new Map<string, Slot>();
  const taken = new Map<number, Set<number>>();
  const take = (col: number, row: number) => {
    if (!taken.has(col)) taken.set(col, new Set());
    taken.get(col)!.add(row);
  };
  // Survivors first, and the rows of those that just left.
  for (const slot of prev.values()) take(slot.col, slot.row);
  for (const o of objects) {
    const old = prev.get(o.key);
    if (old && old.col === o.col) next.set(o.key, old);
  }
  for (const o of objects) {
    if (next.has(o.key)) continue;
    const rows = taken.get(o.col) ?? new Set<number>();
    let row = 0;
    while (rows.has(row)) row++;
    take(o.col, row);
    next.set(o.key, { col: o.col, row });
  }
  return next;
}
