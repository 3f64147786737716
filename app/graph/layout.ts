// SPDX-License-Identifier: GPL-2.0-only
/**
 * Stable layout: an object keeps its column and row while it lives; rows
 * of objects that left in this very step stay blocked for that step, so a
 * fading node and a new one never overlap. Nothing that survives ever
 * moves, unless the user asks for a tidy layout.
 *
 * An object that left by folding into one drawn now (a clone folded into
 * its stack, a stack unfolded into its members: `replaces`) does not fade,
 * it became that object, so its row is free at once. A newcomer may take
 * it in that very step: when a growing graph starts stacking clone pairs,
 * the next objects fill the rows the clones left instead of adding rows
 * below, and the drawing stops growing (issue 17.4).
 *
 * Objects are grouped as they appear: a new object takes the free row of
 * its column nearest to the row of the object it belongs with (`near`: an
 * skb's Data, a Data's first skb, a page's first holder), so an skb sits
 * beside its Data and a page beside the Data that holds it; with nothing
 * to sit beside, the lowest free row.
 */

export interface Slot {
  readonly col: number;
  readonly row: number;
}

export type Layout = ReadonlyMap<string, Slot>;

export const EMPTY_LAYOUT: Layout = new Map();

export interface LayoutObject {
  readonly key: string;
  readonly col: number;
  /** Keys of the objects it belongs with, best first. */
  readonly near?: readonly string[];
  /**
   * Keys of objects it stands for, which leave as it comes (a clone stack
   * and its members): it takes the first one's place, so folding or
   * unfolding a stack moves nothing else.
   */
  readonly replaces?: readonly string[];
}

export function nextLayout(prev: Layout, objects: readonly LayoutObject[]): Layout {
  const next = new Map<string, Slot>();
  const taken = new Map<number, Set<number>>();
  const take = (col: number, row: number) => {
    if (!taken.has(col)) taken.set(col, new Set());
    taken.get(col)!.add(row);
  };
  const staying = new Set(objects.map((o) => o.key));
  const folded = foldedAway(objects, staying);
  // Survivors first, and the rows of those that just left (but not of those folded into a node drawn now).
  for (const [key, slot] of prev) if (!folded.has(key)) take(slot.col, slot.row);
  for (const o of objects) {
    const old = prev.get(o.key);
    if (old && old.col === o.col) next.set(o.key, old);
  }
  // Newcomers column by column (skbs before their Data, Datas before their pages), so each finds its anchor placed.
  const fresh = objects.filter((o) => !next.has(o.key)).sort((a, b) => a.col - b.col);
  // Heirs before the rest: a stack claims its first member's row before any newcomer may take a freed one.
  const claimed = new Set<string>();
  for (const o of fresh) {
    const heir = o.replaces?.find((k) => folded.has(k) && !claimed.has(k) && prev.get(k)?.col === o.col);
    if (!heir) continue;
    claimed.add(heir);
    const slot = prev.get(heir)!;
    take(slot.col, slot.row);
    next.set(o.key, slot);
  }
  for (const o of fresh) {
    if (next.has(o.key)) continue;
    const rows = taken.get(o.col) ?? new Set<number>();
    const anchor = o.near?.map((k) => next.get(k)).find((s) => s !== undefined);
    const row = anchor ? nearestFree(rows, anchor.row) : lowestFree(rows);
    take(o.col, row);
    next.set(o.key, { col: o.col, row });
  }
  return next;
}

/** Keys that left by folding into an object drawn now (its `replaces`): they do not fade, their rows are free. */
export function foldedAway(objects: readonly LayoutObject[], staying: ReadonlySet<string>): Set<string> {
  const folded = new Set<string>();
  for (const o of objects) for (const k of o.replaces ?? []) if (!staying.has(k)) folded.add(k);
  return folded;
}

/**
 * The tidy layout the user asks for: every object placed afresh, grouped,
 * packed from the top (the rows freed objects left behind are closed up).
 */
export function tidyLayout(objects: readonly LayoutObject[]): Layout {
  return nextLayout(EMPTY_LAYOUT, objects);
}

function lowestFree(rows: ReadonlySet<number>): number {
  let row = 0;
  while (rows.has(row)) row++;
  return row;
}

/** The free row closest to `want` (below it on a tie: reading order). */
function nearestFree(rows: ReadonlySet<number>, want: number): number {
  for (let d = 0; ; d++) {
    if (!rows.has(want + d)) return want + d;
    if (d > 0 && want - d >= 0 && !rows.has(want - d)) return want - d;
  }
}

/** Rows the layout uses (the tallest column), for sizing the drawing. */
export function rowCount(layout: Layout): number {
  let n = 0;
  for (const s of layout.values()) n = Math.max(n, s.row + 1);
  return n;
}
