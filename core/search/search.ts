// SPDX-License-Identifier: GPL-2.0-only
/**
 * Bounded breadth-first search for the shortest trace that breaks a
 * completion policy: TLC's or Alloy's counterexample, in trace language.
 *
 * From a start state (a trace prefix), every operation of the menu
 * (menu.ts) is tried level by level; a step the kernel refuses is pruned;
 * states are merged by a 64-bit fingerprint of their canonical form
 * (canon.ts, fingerprint.ts), which includes what the checker remembers of
 * the path (step.ts). Steps are applied in place and undone (walk.ts);
 * steps that commute with the one before are judged once (footprint.ts). The first path in
 * search order that raises a finding kind is the shortest trace for that
 * kind; it is replayed through runTrace and a real Checker before it is
 * reported. Same options, same result: the order is fixed (frontier order,
 * then menu order) and nothing depends on time or on how the frontier is
 * split.
 *
 * Splitting: a level is cut into slices; expandSlice() is a pure function
 * of a slice (paths as candidate indices, so that it can run in another
 * worker) and returns the children's fingerprints and findings in order;
 * SearchRun.accept() merges slice results in slice order. search() runs
 * the same loop in one thread.
 *
 * Fingerprints can collide (two states merged that differ): the result
 * carries TLC's optimistic estimate of that probability.
 */
import { VIOLATION_VERDICTS, type Finding, type FindingKind } from "../check/checker";
import { runTrace } from "../engine/replay";
import { emptyState } from "../model/tx";
import type { KernelId, PolicyId, State } from "../model/types";
import { stripPositions, type Trace, type TraceOp } from "../trace/ast";
import { parseTrace } from "../trace/parse";
import { printOp } from "../trace/print";
import { undoWrites } from "../model/tx";
import { canonicalFingerprint, symmetricSteps } from "./canon";
import { FingerprintSet, collisionProbability } from "./fingerprint";
import { independent } from "./footprint";
import { DEFAULT_OPS, ROOT_OPS, menuOps } from "./menu";
import { EMPTY_SUMMARY, judgeStep, judgeStepsInPlace, kindsOf, type MissedAt, type PathSummary } from "./step";
import { Walker } from "./walk";

/** The start state of issue 7: one skb carrying one guest page, armed. */
export const DEFAULT_PREFIX_TEXT = `g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;
export const DEFAULT_PREFIX: readonly TraceOp[] = stripPositions(parseTrace(DEFAULT_PREFIX_TEXT).trace).ops;

/**
 * Finding kinds in the order results list them: verdicts by severity, then
 * the rest. Not kernel-bug: a step the kernel BUGs on fails, and search
 * never extends a path through a failed step.
 */
export const KIND_ORDER: readonly FindingKind[] = [
  // Not shared-write: its only maker, esp_input, is not on the menu.
  ...VIOLATION_VERDICTS.filter((v) => v !== "kernel-bug" && v !== "shared-write"),
  "use-after-free",
  "double-free",
  "refcount-underflow",
  "conservation",
];

export const DEFAULT_DEPTH = 3;
export const DEFAULT_MAX_STATES = 200_000;
/** Numbers per expanded node in SliceResult.work. */
const WORK_STRIDE = 6;
/** Frontier nodes per slice when search() runs a level in one thread. */
const CHUNK = 512;

/** What a slice needs to know: plain data, so a worker can receive it. */
export interface SearchConfig {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly prefix: readonly TraceOp[];
  /** Menu operations, in the operation table's order (menuOps). */
  readonly ops: readonly string[];
  /** Count only findings on paths that used this operation. */
  readonly require: string | null;
  readonly missedAt: MissedAt;
  /** Kinds not worth reporting again (already found at a shorter length). */
  readonly skipKinds?: readonly FindingKind[];
  /** Partial-order reduction (sleep sets over derived footprints, footprint.ts). */
  readonly reduce: boolean;
  /**
   * The children are at the bound and will never be expanded: judged, not
   * fingerprinted or kept (SearchOptions.dedupeLeaves false).
   */
  readonly leaves?: boolean;
  /**
   * At the bound, judge one step of each orbit under the node's
   * symmetries (canon.ts symmetricSteps).
   */
  readonly symmetry?: boolean;
}

export interface Progress {
  /** Length, in steps after the prefix, of the paths being judged. */
  readonly depth: number;
  /** Distinct states kept (below the bound, unless dedupeLeaves). */
  readonly states: number;
  /** Operations applied (pruned ones included). */
  readonly transitions: number;
  /** Nodes of the level being expanded, and how many are done. */
  readonly levelSize?: number;
  readonly levelDone?: number;
  /** Milliseconds since the start, when the caller gave a clock. */
  readonly elapsedMs?: number;
  /** Distinct states per second, when the caller gave a clock. */
  readonly statesPerSecond?: number;
}

export interface SearchOptions {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  /** The start state, as a trace prefix (default DEFAULT_PREFIX). */
  readonly prefix?: readonly TraceOp[];
  /** Longest path tried, in steps after the prefix (default 3). */
  readonly maxDepth?: number;
  /** Stop after this many distinct states (default 200 000). */
  readonly maxStates?: number;
  /** Menu operations (default DEFAULT_OPS); others are ignored. */
  readonly ops?: readonly string[];
  /** Only paths that use this operation count as counterexamples. */
  readonly require?: string;
  /** Where "missed" is judged (default "quiescent", see step.ts). */
  readonly missedAt?: MissedAt;
  /** Partial-order reduction (default true): the same shortest counterexamples, fewer steps judged. */
  readonly reduce?: boolean;
  /** Finding kinds looked for (default: all). */
  readonly kinds?: readonly FindingKind[];
  /** Stop as soon as every kind of `kinds` has a counterexample. */
  readonly stopWhenFound?: boolean;
  /**
   * Fingerprint and deduplicate the states at the bound too (default
   * false). They are never expanded, so deduplicating them only counts
   * them: without it each is judged (findings are the same) and counted in
   * `leaves`, and `states` counts the distinct states below the bound.
   */
  readonly dedupeLeaves?: boolean;
  /**
   * At the bound, a step that is another step of the same node renamed by
   * a symmetry of the node (two clones of one skb ...) is not judged: its
   * child is the other's renamed, with the same findings (only where
   * leaves are not deduplicated). Counted in `symmetric`. Default false:
   * measured at depth 4 (ubuf-orphan, 6.1) it leaves out 1.7% of the
   * steps at the bound and costs more than it saves (finding the orbits
   * takes a canonical form per candidate step that shares its group).
   */
  readonly symmetry?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Milliseconds, for progress figures and timeLimitMs. */
  readonly clock?: () => number;
  /** Stop ("time") once the clock has run this long; needs `clock`. */
  readonly timeLimitMs?: number;
  /** Asked every `checkEvery` operations; true cancels the search. */
  readonly shouldStop?: () => boolean;
  readonly checkEvery?: number;
}

/** A frontier node: its path after the prefix, as candidate indices (walk.ts). */
export interface FrontierNode {
  readonly steps: readonly number[];
}

export interface SliceFound {
  readonly parent: number;
  /** The step's index among the parent's candidates. */
  readonly step: number;
  readonly kind: FindingKind;
}

export interface SliceResult {
  /**
   * Children in order, four numbers each: the parent's index in the slice,
   * the step's index among its candidates, and the child's fingerprint
   * (two 32-bit halves, canonicalFingerprint).
   */
  readonly children: readonly number[];
  /** First path in the slice for each kind it revealed. */
  readonly found: readonly SliceFound[];
  /**
   * Per node expanded in full, in order, WORK_STRIDE numbers: operations
   * tried, of which refused by the kernel, not modelled, skipped
   * (reduction), children judged at the bound (config.leaves: not in
   * `children`), and steps left out as symmetric (config.symmetry).
   */
  readonly work: readonly number[];
  /** Engine bugs met (an "internal" error): the node, a path and the message. */
  readonly internal: readonly { parent: number; path: readonly TraceOp[]; message: string }[];
  /** Per operation of config.ops, in order: steps calling it that the kernel took (applied without error). */
  readonly applied: readonly number[];
  /** Stopped inside the slice: nodes past `work.length / WORK_STRIDE` were not expanded. */
  readonly cancelled: boolean;
}

export interface Counterexample {
  readonly kind: FindingKind;
  /** Search steps after the prefix (a delivery to a new socket is one). */
  readonly length: number;
  /** The operations after the prefix. */
  readonly ops: readonly TraceOp[];
  /** Prefix and ops, with a title, the policy and the kernel. */
  readonly trace: Trace;
  /** The finding, as runTrace's Checker reports it on `trace`. */
  readonly finding: Finding;
  /** runTrace raised this kind at the last step (it always should). */
  readonly verified: boolean;
  /** The operation the search was restricted to (searchThrough). */
  readonly through?: string;
}

export type StopReason = "budget" | "cancelled" | "found" | "time";

export interface SearchResult {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly prefix: readonly TraceOp[];
  readonly ops: readonly string[];
  readonly require: string | null;
  readonly maxDepth: number;
  /** Every path of at most this many operations was judged. */
  readonly depth: number;
  /**
   * Distinct states seen, the start state included. Unless dedupeLeaves,
   * the states at the bound are not fingerprinted, so this counts the
   * distinct states of up to maxDepth - 1 steps (those expanded), and
   * `leaves` the steps judged at the bound.
   */
  readonly states: number;
  /** Successors at the bound judged without being fingerprinted (0 with dedupeLeaves). */
  readonly leaves: number;
  /** Steps at the bound not applied: a symmetry of their node maps an earlier step onto them. */
  readonly symmetric: number;
  /**
   * Menu operations the kernel took on no path of up to maxDepth steps
   * (every try refused, or never offered); empty unless stoppedBy is null.
   * No path through one exists within the bound (throughShortcut).
   */
  readonly neverApplied: readonly string[];
  readonly transitions: number;
  /** Operations the kernel refused (pruned). */
  readonly pruned: number;
  /** Operations the model does not handle (unsupported or internal errors), pruned too. */
  readonly notModelled: number;
  /** Steps left unjudged by the partial-order reduction. */
  readonly skipped: number;
  /** Fingerprints looked up in the visited set (successors judged below the bound, or all with dedupeLeaves). */
  readonly generated: number;
  /** TLC's optimistic estimate that two distinct states shared a fingerprint. */
  readonly collisionProbability: number;
  /** Bytes of the visited set (fingerprints) and of the frontier tree (parents, steps). */
  readonly visitedBytes: number;
  readonly treeBytes: number;
  readonly stoppedBy: StopReason | null;
  /** No new state was left to expand: the bound did not matter. */
  readonly exhausted: boolean;
  /** The shortest counterexample per kind, in KIND_ORDER. */
  readonly counterexamples: readonly Counterexample[];
  readonly internal: readonly { path: readonly TraceOp[]; message: string }[];
  /**
   * Set on a per-operation result that was not searched because the whole
   * search decides it (throughImplied, throughShortcut): its figures are
   * that search's.
   */
  readonly impliedBy?: "whole-search";
  /**
   * Set on a per-operation result that leaned on the whole search
   * (throughShortcut): the kinds the whole search did not find, having
   * judged every path up to the same bound, are absent through the
   * operation too, so this search only looked for `searchedKinds` and
   * stopped once it had them (stoppedBy "found" then means "done", and
   * its own depth and states cover that part only).
   */
  readonly kindsImpliedBy?: "whole-search";
  /** The kinds this per-operation search looked for (kindsImpliedBy). */
  readonly searchedKinds?: readonly FindingKind[];
  /**
   * Kinds whose counterexample is the whole search's own (kindsImpliedBy):
   * it already uses the operation, so the shortest path through the
   * operation has its length; not searched.
   */
  readonly impliedKinds?: readonly FindingKind[];
  /** The whole search took the operation on no path (neverApplied): nothing goes through it. */
  readonly opNeverApplied?: true;
}

/** The start of a search: the prefix replayed and judged step by step. */
export interface Start {
  readonly state: State;
  readonly summary: PathSummary;
  /** Kinds the prefix itself raises (its last step judged as an end too). */
  readonly kinds: readonly FindingKind[];
}

export class BadStart extends Error {}

/** Replay a path from the empty state; throws BadStart if a step fails. */
export function replayPath(config: Pick<SearchConfig, "policy" | "kernel">, ops: readonly TraceOp[], from?: Start, missedAt: MissedAt = "quiescent"): Start {
  let state = from?.state ?? emptyState(config.kernel, config.policy);
  let summary = from?.summary ?? EMPTY_SUMMARY;
  const kinds = new Set<FindingKind>();
  let missed: FindingKind[] = [];
  for (const op of ops) {
    const j = judgeStep(config.policy, state, summary, op);
    if (j.error) throw new BadStart(`${printOp(op)}: ${j.error.message}`);
    const found = kindsOf(j, missedAt);
    for (const k of found) if (k !== "missed") kinds.add(k);
    missed = found.includes("missed") ? ["missed"] : [];
    state = j.state;
    summary = j.summary;
  }
  return { state, summary, kinds: [...kinds, ...missed] };
}

/** What expandSlice may be told by its caller. */
export interface SliceControl {
  readonly shouldStop?: () => boolean;
  readonly checkEvery?: number;
  readonly onTick?: (transitions: number) => void;
  /** A walker to reuse (the same config and start): this thread's own. */
  readonly walker?: Walker;
}

/**
 * Expand a slice of a frontier level: every menu operation from every node,
 * in order. Pure: the same slice gives the same result in any worker.
 * Nodes are reached by a walker (walk.ts) over one set of tables written
 * in place; children are judged, fingerprinted and undone.
 *
 * Partial-order reduction (config.reduce): at a node reached by step e,
 * a step t is not run when the parent also offered t before e and t, as
 * run at the parent (Walker.footprintsHere), is independent of e
 * (footprint.ts): parent·t·e comes first in search order and reaches the
 * same state.
 */
export function expandSlice(config: SearchConfig, start: Start, nodes: readonly FrontierNode[], control: SliceControl = {}): SliceResult {
  const walker = control.walker ?? new Walker(config, start, config.reduce);
  const children: number[] = [];
  const found: SliceFound[] = [];
  const internal: { parent: number; path: readonly TraceOp[]; message: string }[] = [];
  const applied = new Array<number>(config.ops.length).fill(0);
  const opIndex = new Map(config.ops.map((fn, k) => [fn, k]));
  const countApplied = (step: readonly TraceOp[]) => {
    for (const op of step) {
      const k = opIndex.get(op.fn);
      if (k !== undefined) applied[k]++;
    }
  };
  const work: number[] = [];
  const skip = new Set<FindingKind>(config.skipKinds ?? []);
  const every = control.checkEvery ?? 1024;
  const fp = new Uint32Array(2);
  const reduce = config.reduce;
  let transitions = 0;
  let cancelled = false;
  const leaves = config.leaves === true;
  outer: for (let i = 0; i < nodes.length; i++) {
    const steps = nodes[i].steps;
    const e = steps.length ? steps[steps.length - 1] : 0;
    if (reduce && e > 0) {
      // The parent's steps before the edge, as run at the parent: once per
      // parent for all its children (siblings come in a row).
      walker.moveTo(steps.slice(0, -1));
      walker.footprintsHere(e);
    }
    walker.moveTo(steps);
    const state = walker.state;
    const summary = walker.summary;
    const used = walker.used;
    const cands = walker.candidatesAt(walker.depth);
    const edge = reduce ? walker.lastEdge() : null;
    const sleep = edge && edge.foot && edge.index > 0 ? { index: edge.index, foot: edge.foot } : null;
    const ids = sleep ? walker.identitiesAt(walker.depth) : null;
    const offered = sleep ? walker.footprintsAt(walker.depth - 1) : null;
    let tried = 0;
    let refused = 0;
    let notModelled = 0;
    let skipped = 0;
    let judged = 0;
    let symmetric = 0;
    const orbit = leaves && config.symmetry === true ? symmetricSteps(state, summary, used, cands) : null;
    for (let c = 0; c < cands.length; c++) {
      if (orbit && orbit[c] !== c) {
        symmetric++;
        continue;
      }
      const step = cands[c];
      // At the bound a path through a required operation that has not
      // taken it yet must take it now: any other last step is never
      // recorded (below) and never expanded, so it is not run.
      if (leaves && config.require !== null && !used && !step.some((op) => op.fn === config.require)) continue;
      if (++transitions % every === 0) {
        control.onTick?.(transitions);
        if (control.shouldStop?.()) {
          cancelled = true;
          break outer;
        }
      }
      tried++;
      // Only a step the parent offered before the edge can be left out,
      // when what it read and wrote there (footprintsHere) is independent of
      // the edge: it then reads here what it read there, so it does the
      // same (its footprint here is the same), and parent·t·e was judged
      // first. Not run here at all; counted as it was counted when it ran.
      if (sleep) {
        const at = walker.indexAt(walker.depth - 1, step, ids![c]);
        const there = at !== undefined && at < sleep.index ? offered![at] : null;
        if (there && independent(there, sleep.foot)) {
          countApplied(step);
          skipped++;
          continue;
        }
      }
      const j = judgeStepsInPlace(config.policy, state, summary, step, config.missedAt, null);
      if (j.error) {
        // A step the model cannot judge is not the kernel refusing it.
        if (j.error.kind === "unsupported" || j.error.kind === "internal") notModelled++;
        else refused++;
        if (j.error.kind === "internal") internal.push({ parent: i, path: [...walker.ops(), ...step], message: j.error.message });
        continue;
      }
      countApplied(step);
      const childUsed = used || (config.require !== null && step.some((op) => op.fn === config.require));
      if (config.require === null || childUsed) {
        for (const kind of j.kinds) {
          if (skip.has(kind)) continue;
          skip.add(kind);
          found.push({ parent: i, step: c, kind });
        }
      }
      if (leaves) {
        // Never expanded: its findings are all it has to give.
        undoWrites(j.state, j.undo);
        judged++;
        continue;
      }
      canonicalFingerprint(j.state, j.summary, config.require !== null && childUsed, fp);
      undoWrites(j.state, j.undo);
      children.push(i, c, fp[0], fp[1]);
    }
    work.push(tried, refused, notModelled, skipped, judged, symmetric);
  }
  return { children, found, work, internal, applied, cancelled };
}

function configOf(options: SearchOptions): SearchConfig {
  return {
    policy: options.policy,
    kernel: options.kernel,
    prefix: options.prefix ?? DEFAULT_PREFIX,
    ops: menuOps(options.ops ?? DEFAULT_OPS, options.kernel),
    require: options.require ?? null,
    missedAt: options.missedAt ?? "quiescent",
    reduce: options.reduce ?? true,
    ...(options.symmetry === true ? { symmetry: true } : {}),
  };
}

/** A growable array of 32-bit integers. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  get bytes(): number {
    return this.data.byteLength;
  }
}

/** One level of the search tree: per node, its parent in the level above and its step. */
interface Level {
  readonly parent: IntList;
  readonly step: IntList;
}

const newLevel = (): Level => ({ parent: new IntList(), step: new IntList() });

/**
 * One search, level by level. searchAsync drives it with workers: it cuts
 * the current level into slices (sliceAt), each worker runs expandSlice,
 * and accept() takes the results in slice order; search() does the same
 * in this thread.
 *
 * What it keeps: the visited set as 64-bit fingerprints (fingerprint.ts),
 * and the tree of kept nodes as two integers per node (parent, step
 * index), from which a node's path is read back; no state is kept.
 */
export class SearchRun {
  readonly config: SearchConfig;
  readonly start: Start;
  readonly maxDepth: number;
  readonly maxStates: number;
  private readonly wanted: ReadonlySet<FindingKind> | null;
  private readonly stopWhenFound: boolean;
  private readonly dedupeLeaves: boolean;
  private readonly visited = new FingerprintSet();
  private readonly foundPaths = new Map<FindingKind, { steps: readonly number[]; length: number }>();
  private readonly internalErrors: { path: readonly TraceOp[]; message: string }[] = [];
  /** levels[d]: the kept nodes at depth d (levels[0] is the start). */
  private readonly levels: Level[] = [];
  /** Depth of the nodes in the frontier (operations after the prefix). */
  level = 0;
  /** Index of the first frontier node not yet expanded. */
  private cursor = 0;
  private newThisLevel = 0;
  private closed = false;
  transitions = 0;
  pruned = 0;
  notModelled = 0;
  skipped = 0;
  generated = 0;
  leaves = 0;
  symmetric = 0;
  /** Per menu operation: steps calling it the kernel took (SliceResult.applied). */
  private readonly applied: number[];
  stoppedBy: StopReason | null = null;

  /** Throws BadStart when the prefix itself fails. */
  constructor(options: SearchOptions) {
    this.config = configOf(options);
    this.maxDepth = options.maxDepth ?? DEFAULT_DEPTH;
    this.maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
    this.wanted = options.kinds ? new Set(options.kinds) : null;
    this.stopWhenFound = options.stopWhenFound ?? false;
    this.dedupeLeaves = options.dedupeLeaves ?? false;
    this.applied = new Array<number>(this.config.ops.length).fill(0);
    this.start = replayPath(this.config, this.config.prefix, undefined, this.config.missedAt);
    if (this.config.require === null) for (const kind of this.start.kinds) this.record(kind, [], 0);
    const fp = new Uint32Array(2);
    canonicalFingerprint(this.start.state, this.start.summary, false, fp);
    this.visited.add(fp[0], fp[1]);
    const root = newLevel();
    root.parent.push(-1);
    root.step.push(-1);
    this.levels.push(root, newLevel());
    this.checkDone();
  }

  get states(): number {
    return this.visited.size;
  }

  /** Nodes in the level being expanded. */
  get frontierSize(): number {
    return this.levels[this.level].parent.length;
  }

  /** Nodes of the level already expanded. */
  get expanded(): number {
    return this.cursor;
  }

  /** True when nothing is left to do. */
  get done(): boolean {
    return this.stoppedBy !== null || this.level >= this.maxDepth || this.frontierSize === 0;
  }

  /** The config a worker needs, with the kinds already found. */
  sliceConfig(): SearchConfig {
    const leaves = !this.dedupeLeaves && this.level + 1 >= this.maxDepth;
    return { ...this.config, skipKinds: [...this.foundPaths.keys()], ...(leaves ? { leaves } : {}) };
  }

  /** The path of node i of level d, as candidate indices. */
  private stepsOf(d: number, i: number): number[] {
    const out = new Array<number>(d);
    for (let k = d; k > 0; k--) {
      const lv = this.levels[k];
      out[k - 1] = lv.step.data[i];
      i = lv.parent.data[i];
    }
    return out;
  }

  /**
   * The rest of the current level cut into at most `n` slices of at most
   * `size` nodes (what a worker can receive). Run each with
   * expandSlice(sliceConfig(), start, slice) and pass the results, in
   * order, to accept().
   */
  tasks(n: number, size = Infinity): FrontierNode[][] {
    const total = this.frontierSize;
    const rest = total - this.cursor;
    // n = Infinity: as many slices as the size allows (Math.ceil(rest / Infinity) is 0).
    const per = Math.max(1, Math.min(size, Number.isFinite(n) ? Math.ceil(rest / Math.max(1, n)) : size));
    const out: FrontierNode[][] = [];
    for (let i = this.cursor; i < total && out.length < n; i += per) out.push(this.sliceAt(i, per));
    return out;
  }

  /** The current level's nodes [from, from + n): a caller may cut slices ahead of the merge (searchAsync). */
  sliceAt(from: number, n: number): FrontierNode[] {
    const slice: FrontierNode[] = [];
    for (let k = from; k < Math.min(this.frontierSize, from + n); k++) slice.push({ steps: this.stepsOf(this.level, k) });
    return slice;
  }

  /** The next `n` frontier nodes (this thread). */
  take(n: number): FrontierNode[] {
    return this.sliceAt(this.cursor, n);
  }

  /**
   * Merge the results of consecutive slices starting at the cursor, node
   * by node in frontier order, so that where a budget, a find or a cancel
   * stops the search does not depend on how the level was sliced.
   */
  accept(results: readonly SliceResult[], slices: readonly (readonly FrontierNode[])[]): void {
    const next = this.levels[this.level + 1];
    const keep = this.level + 1 < this.maxDepth;
    for (let r = 0; r < results.length && this.stoppedBy === null; r++) {
      const res = results[r];
      const slice = slices[r];
      const ch = res.children;
      let c = 0;
      let f = 0;
      let e = 0;
      for (let i = 0; i < slice.length && this.stoppedBy === null; i++) {
        const w = WORK_STRIDE * i;
        if (w >= res.work.length) {
          this.stoppedBy = "cancelled";
          break;
        }
        this.transitions += res.work[w];
        this.pruned += res.work[w + 1];
        this.notModelled += res.work[w + 2];
        this.skipped += res.work[w + 3];
        this.leaves += res.work[w + 4];
        this.symmetric += res.work[w + 5];
        // Once per slice: a slice is merged whole unless the search stops in it.
        if (i === 0) res.applied?.forEach((n, k) => (this.applied[k] += n));
        for (; e < res.internal.length && res.internal[e].parent === i; e++)
          this.internalErrors.push({ path: res.internal[e].path, message: res.internal[e].message });
        for (; f < res.found.length && res.found[f].parent === i; f++) this.record(res.found[f].kind, [...slice[i].steps, res.found[f].step], this.level + 1);
        for (; c < ch.length && ch[c] === i; c += 4) {
          this.generated++;
          if (this.visited.has(ch[c + 2], ch[c + 3])) continue;
          if (this.visited.size >= this.maxStates) {
            this.stoppedBy = "budget";
            break;
          }
          this.visited.add(ch[c + 2], ch[c + 3]);
          this.newThisLevel++;
          if (keep) {
            next.parent.push(this.cursor);
            next.step.push(ch[c + 1]);
          }
        }
        this.cursor++;
        this.checkDone();
      }
    }
    if (this.stoppedBy === null && this.cursor >= this.frontierSize) {
      // Leaves judged but not fingerprinted say nothing of new states.
      const counted = this.dedupeLeaves || this.level + 1 < this.maxDepth;
      if (this.newThisLevel === 0 && counted) this.closed = true;
      this.level++;
      this.levels.push(newLevel());
      // The level above is still needed for paths; the one two above too.
      this.cursor = 0;
      this.newThisLevel = 0;
    }
  }

  /** Stop instead of finishing (a caller's cancel between slices, or the time limit). */
  cancel(reason: "cancelled" | "time" = "cancelled"): void {
    if (this.stoppedBy === null) this.stoppedBy = reason;
  }

  private record(kind: FindingKind, steps: readonly number[], length: number): void {
    if (this.foundPaths.has(kind)) return;
    if (this.wanted && !this.wanted.has(kind)) return;
    this.foundPaths.set(kind, { steps, length });
  }

  private checkDone(): void {
    if (!this.stopWhenFound || this.stoppedBy !== null) return;
    const kinds = this.wanted ?? new Set(KIND_ORDER);
    if ([...kinds].every((k) => this.foundPaths.has(k))) this.stoppedBy = "found";
  }

  /** A level found no new state: every reachable state was seen. */
  get exhausted(): boolean {
    return this.stoppedBy === null && this.closed;
  }

  /** A path of candidate indices as operations (replayed from the start). */
  opsOf(steps: readonly number[]): TraceOp[] {
    const walker = new Walker(this.config, this.start);
    walker.moveTo(steps);
    return walker.ops();
  }

  result(): SearchResult {
    const counterexamples: Counterexample[] = [];
    for (const kind of KIND_ORDER) {
      const found = this.foundPaths.get(kind);
      if (found) counterexamples.push(counterexample(this.config, kind, this.opsOf(found.steps), found.length));
    }
    const depth = this.stoppedBy === null ? this.maxDepth : this.level;
    let treeBytes = 0;
    for (const lv of this.levels) treeBytes += lv.parent.bytes + lv.step.bytes;
    return {
      policy: this.config.policy,
      kernel: this.config.kernel,
      prefix: this.config.prefix,
      ops: this.config.ops,
      require: this.config.require,
      maxDepth: this.maxDepth,
      depth,
      states: this.visited.size,
      leaves: this.leaves,
      symmetric: this.symmetric,
      // Meaningful when the search ran to its bound: then every state below it was expanded.
      neverApplied: this.stoppedBy === null ? this.config.ops.filter((_, k) => this.applied[k] === 0) : [],
      transitions: this.transitions,
      pruned: this.pruned,
      notModelled: this.notModelled,
      skipped: this.skipped,
      generated: this.generated,
      collisionProbability: collisionProbability(this.visited.size, this.generated),
      visitedBytes: this.visited.bytes,
      treeBytes,
      stoppedBy: this.stoppedBy,
      exhausted: this.exhausted,
      counterexamples,
      internal: this.internalErrors,
    };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A found path as a trace, replayed through runTrace to get its finding. */
export function counterexample(config: SearchConfig, kind: FindingKind, path: readonly TraceOp[], steps = path.length): Counterexample {
  const ops = path.map((op, i) => (i === path.length - 1 ? { ...op, comment: ` ${kind}` } : op));
  const via = config.require ? ` via ${config.require}` : "";
  const trace: Trace = {
    title: `${kind}${via} in ${plural(steps, "step")} (search)`,
    policy: config.policy,
    kernel: config.kernel,
    ops: [...config.prefix, ...ops],
  };
  const run = runTrace(trace, { policy: config.policy, kernel: config.kernel });
  const last = trace.ops.length;
  const hits = run.findings.filter((f) => f.kind === kind);
  const atEnd = hits.filter((f) => f.step === last);
  const finding = atEnd[0] ?? hits[hits.length - 1] ?? { kind, step: last, message: "(not reproduced by runTrace)", objects: [] };
  const clean = run.steps.every((s) => !s.error);
  return {
    kind,
    length: steps,
    ops: path,
    trace,
    finding,
    verified: clean && atEnd.length > 0,
    ...(config.require ? { through: config.require } : {}),
  };
}

function progressOf(run: SearchRun, clock: (() => number) | undefined, t0: number | undefined, transitions = 0): Progress {
  const elapsedMs = clock && t0 !== undefined ? clock() - t0 : undefined;
  return {
    depth: run.level + 1,
    states: run.states,
    transitions: run.transitions + transitions,
    levelSize: run.frontierSize,
    levelDone: run.expanded,
    ...(elapsedMs !== undefined ? { elapsedMs, statesPerSecond: elapsedMs > 0 ? (run.states * 1000) / elapsedMs : 0 } : {}),
  };
}

/** True once the caller's time limit has passed (never without a clock). */
function outOfTime(options: SearchOptions, t0: number | undefined): () => boolean {
  const { clock, timeLimitMs } = options;
  if (!clock || t0 === undefined || timeLimitMs === undefined) return () => false;
  return () => clock() - t0 >= timeLimitMs;
}

/** Run a whole search in this thread. Throws BadStart if the prefix fails. */
export function search(options: SearchOptions): SearchResult {
  const run = new SearchRun(options);
  const clock = options.clock;
  const t0 = clock?.();
  const progress = (transitions: number) => {
    if (options.onProgress) options.onProgress(progressOf(run, clock, t0, transitions));
  };
  // One walker for the whole search: each slice starts where the last ended.
  const walker = new Walker(run.config, run.start, run.config.reduce);
  const late = outOfTime(options, t0);
  let timeUp = false;
  const shouldStop = () => {
    if (late()) timeUp = true;
    return timeUp || (options.shouldStop?.() ?? false);
  };
  while (!run.done) {
    const nodes = run.take(CHUNK);
    const res = expandSlice(run.sliceConfig(), run.start, nodes, {
      walker,
      shouldStop,
      checkEvery: options.checkEvery,
      onTick: progress,
    });
    if (timeUp) run.cancel("time");
    run.accept([res], [nodes]);
    progress(0);
    if (!run.done && shouldStop()) run.cancel(timeUp ? "time" : "cancelled");
  }
  return run.result();
}

/** A worker's whole job: a slice of a level and the config it belongs to. */
export interface SliceTask {
  readonly config: SearchConfig;
  readonly slice: readonly FrontierNode[];
}

let startCache: { key: string; start: Start } | null = null;

/** The start state of a config (replayed once per prefix, then cached). */
export function startOf(config: SearchConfig): Start {
  const key = JSON.stringify([config.policy, config.kernel, config.missedAt, config.prefix]);
  if (startCache?.key !== key) startCache = { key, start: replayPath(config, config.prefix, undefined, config.missedAt) };
  return startCache.start;
}

let walkerCache: { key: string; walker: Walker } | null = null;

/**
 * What a worker runs for each message: expandSlice on a task. The worker
 * keeps its walker between tasks of one search, so consecutive slices
 * cost one step per node to reach.
 */
export function expandTask(task: SliceTask, control: { shouldStop?: () => boolean; checkEvery?: number } = {}): SliceResult {
  const c = task.config;
  const start = startOf(c);
  const key = JSON.stringify([c.policy, c.kernel, c.missedAt, c.prefix, c.ops, c.require, c.reduce]);
  if (walkerCache?.key !== key) walkerCache = { key, walker: new Walker(c, start, c.reduce) };
  try {
    return expandSlice(c, start, task.slice, { ...control, walker: walkerCache.walker });
  } catch (e) {
    // A walker left halfway through a step is not reused.
    walkerCache = null;
    throw e;
  }
}

/**
 * A search whose slices run elsewhere (Web Workers, worker_threads):
 * `run(task)` must resolve to expandTask(task), in any worker, in any
 * order; up to `concurrency` tasks are in flight. Results are merged in
 * slice order, so the result equals search()'s whatever the concurrency.
 * Cancel with options.shouldStop (asked between slices); a caller that also
 * terminates its workers can reject the pending promises.
 */
export async function searchAsync(
  options: SearchOptions,
  run: (task: SliceTask) => Promise<SliceResult>,
  { concurrency = 1, sliceSize = 256 }: { concurrency?: number; sliceSize?: number } = {},
): Promise<SearchResult> {
  const runner = new SearchRun(options);
  const clock = options.clock;
  const t0 = clock?.();
  const late = outOfTime(options, t0);
  let timeUp = false;
  const stop = () => {
    if (late()) timeUp = true;
    return timeUp || (options.shouldStop?.() ?? false);
  };
  const lanes = Math.max(1, concurrency);
  while (!runner.done) {
    // The lanes cut the level into slices as they go, ahead of the merge,
    // so none waits for another's last slice until the level ends. Slices
    // of sliceSize, or smaller so that a small level spreads over every
    // lane (up to four slices each); each takes the config as it stands
    // (the kinds found so far).
    const level = runner.level;
    const total = runner.frontierSize;
    const per = Math.max(1, Math.min(sliceSize, Math.ceil((total - runner.expanded) / (lanes * 4))));
    let dispatched = runner.expanded;
    const inFlight: { slice: FrontierNode[]; result?: SliceResult }[] = [];
    const mergeFinished = () => {
      let n = 0;
      while (n < inFlight.length && inFlight[n].result) n++;
      if (n === 0) return;
      const done = inFlight.splice(0, n);
      if (runner.stoppedBy === null)
        runner.accept(
          done.map((d) => d.result!),
          done.map((d) => d.slice),
        );
      options.onProgress?.(progressOf(runner, clock, t0));
    };
    const lane = async () => {
      while (dispatched < total && runner.level === level && runner.stoppedBy === null && !stop()) {
        const slice = runner.sliceAt(dispatched, per);
        dispatched += slice.length;
        const entry: { slice: FrontierNode[]; result?: SliceResult } = { slice };
        inFlight.push(entry);
        entry.result = await run({ config: runner.sliceConfig(), slice });
        mergeFinished();
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    if (stop()) runner.cancel(timeUp ? "time" : "cancelled");
    // Stopped with slices unmerged (a find, the budget, a cancel): the level is not finished.
    if (runner.stoppedBy === null && runner.level === level) runner.cancel();
  }
  return runner.result();
}

export interface ThroughResult {
  /** The operation every counterexample of this search uses. */
  readonly op: string;
  readonly result: SearchResult;
  /**
   * Its counterexamples that need the operation: without it (every call
   * of it deleted from the trace) the trace fails or no longer shows that
   * kind of finding.
   */
  readonly own: readonly Counterexample[];
}

/** Does the counterexample still show its kind without any call of `fn`? */
export function needsOp(c: Counterexample, fn: string, prefixLength: number): boolean {
  const ops = c.trace.ops.filter((op, i) => i < prefixLength || op.fn !== fn);
  if (ops.length === c.trace.ops.length) return false;
  const run = runTrace({ ...c.trace, ops });
  if (run.steps.some((s) => s.error)) return true;
  return !run.findings.some((f) => f.kind === c.kind);
}

/**
 * One search per operation of `roots` (default ROOT_OPS, those the kernel
 * has), each with the same menu as the whole search (`options.ops`, else
 * DEFAULT_OPS), counting only paths that use the operation: the shortest
 * way each operation breaks the policy, even where another operation
 * breaks it sooner. With the whole menu beside it, an operation that needs
 * another one first (skb_recycle_check after skb_linearize) is found
 * through it whenever the whole search found it so.
 *
 * `whole`, the whole search of the same options, lets each per-operation
 * search skip what it settles (throughImplied, throughShortcut).
 */
export function searchThrough(options: SearchOptions, roots: readonly string[] = ROOT_OPS, whole?: SearchResult): ThroughResult[] {
  const { require: _require, ops, ...rest } = options;
  const menu = ops ?? DEFAULT_OPS;
  const prefixLength = (options.prefix ?? DEFAULT_PREFIX).length;
  const through: ThroughResult[] = [];
  for (const op of menuOps(roots, options.kernel)) {
    if (options.shouldStop?.()) break;
    const implied = whole && throughImplied(whole, op);
    if (implied) {
      through.push(implied);
      continue;
    }
    const opts: SearchOptions = { ...rest, ops: [...new Set([...menu, op])], require: op };
    const shortcut = whole && throughShortcut(whole, op);
    if (shortcut) {
      const searched = shortcut.kinds.length ? search(shortcutOptions(opts, shortcut)) : null;
      through.push(throughFromShortcut(whole, shortcut, searched, prefixLength));
      continue;
    }
    const result = search(opts);
    const own = result.counterexamples.filter((c) => needsOp(c, op, prefixLength));
    through.push({ op, result, own });
  }
  return through;
}

/**
 * The per-operation result that `whole` already proves, or null when it
 * must be searched. A search through `op` walks the same paths as the
 * whole search over a menu that holds `op` (it only distinguishes states
 * by whether the path used `op`, and counts fewer of them): when the whole
 * search judged every path up to its bound and found nothing, every
 * per-operation search finds nothing too. Running them anyway re-explored
 * the same states once per root operation (20 times the whole search's
 * cost at depth 4, issue 12).
 */
export function throughImplied(whole: SearchResult, op: string): ThroughResult | null {
  const proven =
    whole.require === null && whole.stoppedBy === null && whole.counterexamples.length === 0 && whole.internal.length === 0 && whole.ops.includes(op);
  if (!proven) return null;
  return { op, result: { ...whole, require: op, impliedBy: "whole-search" }, own: [] };
}

/**
 * What the whole search settles of a search through `op`, when it judged
 * every path up to its bound over a menu holding `op` (the per-operation
 * search walks the same paths, only told apart by whether they used
 * `op`):
 *  - a kind it did not find exists on no path, through `op` or not;
 *  - a kind whose counterexample already calls `op` has, through `op`, the
 *    same shortest length (no path through `op` is shorter than the
 *    shortest path of all), and that counterexample is one.
 * What is left, `kinds`, is searched for with stopWhenFound. Null when the
 * whole search settles nothing (it stopped early, was itself restricted,
 * met engine errors, or its menu lacks `op`).
 */
export interface ThroughShortcut {
  readonly op: string;
  /** The whole search's counterexamples that call `op`, relabelled as through it. */
  readonly implied: readonly Counterexample[];
  /** Kinds the whole search found whose shortest path through `op` is still to find. */
  readonly kinds: readonly FindingKind[];
  /** The whole search took `op` on no path: no path through it exists within the bound. */
  readonly neverApplied?: true;
}

export function throughShortcut(whole: SearchResult, op: string): ThroughShortcut | null {
  const proven = whole.require === null && whole.stoppedBy === null && whole.internal.length === 0 && whole.ops.includes(op);
  if (!proven) return null;
  const config: SearchConfig = {
    policy: whole.policy,
    kernel: whole.kernel,
    prefix: whole.prefix,
    ops: whole.ops,
    require: op,
    missedAt: "quiescent",
    reduce: true,
  };
  const implied: Counterexample[] = [];
  const kinds: FindingKind[] = [];
  // No path of up to the bound calls it: nothing to find through it.
  if (whole.neverApplied.includes(op)) return { op, implied, kinds, neverApplied: true };
  for (const c of whole.counterexamples) {
    if (c.length > 0 && c.ops.some((x) => x.fn === op)) implied.push(counterexample(config, c.kind, c.ops, c.length));
    else kinds.push(c.kind);
  }
  return { op, implied, kinds };
}

/** The options of the search a shortcut leaves to do (only its kinds, stopping once found). */
export function shortcutOptions(options: SearchOptions, shortcut: ThroughShortcut): SearchOptions {
  return { ...options, kinds: shortcut.kinds, stopWhenFound: true };
}

/**
 * The per-operation result from the whole search and, when the shortcut
 * left kinds to find, the search for them (`searched`, run with
 * shortcutOptions). Without `searched` every kind was settled: the figures
 * are the whole search's, marked impliedBy.
 */
export function throughFromShortcut(whole: SearchResult, shortcut: ThroughShortcut, searched: SearchResult | null, prefixLength: number): ThroughResult {
  const op = shortcut.op;
  const base: SearchResult = searched ?? { ...whole, require: op, impliedBy: "whole-search" };
  const byKind = new Map<FindingKind, Counterexample>();
  for (const c of [...shortcut.implied, ...(searched?.counterexamples ?? [])]) if (!byKind.has(c.kind)) byKind.set(c.kind, c);
  const counterexamples = KIND_ORDER.filter((k) => byKind.has(k)).map((k) => byKind.get(k)!);
  const result: SearchResult = {
    ...base,
    counterexamples,
    kindsImpliedBy: "whole-search",
    searchedKinds: searched ? shortcut.kinds : [],
    impliedKinds: shortcut.implied.map((c) => c.kind),
    ...(shortcut.neverApplied ? { opNeverApplied: true as const } : {}),
  };
  return { op, result, own: counterexamples.filter((c) => needsOp(c, op, prefixLength)) };
}
