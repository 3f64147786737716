/** skbscope's engine: the public surface the worker, the CLI and tests use. */
export * from "./model/types";
export type { EngineError, EngineEvent } from "./model/events";
export { holdersOf, holdersIndex, headlen, skbsOfData, queueOf, DATAREF_MASK, DATAREF_SHIFT } from "./model/lookup";
export { emptyState } from "./model/tx";
export { PAGE_SIZE, profile } from "./model/kernel";
export { OPS, ALIASES, opSpec } from "./ops";
export type { OpSpec, ParamKind, ResultKind, ArgValue } from "./ops";
export type { Arg, Diagnostic, Parsed, Span, Trace, TraceOp } from "./trace/ast";
export { stripPositions, MAX_COLUMNS } from "./trace/ast";
export { parseTrace, hasErrors } from "./trace/parse";
export { printTrace, printOp, printArg } from "./trace/print";
export { applyOp, resolveArgs } from "./engine/apply";
export type { StepOutcome } from "./engine/apply";
export { runTrace, policyApplies, settings, CHECKPOINT_EVERY } from "./engine/replay";
export type { Run, RunOptions, StepRecord } from "./engine/replay";
export { Checker, verdictOf, VERDICT_ORDER } from "./check/checker";
export type { Finding, FindingKind, Verdict } from "./check/checker";
export { describeHolder, dataName } from "./check/describe";
