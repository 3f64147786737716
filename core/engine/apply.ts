/**
 * One step: run one trace operation against a state. Never throws: a
 * failed operation (a kernel check, a freed skb, a bad length) leaves the
 * state as it was and says why; an engine bug becomes an "internal" error.
 */
import { OpFailure, type EngineError, type EngineEvent } from "../model/events";
import { Tx, type AccessLog, type TxMode } from "../model/tx";
import type { State, TableName } from "../model/types";
import { opSpec, type ArgValue } from "../ops";
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

export function applyOp(state: State, op: TraceOp, mode: TxMode, keepUndo = false, access: AccessLog | null = null): StepOutcome {
  const tx = new Tx(state, mode);
  tx.access = access;
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
    spec.run(tx, op.result, resolveArgs(op));
    const out = { state: tx.commit(), events: tx.events, touchedPages: tx.touchedPages, touchedTables: tx.touchedTables };
    return keepUndo ? { ...out, undo: tx.takeUndo() } : out;
  } catch (e) {
    if (e instanceof OpFailure) return failed(tx, e.error);
    const message = e instanceof Error ? `${e.message}` : String(e);
    return failed(tx, { kind: "internal", message: `engine bug in ${op.fn}: ${message}` });
  }
}

function failed(tx: Tx, error: EngineError): StepOutcome {
  const before = tx.rollback();
  return { state: { ...before, step: before.step + 1 }, error, events: [], touchedPages: NONE, touchedTables: NONE as ReadonlySet<TableName> };
}
