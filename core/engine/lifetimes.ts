// SPDX-License-Identifier: GPL-2.0-only
/**
 * Lifetimes: each object's counter over the steps of a trace, for the
 * app's lifetime chart (users for an skb, dataref & 0xffff for a Data,
 * refcount for a page, buffers for a pipe, queue length for a socket).
 *
 * Pure: the worker runs it in chunks between other requests, so
 * advance() takes a range of steps and finish() gives the rows.
 */
import { dataref } from "./view";
import { applyOp, type ContractMode } from "./apply";
import { emptyState } from "../model/tx";
import type { PageId, State } from "../model/types";
import type { TraceOp } from "../trace/ast";

/** The lifetime chart draws this many rows at most. */
export const MAX_LIFE_ROWS = 400;

export interface LifeRow {
  readonly name: string;
  readonly kind: "skb" | "data" | "page" | "pipe" | "sock";
  /** First step it exists at, and the step it is gone at (null: alive at the end). */
  readonly born: number;
  readonly died: number | null;
  /** Its counter (users, dataref & 0xffff, refcount, bufs, queue length) as [step, value] change points. */
  readonly series: readonly (readonly [number, number])[];
}

/**
 * Lifetimes: replays the trace once more through applyOp (the engine's own
 * step function, in place) and records each object's counter where it
 * changes. Skbs, Datas, pipes and sockets leave their tables when freed;
 * pages are checked only when a step touched them.
 */
export class LifeTracker {
  private state: State;
  private readonly rows = new Map<string, { name: string; kind: LifeRow["kind"]; born: number; died: number | null; series: [number, number][] }>();
  private readonly seen = new Map<string, unknown>();
  /** Rows of objects alive now, by kind, so a death is found without scanning every row. */
  private readonly alive = new Map<LifeRow["kind"], Map<string, string>>();
  private omitted = 0;

  constructor(
    kernel: State["kernel"],
    policy: State["policy"],
    private readonly contracts: ContractMode = "enforce",
    without: readonly string[] = [],
  ) {
    this.state = emptyState(kernel, policy, new Set(without));
  }

  advance(ops: readonly TraceOp[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const out = applyOp(this.state, ops[i], "inplace", { contracts: this.contracts });
      this.state = out.state;
      if (out.error) continue;
      const step = i + 1;
      this.scan("skb", this.state.skbs, step, (r) => (r as { users: number }).users);
      this.scan("data", this.state.datas, step, (r) => dataref((r as { dataref: number }).dataref).all);
      this.scan("pipe", this.state.pipes, step, (r) => (r as { bufs: unknown[] }).bufs.length);
      this.scan("sock", this.state.socks, step, (r) => (r as { queue: unknown[] }).queue.length);
      for (const name of out.touchedPages) {
        const page = this.state.pages.get(name as PageId);
        if (page) this.record("page", `page:${name}`, name, page, step, page.freed ? null : page.refcount);
      }
    }
  }

  private scan(kind: LifeRow["kind"], table: ReadonlyMap<string, unknown>, step: number, value: (r: unknown) => number): void {
    for (const [name, rec] of table) this.record(kind, `${kind}:${name}`, name, rec, step, value(rec));
    const alive = this.alive.get(kind);
    if (!alive || alive.size === table.size) return;
    for (const [name, key] of alive) {
      if (table.has(name)) continue;
      const row = this.rows.get(key)!;
      row.died = step;
      row.series.push([step, 0]);
      this.seen.delete(key);
      alive.delete(name);
    }
  }

  private record(kind: LifeRow["kind"], key: string, name: string, rec: unknown, step: number, value: number | null): void {
    if (this.seen.get(key) === rec) return;
    this.seen.set(key, rec);
    let row = this.rows.get(key);
    if (!row) {
      if (value === null) return;
      if (this.rows.size >= MAX_LIFE_ROWS) {
        this.omitted++;
        this.seen.delete(key);
        return;
      }
      row = { name, kind, born: step, died: null, series: [] };
      this.rows.set(key, row);
      if (kind !== "page") {
        if (!this.alive.has(kind)) this.alive.set(kind, new Map());
        this.alive.get(kind)!.set(name, key);
      }
    }
    if (value === null) {
      if (row.died === null) {
        row.died = step;
        row.series.push([step, 0]);
      }
      return;
    }
    const last = row.series[row.series.length - 1];
    if (!last || last[1] !== value) row.series.push([step, value]);
  }

  finish(): { rows: LifeRow[]; omitted: number } {
    return { rows: [...this.rows.values()], omitted: this.omitted };
  }
}
