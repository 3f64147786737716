// SPDX-License-Identifier: GPL-2.0-only
/**
 * One step: run one trace operation against a state. Never throws: a
 * failed operation (a kernel check, a freed skb, a bad length) leaves the
 * state as it was and says why; an engine bug becomes an "internal" error.
 */
import { OpFailure, type EngineError, type EngineEvent } from "../model/events";
import { STEP_WORK_BUDGET, TABLES, Tx, WorkBudgetExceeded, type AccessLog, type PolicyProbe, type TxMode, type WriteLog } from "../model/tx";
import type { State, TableName } from "../model/types";
import { opSpec, type ArgValue } from "../ops";
import { brokenContract, contractMessage } from "../ops/contracts";
import type { TraceOp } from "../trace/ast";

export interface StepOutcome {
  readonly state: State;
  readonly error?: EngineError;
  readonly events: readonly EngineEvent[];
  /** Pages whose count or holders changed (conservation is checked there). */
  readonly touchedPages: ReadonlySet<string>;
  /** Tables the step wrote to. */
  readonly touchedTables: ReadonlySet<TableName>;
  /** In place, when asked (keepUndo): the step's undo log (undoWrites). */
  readonly undo?: readonly unknown[];
  /**
   * In place: the step's writes (firstWrite), valid until the next step;
   * absent for a pure or a failed step (a failed step changes nothing).
   */
  readonly writes?: WriteLog;
}

const NONE: ReadonlySet<string> = new Set();

export function resolveArgs(op: TraceOp): ArgValue[] {
  return op.args.map((a) => {
    switch (a.kind) {
      case "int":
        return a.value;
      case "kw":
        return a.value === "true" ? true : a.value === "false" ? false : a.value;
      case "ref":
        return a.index === undefined ? a.name : `${a.name}[${a.index}]`;
    }
  });
}

/**
 * What a broken caller contract (ops/contracts.ts) does: "enforce" refuses
 * the step (a `precondition` error naming the contract); "flag" runs it, if
 * the engine models it faithfully, with an `unreachable` event: for traces
 * whose point is the misuse (the kernel oracle's direct calls).
 */
export type ContractMode = "enforce" | "flag";

export interface ApplyOptions {
  /** Broken caller contracts: refused (default) or flagged. */
  readonly contracts?: ContractMode;
  /** The step's work allowance (tests lower it). */
  readonly budget?: number;
  /** In place: hand back the step's undo log (StepOutcome.undo, for undoWrites). */
  readonly keepUndo?: boolean;
  /** Told of every entry the step reads or writes, its contracts' reads too (the search's footprints). */
  readonly access?: AccessLog | null;
  /** Set when the step reads its policy (Tx.policy); the caller resets it. */
  readonly probe?: PolicyProbe | null;
}

const DEFAULTS: ApplyOptions = {};

export function applyOp(state: State, op: TraceOp, mode: TxMode, options: ApplyOptions = DEFAULTS): StepOutcome {
  const { contracts = "enforce", budget = STEP_WORK_BUDGET, keepUndo = false, access = null, probe = null } = options;
  const tx = new Tx(state, mode, budget);
  tx.access = access;
  tx.probe = probe;
  try {
    const spec = opSpec(op.fn);
    if (!spec) {
      return failed(tx, { kind: "unsupported", fn: op.fn, message: `unknown operation ${op.fn}` });
    }
    if (spec.kernels && !spec.kernels.includes(state.kernel)) {
      return failed(tx, {
        kind: "unsupported",
        fn: spec.fn,
        message: `${spec.fn}: not in Linux ${state.kernel}${spec.history ? ` (${spec.history})` : ""}; modelled for ${spec.kernels.join(", ")}`,
      });
    }
    const args = resolveArgs(op);
    // The contract's reads count in the step's footprint: a step that makes
    // another's contract hold or break does not commute with it.
    const broken = brokenContract(access ? loggedState(state, access) : state, spec.fn, args);
    if (broken) {
      const message = contractMessage(spec.fn, broken);
      if (contracts === "enforce" || !broken.contract.flaggable) {
        return failed(tx, { kind: "precondition", fn: spec.fn, contract: broken.contract.id, message });
      }
      tx.emit({ kind: "unreachable", fn: spec.fn, contract: broken.contract.id, text: `${message}: Linux cannot take this path` });
    }
    spec.run(tx, op.result, args);
    const after = tx.commit();
    if (keepUndo) return { state: after, events: tx.events, touchedPages: tx.touchedPages, touchedTables: tx.touchedTables, undo: tx.takeUndo() };
    const writes = tx.writes;
    // One literal per kind of outcome: no copy of an outcome per step.
    if (writes) return { state: after, events: tx.events, touchedPages: tx.touchedPages, touchedTables: tx.touchedTables, writes };
    return { state: after, events: tx.events, touchedPages: tx.touchedPages, touchedTables: tx.touchedTables };
  } catch (e) {
    if (e instanceof OpFailure) return failed(tx, e.error);
    if (e instanceof WorkBudgetExceeded)
      return failed(tx, { kind: "internal", message: `engine bug in ${op.fn}: ${e.message}; step stopped, state unchanged` });
    const message = e instanceof Error ? `${e.message}` : String(e);
    return failed(tx, { kind: "internal", message: `engine bug in ${op.fn}: ${message}` });
  }
}

function failed(tx: Tx, error: EngineError): StepOutcome {
  const before = tx.rollback();
  return { state: { ...before, step: before.step + 1 }, error, events: [], touchedPages: NONE, touchedTables: NONE as ReadonlySet<TableName> };
}

/** A read-only view of a map that reports each read to the access log. */
class LoggedMap<K extends string, V> {
  constructor(
    private readonly table: TableName,
    private readonly map: ReadonlyMap<K, V>,
    private readonly access: AccessLog,
  ) {}
  get size(): number {
    this.access.read(this.table, null);
    return this.map.size;
  }
  get(key: K): V | undefined {
    this.access.read(this.table, key, this.map.has(key));
    return this.map.get(key);
  }
  has(key: K): boolean {
    this.access.read(this.table, key, this.map.has(key));
    return this.map.has(key);
  }
  values(): IterableIterator<V> {
    this.access.read(this.table, null);
    return this.map.values();
  }
  keys(): IterableIterator<K> {
    this.access.read(this.table, null);
    return this.map.keys();
  }
  entries(): IterableIterator<[K, V]> {
    this.access.read(this.table, null);
    return this.map.entries();
  }
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}

/** The state as a contract sees it, every table read reported (contracts only read). */
function loggedState(state: State, access: AccessLog): State {
  const view: Record<string, unknown> = { ...state };
  for (const t of TABLES) view[t] = new LoggedMap(t, state[t] as ReadonlyMap<string, unknown>, access);
  return view as unknown as State;
}
