// SPDX-License-Identifier: GPL-2.0-only
/**
 * Two levels of detail for the graph. The full drawing (boxes with every
 * counter, the frag slots, the finding tags) is used while the whole graph
 * fits the panel with its smallest text at 10 px or more; past that, each
 * object becomes a one-line chip (its name and its main counter, the
 * counter's kernel name once at the head of its column), so 30-60 objects
 * still fit a 1280×720 panel readably. The layout's slots are the same in
 * both: only the geometry changes, so switching moves nothing relative to
 * the rest. Pure: unit-tested.
 */
import { COLUMN, type GraphNode, type NodeKind } from "./model";

export interface Geometry {
  readonly compact: boolean;
  /** Left edge of each column (model.ts COLUMN), in graph units. */
  readonly colX: readonly number[];
  readonly rowH: number;
  readonly top: number;
  /** The smallest text the drawing has, in graph units (CSS font-size). */
  readonly minFont: number;
}

/** Asks the graph's svg for a level of detail: "full" boxes (an export), or "auto" (chips when text would be too small). */
export const DETAIL_EVENT = "skbscope-detail";

/** The smallest graph text we accept on screen, in CSS pixels. */
export const MIN_TEXT_PX = 10;

export const FULL: Geometry = { compact: false, colX: [0, 175, 375, 615, 795], rowH: 112, top: 24, minFont: 10.5 };
/**
 * Chips 16 high on 18-unit rows (12.5 px text: cap height to descender
 * fits 16), 8 units between columns, a line of heads
 * above: the skb column is the widest (a stack's "a..c10 ×11"). Five
 * columns take 424 units: at 1280×720 with the editor open the graph
 * panel is ~350 px wide, so the chips' 12.5 px text stays over 10 px.
 */
export const COMPACT: Geometry = { compact: true, colX: [0, 72, 172, 256, 340], rowH: 18, top: 22, minFont: 12.5 };
export const CHIP_H = 16;
/** The narrowest chip. */
const CHIP_MIN_W = 40;
/** Monospace advance at the chips' 12.5 px (DejaVu Sans Mono: 0.602 em). */
const CHIP_CH = 7.6;

/** The scale a fit gives a drawing of `bounds` in a panel of `size` (the fit's 8 px margins). */
export function fitScale(bounds: { w: number; h: number }, size: { width: number; height: number }, maxScale: number): number {
  return Math.min(maxScale, Math.max(0.05, Math.min((size.width - 16) / bounds.w, (size.height - 16) / bounds.h)));
}

/** Whether the full drawing, fitted, would show text under MIN_TEXT_PX (then chips are drawn). */
export function wantsCompact(fullBounds: { w: number; h: number }, size: { width: number; height: number }, maxScale: number): boolean {
  if (size.width === 0 || size.height === 0) return false;
  return fitScale(fullBounds, size, maxScale) * FULL.minFont < MIN_TEXT_PX;
}

/**
 * Whether the graph's rows leave its text readable: objects of these kinds,
 * packed one a row in each column (as a tidy layout places them), or in
 * `layoutRows` rows (the stable layout keeps the rows of objects that left
 * until new ones fill them), drawn as chips in a panel of `size`. False
 * only when the height binds the fit and brings text under MIN_TEXT_PX:
 * when the width binds, fewer rows (more stacking) would not help.
 */
export function fitsReadably(
  nodes: readonly { kind: NodeKind }[],
  size: { width: number; height: number },
  maxScale: number,
  socketColumn: boolean,
  layoutRows = 0,
): boolean {
  if (size.width === 0 || size.height === 0 || nodes.length === 0) return true;
  const perColumn = new Map<number, number>();
  for (const n of nodes) perColumn.set(COLUMN[n.kind], (perColumn.get(COLUMN[n.kind]) ?? 0) + 1);
  const rows = Math.max(layoutRows, ...perColumn.values());
  const last = Math.max(...perColumn.keys());
  const first = socketColumn ? 0 : 1;
  // A last column of short chips ("p9 1"): the width is at its least, so the height is not blamed for it.
  const w = COMPACT.colX[last] - COMPACT.colX[first] + CHIP_MIN_W + 20;
  const h = COMPACT.top + rows * COMPACT.rowH + 20;
  const byWidth = (size.width - 16) / w;
  const byHeight = (size.height - 16) / h;
  if (byHeight >= byWidth) return true;
  return Math.min(maxScale, byHeight) * COMPACT.minFont >= MIN_TEXT_PX;
}

/**
 * A chip's one line: its name and its main counter (users, dataref,
 * refcount, bufs ...), old→new when this step changed it: "k1 1",
 * "h1 1→2", "⚠ g 3"; a clone stack keeps its title ("a..c10 ×11"), a
 * stack of copies' Datas says its count and their dataref ("×22 1"). Any
 * other counter that changed marks the chip (chipChanged); the inspector
 * and the hover say which.
 */
export function chipLabel(n: Pick<GraphNode, "name" | "title" | "counters" | "findings" | "members" | "kind">): string {
  const flag = n.findings.length ? "⚠ " : "";
  // A stack of Datas (copies) has no name worth its room: its count and the dataref they share ("×22 1").
  if (n.members && n.kind === "data") {
    const dataref = n.counters.find((c) => c.field === "dataref");
    return `${flag}×${n.members.length}${dataref ? ` ${dataref.value}` : ""}`;
  }
  if (n.members) return `${flag}${n.title}`;
  const c = n.counters[0];
  const value = c ? ` ${c.old !== null ? `${c.old}→${c.value}` : c.value}` : "";
  return `${flag}${n.name}${value}`;
}

export function chipChanged(n: Pick<GraphNode, "counters">): boolean {
  return n.counters.some((c) => c.old !== null);
}

/** A chip is as wide as its line, within its column. */
export function chipWidth(n: Pick<GraphNode, "name" | "title" | "counters" | "findings" | "members" | "owner" | "kind">, col: number): number {
  const pad = n.owner ? 18 : 10;
  // The last column has the panel's edge to itself: a long line ("z1 no→@6") widens its chip.
  const room = col + 1 < COMPACT.colX.length ? COMPACT.colX[col + 1] - COMPACT.colX[col] - 8 : 120;
  return Math.round(Math.min(room, Math.max(CHIP_MIN_W, pad + chipLabel(n).length * CHIP_CH + 6)));
}

/** Column heads of the chip drawing: the counter its chips show (the chips' names say the kind). */
const HEAD: Readonly<Record<NodeKind, string>> = {
  sock: "queue",
  skb: "skb users",
  data: "dataref",
  page: "refcount",
  pipe: "pipe bufs",
  buffer: "told",
  ubuf: "refcnt",
};

export function columnHeads(kinds: Iterable<{ kind: NodeKind; col: number }>): { col: number; text: string }[] {
  const byCol = new Map<number, Set<NodeKind>>();
  for (const { kind, col } of kinds) {
    if (!byCol.has(col)) byCol.set(col, new Set());
    byCol.get(col)!.add(kind);
  }
  return [...byCol].sort((a, b) => a[0] - b[0]).map(([col, set]) => ({ col, text: set.size === 1 ? HEAD[[...set][0]] : [...set].join("/") }));
}
