// SPDX-License-Identifier: GPL-2.0-only
/**
 * One step's transaction over the model tables.
 *
 * Two modes share one interface:
 *  - "pure": the base State is never touched; a table is copied the
 *    first time the step writes to it (search explores many branches).
 *  - "inplace": the tables are the replay's own mutable maps; each write
 *    is logged so a failed operation can be undone (replay of long traces
 *    without copying a map per step).
 * Either way a failed operation leaves the state exactly as it was.
 */
import type { EngineEvent } from "./events";
import { forgetDerived, noteWrite } from "./derived";
import { oneShape } from "./shapes";
import type { Counters, FragCaches, KernelId, PolicyId, State, TableName, Tables } from "./types";

type AnyMap = Map<string, unknown>;
type RecordOf<T extends TableName> = Tables[T] extends ReadonlyMap<string, infer R> ? R : never;
type KeyOf<T extends TableName> = Tables[T] extends ReadonlyMap<infer K, unknown> ? K : never;

export type TxMode = "pure" | "inplace";

export const TABLES: readonly TableName[] = ["skbs", "datas", "pages", "pipes", "socks", "devq", "ubufs", "buffers", "graves", "fclones"];

const NO_STRINGS: ReadonlySet<string> = new Set();
const TABLE_BIT = Object.fromEntries(TABLES.map((t, i) => [t, 1 << i])) as Record<TableName, number>;
/** One shared set per combination of tables (a bit each): read-only, made on first use. */
const TABLE_SETS: ReadonlySet<TableName>[] = [];
const tableSet = (bits: number): ReadonlySet<TableName> => (TABLE_SETS[bits] ??= new Set(TABLES.filter((t) => bits & TABLE_BIT[t])));

/**
 * Told of every table entry a step reads or writes (key null: the whole
 * table, or for "caches" the frag caches), and whether the entry is there
 * as it is read or written (`present`; a write of an absent key makes it).
 * The search derives which steps commute from it
 * (core/search/footprint.ts); replay passes none.
 */
export interface AccessLog {
  read(table: TableName | "caches", key: string | null, present?: boolean): void;
  write(table: TableName | "caches", key: string | null, present?: boolean): void;
}

/**
 * Work one step may do (table writes, events, loop turns). The largest real
 * step (skb_segment at its 64-segment cap over 17 frags) does a few
 * thousand; a runaway loop reaches this in well under a second.
 */
export const STEP_WORK_BUDGET = 1_000_000;

/** Thrown when a step exhausts its budget: an engine bug, not user error. */
export class WorkBudgetExceeded extends Error {
  constructor(readonly budget: number) {
    super(`the step did more than ${budget} units of work (a loop without end?)`);
  }
}

/**
 * Set when a step reads its policy (Tx.policy): until a step does, every
 * policy's replay of a trace makes the same states (engine/replay.ts
 * judgeTraces shares them). Operations read the policy through the Tx
 * only, never a State's field (matrix.test.ts checks the sources).
 */
export interface PolicyProbe {
  read: boolean;
}

export class Tx {
  readonly kernel: KernelId;
  private readonly policyId: PolicyId;
  /** Told when the step reads its policy (the caller resets it). */
  probe: PolicyProbe | null = null;
  /** Fix ids reverted for this run (State.without). */
  readonly without: ReadonlySet<string>;
  readonly step: number;
  readonly events: EngineEvent[] = [];
  counters: Counters;
  private cachesNow: FragCaches;
  /** Set by the caller before the step runs (search only). */
  access: AccessLog | null = null;
  private readonly tables: Record<TableName, AnyMap>;
  // Allocated on first use: most steps touch few tables (replay's hot path).
  private copied: Set<TableName> | null = null;
  /** In place: (table, key, old value, had) per write, flat (no tuple per write). */
  private undo: unknown[] = [];
  /**
   * In place: tables whose key order this step already logged. A Map
   * re-inserts a restored key at its end, so before a table's first delete
   * the log keeps its key order (an entry with key null) and undoWrites puts
   * it back: an undone step leaves the tables as a pure step would. A large
   * table logs, before each delete, the deleted key's place instead
   * (Reinsert).
   */
  private orderSaved: Set<TableName> | null = null;
  private pagesTouched: Set<string> | null = null;
  /** Tables written, a bit each (TABLES' order): no Set per step (touchedTables). */
  private tablesWritten = 0;
  private work = 0;

  /** Pages whose count or holders this step touched (for the checker). */
  get touchedPages(): ReadonlySet<string> {
    return this.pagesTouched ?? NO_STRINGS;
  }

  /** Tables this step wrote to. */
  get touchedTables(): ReadonlySet<TableName> {
    return tableSet(this.tablesWritten);
  }

  /**
   * In place: the step's writes so far (its undo log, not copied; see
   * firstWrite), for indexes kept from each step's writes. Pure: null.
   */
  get writes(): WriteLog | null {
    return this.mode === "inplace" ? this.undo : null;
  }

  constructor(
    private readonly base: State,
    private readonly mode: TxMode,
    private readonly budget = STEP_WORK_BUDGET,
  ) {
    this.kernel = base.kernel;
    this.policyId = base.policy;
    this.without = base.without;
    this.step = base.step + 1;
    this.counters = base.counters;
    this.cachesNow = base.caches;
    // In place, the base's own maps are written (and undone on failure).
    if (mode === "inplace") this.tables = base as unknown as Record<TableName, AnyMap>;
    else {
      this.tables = {} as Record<TableName, AnyMap>;
      for (const t of TABLES) this.tables[t] = base[t] as AnyMap;
    }
  }

  /** The trace's completion policy: what the owner armed and how it is told. */
  get policy(): PolicyId {
    if (this.probe) this.probe.read = true;
    return this.policyId;
  }

  /** The page-fragment caches (napi, pfrag): state outside the tables. */
  get caches(): FragCaches {
    this.access?.read("caches", null);
    return this.cachesNow;
  }

  set caches(value: FragCaches) {
    this.access?.write("caches", null);
    this.cachesNow = value;
  }

  get<T extends TableName>(table: T, key: string): RecordOf<T> | undefined {
    const value = tableOf(this.tables, table).get(key) as RecordOf<T> | undefined;
    this.access?.read(table, key, value !== undefined);
    return value;
  }

  has(table: TableName, key: string): boolean {
    const present = tableOf(this.tables, table).has(key);
    this.access?.read(table, key, present);
    return present;
  }

  /** Live records of a table (read-only view; do not write through it). */
  all<T extends TableName>(table: T): ReadonlyMap<KeyOf<T>, RecordOf<T>> {
    this.access?.read(table, null);
    return tableOf(this.tables, table) as unknown as ReadonlyMap<KeyOf<T>, RecordOf<T>>;
  }

  /** Count work; every engine loop calls this (or set/emit) each turn. */
  spend(units = 1): void {
    this.work += units;
    if (this.work > this.budget) throw new WorkBudgetExceeded(this.budget);
  }

  set<T extends TableName>(table: T, key: string, value: RecordOf<T>): void {
    this.access?.write(table, key, tableOf(this.tables, table).has(key));
    this.spend();
    const map = this.writable(table);
    // No table holds undefined: a missing value is a missing key.
    const old = map.get(key);
    if (this.mode === "inplace") this.undo.push(table, key, old, old !== undefined);
    // Indexes derived from the table (derived.ts) follow its writes.
    noteWrite(table, map, old, value);
    if (old === undefined) places.get(map)?.placeNew(key);
    // One hidden class per table (shapes.ts): the operations' loads stay monomorphic.
    map.set(key, oneShape(table, value));
    if (table === "pages") this.touch(key);
  }

  delete(table: TableName, key: string): void {
    this.access?.write(table, key, tableOf(this.tables, table).has(key));
    const map = this.writable(table);
    if (!map.has(key)) return;
    const old = map.get(key);
    if (this.mode === "inplace") {
      this.logPlace(table, map, key);
      this.undo.push(table, key, old, true);
    }
    noteWrite(table, map, old, undefined);
    map.delete(key);
    if (table === "pages") this.touch(key);
  }

  /** In place, before a delete: what undoWrites needs to put the key back where it stood (see orderSaved). */
  private logPlace(table: TableName, map: AnyMap, key: string): void {
    if (this.orderSaved?.has(table)) return; // the whole order is logged already
    if (map.size <= ORDER_COPY_MAX && !places.has(map)) {
      (this.orderSaved ??= new Set()).add(table);
      this.undo.push(table, null, [...map.keys()], false);
      return;
    }
    // A large table (a long trace's pages or sockets): copying its keys, or
    // walking them to this one, at every step that frees one was a seventh
    // of a 1M-step replay; its place is looked up instead.
    this.undo.push(table, null, new Reinsert(key, placeOf(map, key)), false);
  }

  /** Mark a page as touched without changing it (conservation is checked there). */
  touch(page: string): void {
    (this.pagesTouched ??= new Set()).add(page);
  }

  emit(event: EngineEvent): void {
    this.spend();
    this.events.push(event);
  }

  /** The state as it stands inside the step (for instant checks). */
  view(): State {
    // Whoever reads the whole view may depend on any entry.
    if (this.access) for (const table of TABLES) this.access.read(table, null);
    return this.build();
  }

  commit(): State {
    return this.build();
  }

  private build(): State {
    const t = this.tables;
    return {
      kernel: this.kernel,
      policy: this.policyId,
      without: this.without,
      step: this.step,
      counters: this.counters,
      caches: this.cachesNow,
      skbs: t.skbs,
      datas: t.datas,
      pages: t.pages,
      pipes: t.pipes,
      socks: t.socks,
      devq: t.devq,
      ubufs: t.ubufs,
      buffers: t.buffers,
      graves: t.graves,
      fclones: t.fclones,
    } as unknown as State;
  }

  /** Undo every write; returns the state before the step. */
  rollback(): State {
    if (this.mode === "inplace") {
      undoWrites(this.base, this.undo);
      this.undo.length = 0;
      this.orderSaved = null;
    }
    return this.base;
  }

  /**
   * In place, after commit: the step's undo log, handed to the caller, who
   * may later undo the step with undoWrites(base, log) (the search walks a
   * tree of paths forward and back in one set of tables).
   */
  takeUndo(): readonly unknown[] {
    // Handed over, not copied: the Tx starts a new log.
    const log = this.undo;
    this.undo = [];
    this.orderSaved = null;
    return log;
  }

  private writable(table: TableName): AnyMap {
    this.tablesWritten |= TABLE_BIT[table];
    if (this.mode === "pure") {
      this.copied ??= new Set();
      if (!this.copied.has(table)) {
        this.tables[table] = new Map(tableOf(this.tables, table));
        this.copied.add(table);
      }
    }
    return tableOf(this.tables, table);
  }
}

/**
 * tables[table] by named loads: a keyed load by a table name, on States of
 * several shapes, is megamorphic, and every read and write of a step goes
 * through here.
 */
function tableOf(tables: Record<TableName, AnyMap>, table: TableName): AnyMap {
  switch (table) {
    case "skbs":
      return tables.skbs;
    case "datas":
      return tables.datas;
    case "pages":
      return tables.pages;
    case "graves":
      return tables.graves;
    case "pipes":
      return tables.pipes;
    case "socks":
      return tables.socks;
    case "devq":
      return tables.devq;
    case "ubufs":
      return tables.ubufs;
    case "buffers":
      return tables.buffers;
    case "fclones":
      return tables.fclones;
  }
}

/**
 * Undo an in-place step from its log (Tx.takeUndo), newest write first.
 * `state` is any State sharing the step's tables (the step's base or its
 * result): the maps are restored, the base's own fields never changed.
 */
export function undoWrites(state: State, log: readonly unknown[]): void {
  const tables = state as unknown as Record<TableName, AnyMap>;
  for (let i = log.length - 4; i >= 0; i -= 4) {
    const map = tables[log[i] as TableName];
    forgetDerived(log[i] as TableName, map);
    if (log[i + 1] === null) {
      const order = log[i + 2];
      if (order instanceof Reinsert) putBack(map, order);
      else restoreOrder(map, order as readonly string[]);
    } else if (log[i + 3]) map.set(log[i + 1] as string, log[i + 2]);
    else map.delete(log[i + 1] as string);
  }
}

/**
 * A step's writes in place: its undo log, (table, key, old value, had) per
 * write, key null for a table's key order (logged before its first delete;
 * in a large table, before each delete, where the key stood).
 * A key's first entry holds its record before the step; the tables, after.
 */
export type WriteLog = readonly unknown[];

/** What firstWrite remembers for a log: nothing for a short one (it scans back), a set for a long one. */
export function writesSeen(log: WriteLog): Set<string> | null {
  return log.length > 64 ? new Set() : null;
}

/**
 * Whether the log's entry at `i` (a multiple of 4, visited in order) is
 * the first write of its (table, key), and not a key-order entry. Most
 * steps write a few keys: the earlier entries are scanned, no set built.
 */
export function firstWrite(log: WriteLog, i: number, seen: Set<string> | null): boolean {
  const key = log[i + 1];
  if (key === null) return false;
  const table = log[i];
  if (seen) {
    const id = `${table as string}\0${key as string}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  }
  for (let j = 0; j < i; j += 4) if (log[j + 1] === key && log[j] === table) return false;
  return true;
}

/**
 * Up to this many keys, a table's key order is logged whole before its
 * first delete in a step; above it, each delete logs its key's place
 * (Reinsert, from the table's Places), and so does every later delete
 * from that table, however small it gets: a step's undo never mixes the two.
 */
const ORDER_COPY_MAX = 64;

/**
 * Numbers rising with a large in-place table's key order, made at its
 * first such delete and kept by Tx.set for each new key: a deleted key's
 * place is a lookup, where walking the keys to it cost as much as copying
 * them. A deleted key keeps its number, so an undo puts it back where it
 * stood; numbers of keys no longer in the table are never read.
 */
class Places {
  private numbers = new Map<string, number>();
  private next = 0;

  constructor(map: AnyMap | null) {
    if (map) for (const k of map.keys()) this.numbers.set(k, this.next++);
  }

  copy(): Places {
    const p = new Places(null);
    p.numbers = new Map(this.numbers);
    p.next = this.next;
    return p;
  }

  placeNew(key: string): void {
    this.numbers.set(key, this.next++);
  }

  of(key: string): number {
    return this.numbers.get(key)!;
  }

  /** A key put back where it stood (it may have been numbered anew since: deleted, then made again). */
  restore(key: string, place: number): void {
    this.numbers.set(key, place);
  }
}

const places = new WeakMap<AnyMap, Places>();

function placeOf(map: AnyMap, key: string): number {
  let p = places.get(map);
  if (!p) places.set(map, (p = new Places(map)));
  return p.of(key);
}

/** A deleted key's place in its table (Places). */
class Reinsert {
  constructor(
    readonly key: string,
    readonly place: number,
  ) {}
}

/**
 * Move the key of `r`, just put back at the map's end by undoing its
 * delete, to its place: the keys numbered after it go back behind it.
 * Every later write is undone by now, so the map is as it was right after
 * the delete.
 */
function putBack(map: AnyMap, r: Reinsert): void {
  const p = places.get(map)!;
  p.restore(r.key, r.place);
  const behind: string[] = [];
  for (const k of map.keys()) if (k !== r.key && p.of(k) > r.place) behind.push(k);
  for (const k of behind) {
    const value = map.get(k);
    map.delete(k);
    map.set(k, value);
  }
}

/**
 * Put a table's keys back in a logged order. Every later write is undone by
 * now, so the table holds exactly the logged keys (their values unchanged).
 */
function restoreOrder(map: AnyMap, order: readonly string[]): void {
  // The order goes back to before the table had places (it had them, the
  // step would have logged places): a key deleted and made again since was
  // numbered anew, so the table is numbered again at its next delete.
  places.delete(map);
  const entries = order.map((k) => [k, map.get(k)] as const);
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}

/** No fix reverted: the kernel as shipped. */
export const NO_FIXES_REVERTED: ReadonlySet<string> = new Set();

export function emptyState(kernel: KernelId, policy: PolicyId, without: ReadonlySet<string> = NO_FIXES_REVERTED): State {
  return {
    kernel,
    policy,
    without,
    step: 0,
    counters: { data: 0, kskb: 0, kpage: 0, ubuf: 0, buffer: 0, fclone: 0 },
    caches: { napi: null, napi_small: null, pfrag: null },
    skbs: new Map(),
    datas: new Map(),
    pages: new Map(),
    pipes: new Map(),
    socks: new Map(),
    devq: new Map(),
    ubufs: new Map(),
    buffers: new Map(),
    graves: new Map(),
    fclones: new Map(),
  };
}

/**
 * A copy whose tables the caller may mutate in place (replay's working
 * set). A numbered table's copy gets a copy of its numbering: a step's log
 * may be undone on the copy (replay.ts tablesBefore).
 */
export function thaw(state: State): State {
  const out = { ...state } as Record<string, unknown>;
  for (const t of TABLES) {
    const from = state[t] as AnyMap;
    const copy = new Map(from);
    const numbered = places.get(from);
    if (numbered) places.set(copy, numbered.copy());
    out[t] = copy;
  }
  return out as unknown as State;
}

/**
 * A copy sharing every record but with tables of its own. The graves table
 * is append-only with step stamps, so inplace replays may share it.
 */
export function freezeTables(state: State, shareGraves: boolean): State {
  const out = { ...state } as Record<string, unknown>;
  for (const t of TABLES) {
    if (t === "graves" && shareGraves) continue;
    out[t] = new Map(state[t] as AnyMap);
  }
  return out as unknown as State;
}
