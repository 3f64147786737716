// SPDX-License-Identifier: GPL-2.0-only
/**
 * One search job, as `skbscope search` runs it: the shortest trace per
 * finding kind over every operation, then (if asked) one search per
 * operation of the kernel's menu with the base operations only, keeping
 * the counterexamples that need it. Each search is core/search's
 * searchAsync: it cuts every frontier level into slices, the pool's
 * workers expand them, and this thread merges the answers in slice order,
 * so the result is the CLI's whatever the number of workers.
 *
 * Loaded on demand (it carries the engine): the main bundle has none.
 * Results leave as plain data (store.ts: SearchPhase), traces as text.
 */
import {
  hasErrors,
  parseTrace,
  policyAbsence,
  policyApplies,
  policyKernels,
  printOp,
  printTrace,
  stripPositions,
  type Trace,
  type TraceOp,
} from "../../core/index";
import {
  BadStart,
  DEFAULT_OPS,
  DEFAULT_PREFIX,
  ROOT_OPS,
  menuOps,
  needsOp,
  proofText,
  reachedBound,
  searchAsync,
  shortcutOptions,
  throughFromShortcut,
  throughImplied,
  throughShortcut,
  type Counterexample,
  type SearchOptions,
  type SearchResult,
} from "../../core/search/index";
import type { SearchFound, SearchPhase, SearchProgress, SearchRequest, SearchSummary } from "../store";
import type { SearchPool } from "./searchPool";

export interface JobHooks {
  onProgress(progress: SearchProgress): void;
  /** A search of the job finished (in job order). */
  onPhase(phase: SearchPhase): void;
  /** Asked between slices and between searches: true stops the job. */
  shouldStop(): boolean;
  clock(): number;
}

/** A request the job cannot run, in words for the user. */
export class BadRequest extends Error {}

/** Tasks in flight per worker: enough that a worker never waits on a round trip. */
export const IN_FLIGHT_PER_WORKER = 4;
/** Frontier nodes per slice (searchAsync's sliceSize). */
export const SLICE_SIZE = 64;

/** The prefix a request starts from, or why it cannot start. */
export function startPrefix(request: SearchRequest): readonly TraceOp[] | undefined {
  if (request.start.from === "default") return undefined;
  const parsed = parseTrace(request.start.source);
  if (hasErrors(parsed)) {
    const d = parsed.diagnostics.find((x) => x.severity === "error")!;
    throw new BadRequest(`The trace on screen has errors (line ${d.line}:${d.column}: ${d.message}); fix them, or search from one armed skb.`);
  }
  // Its operations only: the start of a counterexample carries no narration.
  return stripPositions(parsed.trace)
    .ops.slice(0, request.start.step)
    .map((op) => ({ fn: op.fn, args: op.args, ...(op.result !== undefined ? { result: op.result } : {}) }));
}

/**
 * A counterexample's trace as text to open: as `skbscope search` prints it,
 * without the comment that marks the last step (the app would read it as
 * narration; the finding line says it better).
 */
export function sourceOf(trace: Trace): string {
  return printTrace({ ...trace, ops: trace.ops.map(({ comment: _comment, ...op }) => op) });
}

function found(c: Counterexample): SearchFound {
  return {
    kind: c.kind,
    length: c.length,
    ops: c.ops.map(printOp),
    source: sourceOf(c.trace),
    finding: { kind: c.finding.kind, step: c.finding.step, message: c.finding.message },
    verified: c.verified,
  };
}

function phaseOf(op: string | null, r: SearchResult, own: readonly Counterexample[], elapsedMs: number): SearchPhase {
  return {
    op,
    depth: r.depth,
    maxDepth: r.maxDepth,
    // A result not searched (impliedBy) visited nothing: the whole search's figures are not its own.
    states: r.impliedBy ? 0 : r.states,
    leaves: r.impliedBy ? 0 : r.leaves,
    transitions: r.impliedBy ? 0 : r.transitions,
    stoppedBy: r.stoppedBy,
    exhausted: r.exhausted,
    found: own.map(found),
    alsoWithout: r.counterexamples.filter((c) => !own.includes(c)).map((c) => c.kind),
    internal: r.internal.length,
    internalFirst: r.internal[0] ? `${r.internal[0].path.map(printOp).join("; ")}: ${r.internal[0].message}` : null,
    elapsedMs,
    proof: proofText(r),
    implied: r.impliedBy !== undefined,
    reachedBound: reachedBound(r),
    settled: r.kindsImpliedBy ? { searched: r.searchedKinds ?? [], implied: r.impliedKinds ?? [], ...(r.opNeverApplied ? { neverApplied: true } : {}) } : null,
  };
}

/**
 * Runs the job on the pool's workers. Rejects with BadRequest when the
 * request cannot run, and with whatever the pool rejects with (a worker
 * that failed, or PoolClosed after a cancel).
 */
export async function runSearchJob(request: SearchRequest, pool: SearchPool, hooks: JobHooks): Promise<SearchSummary> {
  const { policy, kernel } = request;
  if (!policyApplies(policy, kernel)) throw new BadRequest(`${policy} ${policyAbsence(policy, kernel)}: choose kernel ${policyKernels(policy)}.`);
  const prefix = startPrefix(request);
  const base: SearchOptions = {
    policy,
    kernel,
    maxDepth: request.maxDepth,
    maxStates: request.maxStates,
    stopWhenFound: request.stopWhenFound,
    ...(prefix ? { prefix } : {}),
    ...(request.kinds ? { kinds: request.kinds } : {}),
  };
  const roots = request.through ? menuOps(ROOT_OPS, kernel) : [];
  const phases = 1 + roots.length;
  const prefixLength = (prefix ?? DEFAULT_PREFIX).length;
  const t0 = hooks.clock();
  let totalStates = 0;

  let whole: SearchResult | null = null;
  const one = async (index: number, op: string | null): Promise<void> => {
    const started = hooks.clock();
    const implied = op !== null && whole ? throughImplied(whole, op) : null;
    if (implied) {
      hooks.onPhase(phaseOf(op, implied.result, [], 0));
      return;
    }
    // The whole menu beside the operation, as the CLI's searchThrough: the
    // per-operation result never contradicts the whole-menu one.
    const menuOptions: SearchOptions = op === null ? base : { ...base, ops: [...new Set([...(base.ops ?? DEFAULT_OPS), op])], require: op };
    // What the whole search settles is not searched again (throughShortcut).
    const shortcut = op !== null && whole ? throughShortcut(whole, op) : null;
    if (shortcut && shortcut.kinds.length === 0) {
      const t = throughFromShortcut(whole!, shortcut, null, prefixLength);
      hooks.onPhase(phaseOf(op, t.result, t.own, 0));
      return;
    }
    const options = shortcut ? shortcutOptions(menuOptions, shortcut) : menuOptions;
    let result: SearchResult;
    try {
      result = await searchAsync(
        {
          ...options,
          clock: hooks.clock,
          shouldStop: hooks.shouldStop,
          onProgress: (p) => {
            const elapsedMs = hooks.clock() - t0;
            hooks.onProgress({
              phase: index,
              phases,
              op,
              depth: Math.min(p.depth, request.maxDepth),
              maxDepth: request.maxDepth,
              states: p.states,
              totalStates: totalStates + p.states,
              elapsedMs,
              statesPerSecond: elapsedMs > 0 ? ((totalStates + p.states) * 1000) / elapsedMs : 0,
              levelSize: p.levelSize ?? 0,
              levelDone: p.levelDone ?? 0,
            });
          },
        },
        (task) => pool.run(task),
        { concurrency: pool.size * IN_FLIGHT_PER_WORKER, sliceSize: SLICE_SIZE },
      );
    } catch (e) {
      if (e instanceof BadStart) throw new BadRequest(`The start fails at ${e.message}`);
      throw e;
    }
    totalStates += result.states;
    if (op === null) whole = result;
    if (op !== null && shortcut) {
      const t = throughFromShortcut(whole!, shortcut, result, prefixLength);
      hooks.onPhase(phaseOf(op, t.result, t.own, hooks.clock() - started));
      return;
    }
    const own = op === null ? result.counterexamples : result.counterexamples.filter((c) => needsOp(c, op, prefixLength));
    hooks.onPhase(phaseOf(op, result, own, hooks.clock() - started));
  };

  await one(0, null);
  for (let i = 0; i < roots.length && !hooks.shouldStop(); i++) await one(i + 1, roots[i]);
  const elapsedMs = hooks.clock() - t0;
  return { elapsedMs, totalStates, statesPerSecond: elapsedMs > 0 ? (totalStates * 1000) / elapsedMs : 0 };
}
