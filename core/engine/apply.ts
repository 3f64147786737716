/**
 * One step: run one trace operation against a state. Never throws: a
 * failed operation (a kernel check, a freed skb, a bad length) leaves the
 * state as it was and says why; an engine bug becomes an "internal" error.
 */
import { OpFailure, type EngineError, type EngineEvent } from "../model/events";
import { STEP_WORK_BUDGET, Tx, WorkBudgetExceeded, type TxMode } from "../model/tx";
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

/** `budget`: the step's work allowance (tests lower it). */
export function applyOp(state: State, op: TraceOp, mode: TxMode, contracts: ContractMode = "enforce", budget = STEP_WORK_BUDGET): StepOutcome {
  const tx = new Tx(state, mode, budget);
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
    const broken = brokenContract(state, spec.fn, args);
    if (broken) {
      const message = contractMessage(spec.fn, broken);
      if (contracts === "enforce" || !broken.contract.flaggable) {
        return failed(tx, { kind: "precondition", fn: spec.fn, contract: broken.contract.id, message });
      }
      tx.emit({ kind: "unreachable", fn: spec.fn, contract: broken.contract.id, text: `${message}: Linux cannot take this path` });
    }
    spec.run(tx, op.result, args);
    return { state: tx.commit(), events: tx.events, touchedPages: tx.touchedPages, touchedTables: tx.touchedTables };
  } catch (e) {
    if (e instanceof OpFailure) return failed(tx, e.error);
    if (e instanceof WorkBudgetExceeded) return failed(tx, { kind: "internal", message: `engine bug in ${op.fn}: ${e.message}; step stopped, state unchanged` });
    const message = e instanceof Error ? `${e.message}` : String(e);
    return failed(tx, { kind: "internal", message: `engine bug in ${op.fn}: ${message}` });
  }
}

function failed(tx: Tx, error: EngineError): StepOutcome {
  const before = tx.rollback();
  return { state: { ...before, step: before.step + 1 }, error, events: [], touchedPages: NONE, touchedTables: NONE as ReadonlySet<TableName> };
}
