// SPDX-License-Identifier: GPL-2.0-only
/**
 * Bounded search for counterexamples (issue 7): the shortest trace that
 * makes a completion policy complete prematurely, twice, late or never.
 *
 * One thread: search(options) or searchThrough(options). Several workers:
 * searchAsync(options, (task) => a worker's expandTask(task), { concurrency })
 * where each worker answers a SliceTask message with expandTask(task); or
 * drive a SearchRun by hand (tasks, expandSlice, accept, result).
 */
export {
  BadStart,
  DEFAULT_DEPTH,
  DEFAULT_MAX_STATES,
  DEFAULT_PREFIX,
  DEFAULT_PREFIX_TEXT,
  KIND_ORDER,
  SearchRun,
  counterexample,
  expandSlice,
  replayPath,
  expandTask,
  needsOp,
  search,
  searchAsync,
  searchThrough,
  startOf,
  throughImplied,
  throughShortcut,
  shortcutOptions,
  throughFromShortcut,
} from "./search";
export type {
  Counterexample,
  FrontierNode,
  Progress,
  SearchConfig,
  SearchOptions,
  SearchResult,
  SliceControl,
  SliceFound,
  SliceResult,
  SliceTask,
  Start,
  StopReason,
  ThroughResult,
  ThroughShortcut,
} from "./search";
export { BASE_OPS, DEFAULT_OPS, ROOT_OPS, SEARCHABLE_OPS, candidates, cutPoints, freshName, menuOps } from "./menu";
export type { Step } from "./menu";
export { canonicalFingerprint, canonicalKey } from "./canon";
export { proofText, reachedBound, statesText } from "./proof";
export { FingerprintSet, collisionProbability, collisionText, collisionValue } from "./fingerprint";
export { Footprint, independent } from "./footprint";
export { Walker, stepIdentity } from "./walk";
export { EMPTY_SUMMARY, judgeStep, judgeSteps, kindsOf, quiescent } from "./step";
export type { MissedAt, PathSummary, StepJudgement, StepsJudgement } from "./step";
