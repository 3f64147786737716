// SPDX-License-Identifier: GPL-2.0-only
/**
 * skbscope search: the shortest traces that break a completion policy.
 *
 *   skbscope search --policy P [--kernel K] [--from FILE] [--depth N]
 *                   [--max-states N] [--workers N] [--time S] [--json]
 *
 * Searches every path of up to N steps (default 3) from the start state
 * (the --from trace, or one skb carrying one armed guest page), then once
 * more per operation (searchThrough) so that each operation's own shortest
 * counterexample shows even where another is shorter. --workers (default
 * every core; 0 = this thread) splits each level over worker_threads;
 * --time stops every search after S seconds in all; --max-states bounds
 * the visited set. Progress within a level goes to stderr. When nothing is
 * found the result is stated as a bounded proof (proofText).
 * Exit codes: 1 a counterexample, 0 none within the bound, 2 bad input.
 */
import { availableParallelism } from "node:os";
import { KERNELS, POLICIES, policyAbsence, policyApplies, policyKernels, printOp, printTrace, type KernelId, type PolicyId, type Trace } from "../core/index";
import {
  BadStart,
  DEFAULT_DEPTH,
  DEFAULT_OPS,
  DEFAULT_PREFIX,
  ROOT_OPS,
  collisionValue,
  menuOps,
  needsOp,
  proofText,
  reachedBound,
  replayPath,
  search,
  searchAsync,
  shortcutOptions,
  statesText,
  throughFromShortcut,
  throughImplied,
  throughShortcut,
  type Counterexample,
  type Progress,
  type SearchOptions,
  type SearchResult,
  type ThroughResult,
} from "../core/search/index";
import type { TraceOp } from "../core/trace/ast";
import { loadTraceFile } from "./load";
import { createWorkerPool } from "./searchWorkers";
import { BadInput, addCommand, findingJson, type Io } from "./skbscope";
import { jsonText } from "./terminal";

/** Longest --depth accepted. */
const MAX_DEPTH = 8;
/** Default --max-states: about 25 bytes a state (fingerprint + tree), so some 500 MB. */
export const CLI_MAX_STATES = 20_000_000;

function loadPrefix(io: Io, file: string): Trace {
  return loadTraceFile(io, file);
}

function depthOption(value: unknown): number {
  if (value === undefined) return DEFAULT_DEPTH;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) > MAX_DEPTH) throw new BadInput(`--depth must be a whole number from 0 to ${MAX_DEPTH}, not "${text}"`);
  return Number(text);
}

function countOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min) throw new BadInput(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  return Number(text);
}

function secondsOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw new BadInput(`--time must be a number of seconds above 0, not "${text}"`);
  return Number(text) * 1000;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function bound(r: SearchResult): string {
  if (r.exhausted) return `every reachable state seen (${plural(r.states, "state")})`;
  if (r.stoppedBy === "budget") return `state budget of ${r.states} reached; every path of up to ${plural(r.depth, "step")} judged`;
  if (r.stoppedBy === "time") return `time limit reached; every path of up to ${plural(r.depth, "step")} judged (${plural(r.states, "state")})`;
  return `every path of up to ${plural(r.depth, "step")} judged (${statesText(r)})`;
}

/** Why a search ended before its bound, as the text output words it. */
function stopReason(r: SearchResult): string {
  if (r.stoppedBy === "time") return "the time limit was reached";
  if (r.stoppedBy === "budget") return "the state budget was reached";
  return "the search was stopped";
}

function counterexampleJson(c: Counterexample, own?: boolean) {
  return {
    kind: c.kind,
    length: c.length,
    ops: c.ops.map(printOp),
    trace: printTrace(c.trace),
    finding: findingJson(c.finding),
    verified: c.verified,
    ...(own === undefined ? {} : { needsOp: own }),
  };
}

function resultJson(r: SearchResult) {
  return {
    depth: r.depth,
    // Distinct states below the bound; the steps at the bound are judged, not deduplicated (leaves).
    states: r.states,
    leaves: r.leaves,
    transitions: r.transitions,
    pruned: r.pruned,
    notModelled: r.notModelled,
    skipped: r.skipped,
    stoppedBy: r.stoppedBy,
    exhausted: r.exhausted,
    fingerprintCollision: r.collisionProbability,
    visitedBytesPerState: r.states ? Math.round((r.visitedBytes / r.states) * 10) / 10 : 0,
    treeBytesPerState: r.states ? Math.round((r.treeBytes / r.states) * 10) / 10 : 0,
    // Not searched: the whole search found nothing, so this finds nothing (throughImplied).
    ...(r.impliedBy ? { impliedBy: r.impliedBy } : {}),
    // Leaned on the whole search (throughShortcut): kinds it did not find are
    // absent here too; only searchedKinds were looked for (stoppedBy "found"
    // once they were), impliedKinds are the whole search's counterexamples.
    ...(r.kindsImpliedBy ? { kindsImpliedBy: r.kindsImpliedBy, searchedKinds: r.searchedKinds ?? [], impliedKinds: r.impliedKinds ?? [] } : {}),
    ...(r.opNeverApplied ? { opNeverApplied: true } : {}),
    // Menu operations the kernel took on no path within the bound (a search through one finds nothing).
    ...(r.require === null && r.stoppedBy === null ? { neverApplied: r.neverApplied } : {}),
  };
}

/** How the whole search settled a per-operation result (throughShortcut), in words. */
function settledBy(r: SearchResult): string {
  if (r.opNeverApplied) return `the whole search took it on no path of up to ${plural(r.maxDepth, "step")}: not searched`;
  const searched = r.searchedKinds ?? [];
  const implied = r.impliedKinds ?? [];
  const parts = [`kinds the whole search did not find are absent here too${reachedBound(r) ? "" : `, up to ${plural(r.maxDepth, "step")}`}`];
  if (implied.length) parts.push(`${implied.join(", ")} taken from its counterexample`);
  parts.push(searched.length ? `only ${searched.join(", ")} searched for, ${plural(r.states, "state")}` : "nothing searched again");
  return parts.join("; ");
}

function counterexampleText(c: Counterexample): string {
  const f = c.finding;
  return `${printTrace(c.trace)}# finding: ${f.kind} at step ${f.step}: ${f.message}${c.verified ? "" : " (NOT reproduced by a replay: a search bug)"}`;
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** Progress within a level on stderr: a bar on a terminal, a line every few seconds elsewhere. */
function progressLine(io: Io, label: string): { update: (p: Progress) => void; clear: () => void } {
  const status = io.status;
  if (!status) return { update: () => {}, clear: () => {} };
  const every = status.tty ? 100 : 5000;
  // The first line after one interval: a quick search prints none.
  let last = performance.now();
  return {
    update(p) {
      const size = p.levelSize ?? 0;
      // A level with nothing to expand (the one after the last) says nothing.
      if (size === 0) return;
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      const frac = size ? (p.levelDone ?? 0) / size : 0;
      const width = 20;
      const filled = Math.round(frac * width);
      const bar = status.tty ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` : "";
      // Steps, not states, measure the last level: its states are judged, not kept (dedupeLeaves).
      const rate = p.elapsedMs ? ` · ${count((p.transitions * 1000) / p.elapsedMs)} steps/s` : "";
      status.write(
        `${label}depth ${p.depth}: ${bar}${Math.floor(frac * 100)}% of ${count(size)} nodes · ${count(p.states)} states · ${count(p.transitions)} steps${rate}`,
      );
    },
    clear() {
      if (status.tty) status.write("");
    },
  };
}

interface Plan {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly maxDepth: number;
  readonly maxStates: number;
  readonly prefix?: readonly TraceOp[];
  readonly timeLimitMs?: number;
}

/**
 * The main search, then one per root operation (searchThrough's plan), in
 * this thread (workers = 0) or on a pool of worker_threads; the time limit
 * is shared by all of them.
 */
async function runAll(io: Io, plan: Plan, workers: number): Promise<{ main: SearchResult; through: ThroughResult[] }> {
  const t0 = performance.now();
  const clock = () => performance.now();
  const left = () => (plan.timeLimitMs === undefined ? undefined : Math.max(0, plan.timeLimitMs - (performance.now() - t0)));
  const base = {
    policy: plan.policy,
    kernel: plan.kernel,
    maxDepth: plan.maxDepth,
    maxStates: plan.maxStates,
    ...(plan.prefix ? { prefix: plan.prefix } : {}),
  };
  const pool = workers > 0 ? createWorkerPool(workers) : null;
  const one = async (options: SearchOptions, label: string): Promise<SearchResult> => {
    const line = progressLine(io, label);
    const limit = left();
    const full: SearchOptions = { ...options, clock, onProgress: line.update, checkEvery: 2048, ...(limit !== undefined ? { timeLimitMs: limit } : {}) };
    try {
      return pool ? await searchAsync(full, (task) => pool.run(task), { concurrency: pool.size, sliceSize: 512 }) : search(full);
    } finally {
      line.clear();
    }
  };
  try {
    const main = await one(base, "");
    const prefixLength = (plan.prefix ?? DEFAULT_PREFIX).length;
    const through: ThroughResult[] = [];
    for (const op of menuOps(ROOT_OPS, plan.kernel)) {
      const implied = throughImplied(main, op);
      if (implied) {
        through.push(implied);
        continue;
      }
      // The whole menu beside the operation, as searchThrough has it.
      const options: SearchOptions = { ...base, ops: [...new Set([...DEFAULT_OPS, op])], require: op };
      // What the whole search settles is not searched again (throughShortcut).
      const shortcut = throughShortcut(main, op);
      if (shortcut) {
        const searched = shortcut.kinds.length ? await one(shortcutOptions(options, shortcut), `through ${op}: `) : null;
        through.push(throughFromShortcut(main, shortcut, searched, prefixLength));
        continue;
      }
      const result = await one(options, `through ${op}: `);
      through.push({ op, result, own: result.counterexamples.filter((c) => needsOp(c, op, prefixLength)) });
    }
    return { main, through };
  } finally {
    await pool?.close();
  }
}

function cmdSearch(io: Io, file: string | undefined, values: Record<string, unknown>): Promise<number> {
  if (file !== undefined) throw new BadInput(`search takes no trace file ("${file}"); give a start state with --from FILE`);
  const from = values.from as string | undefined;
  const prefix = from ? loadPrefix(io, from) : undefined;
  const policyText = (values.policy as string | undefined) ?? prefix?.policy;
  if (policyText === undefined) throw new BadInput(`search needs --policy (one of ${POLICIES.join(", ")})`);
  if (!(POLICIES as readonly string[]).includes(policyText)) throw new BadInput(`unknown policy "${policyText}" (expected ${POLICIES.join(", ")})`);
  const policy = policyText as PolicyId;
  const kernelText = (values.kernel as string | undefined) ?? prefix?.kernel ?? "6.1";
  if (!(KERNELS as readonly string[]).includes(kernelText)) throw new BadInput(`unknown kernel "${kernelText}" (expected ${KERNELS.join(" or ")})`);
  const kernel = kernelText as KernelId;
  if (!policyApplies(policy, kernel)) throw new BadInput(`policy ${policy} ${policyAbsence(policy, kernel)}; use --kernel ${policyKernels(policy)}`);
  const maxDepth = depthOption(values.depth);
  const maxStates = countOption("max-states", values["max-states"], CLI_MAX_STATES, 1);
  const workers = countOption("workers", values.workers, availableParallelism(), 0);
  const timeLimitMs = secondsOption(values.time);
  const plan: Plan = { policy, kernel, maxDepth, maxStates, ...(prefix ? { prefix: prefix.ops } : {}), ...(timeLimitMs !== undefined ? { timeLimitMs } : {}) };
  // A failing start is bad input: replay it here, before any worker starts.
  try {
    replayPath({ policy, kernel }, plan.prefix ?? DEFAULT_PREFIX);
  } catch (e) {
    if (e instanceof BadStart) throw new BadInput(`${from ?? "the start trace"} fails: ${e.message}`);
    throw e;
  }
  const t0 = performance.now();
  return runAll(io, plan, workers).then(({ main, through }) =>
    report(
      io,
      { policy, kernel, from, prefix, maxDepth, maxStates, workers, timeLimitMs, json: values.json === true },
      main,
      through,
      Math.round(performance.now() - t0),
    ),
  );
}

interface Asked {
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  readonly from: string | undefined;
  readonly prefix: Trace | undefined;
  readonly maxDepth: number;
  readonly maxStates: number;
  readonly workers: number;
  readonly timeLimitMs: number | undefined;
  readonly json: boolean;
}

function report(io: Io, a: Asked, main: SearchResult, through: readonly ThroughResult[], elapsedMs: number): number {
  const { policy, kernel, from, prefix, maxDepth } = a;
  for (const bug of [main, ...through.map((t) => t.result)].flatMap((r) => r.internal).slice(0, 5)) {
    io.err(`skbscope: engine error after ${bug.path.map(printOp).join("; ")}: ${bug.message}`);
  }
  const proof = proofText(main);
  if (a.json) {
    io.out(
      jsonText({
        policy,
        kernel,
        from: from ?? null,
        start: (prefix?.ops ?? DEFAULT_PREFIX).map(printOp),
        menu: main.ops,
        maxDepth,
        maxStates: a.maxStates,
        workers: a.workers,
        timeLimit: a.timeLimitMs === undefined ? null : a.timeLimitMs / 1000,
        result: resultJson(main),
        proof,
        counterexamples: main.counterexamples.map((c) => counterexampleJson(c)),
        through: {
          // The menu beside each operation: the whole search's.
          base: main.ops,
          ops: through.map((t) => ({
            op: t.op,
            result: resultJson(t.result),
            counterexamples: t.result.counterexamples.map((c) => counterexampleJson(c, t.own.includes(c))),
          })),
        },
        elapsedMs,
      }),
    );
  } else {
    const lines = [
      `search: ${policy} on Linux ${kernel}, from ${from ?? "the default start (one skb, one armed guest page)"}, depth ${maxDepth}`,
      `${bound(main)}; ${plural(main.transitions, "operation")} tried, ${main.pruned} refused by the kernel, ${main.notModelled} not modelled, ${main.skipped} left out by the partial-order reduction; ${(elapsedMs / 1000).toFixed(1)} s`,
      `visited set: 64-bit fingerprints, ${(main.visitedBytes / Math.max(1, main.states)).toFixed(1)} bytes a state (+ ${(main.treeBytes / Math.max(1, main.states)).toFixed(1)} for the paths); fingerprint collision probability calculated (optimistic):  val = ${collisionValue(main.states, main.generated)}`,
      "",
    ];
    if (main.counterexamples.length === 0) lines.push(`no counterexample up to ${plural(main.depth, "step")}`, "");
    if (proof) lines.push(proof, "");
    for (const c of main.counterexamples) lines.push(`== ${c.kind} in ${plural(c.length, "step")} ==`, counterexampleText(c), "");
    lines.push(`== through each operation, with the whole menu beside it ==`);
    for (const t of through) {
      const r = t.result;
      if (t.own.length === 0) {
        const other = r.counterexamples.map((c) => c.kind);
        const implied = r.impliedBy ? " (the whole search's proof covers it)" : r.kindsImpliedBy ? ` (${settledBy(r)})` : "";
        // A search the whole one settled in part ran to the whole one's bound, unless its own part was cut short.
        const depth = r.kindsImpliedBy && reachedBound(r) ? r.maxDepth : r.depth;
        const also = other.length ? ` (${other.join(", ")} also without it)` : "";
        // Stopped short of the bound: say how far it got, never "none" for what was not judged.
        const stopped = reachedBound(r) ? null : stopReason(r);
        if (stopped && depth === 0 && !r.kindsImpliedBy) lines.push(`${t.op}: not searched: ${stopped} first`);
        else if (stopped) lines.push(`${t.op}: none that needs it up to ${plural(depth, "step")}, then ${stopped}${also}${implied}`);
        else lines.push(`${t.op}: none that needs it up to ${plural(depth, "step")}${also}${implied}`);
        continue;
      }
      for (const c of t.own) {
        const from = r.impliedKinds?.includes(c.kind) ? " (the whole search's counterexample, which uses it: not searched again)" : "";
        lines.push(`${t.op}: ${c.kind} in ${plural(c.length, "step")}${from}`, counterexampleText(c), "");
      }
    }
    io.out(lines.join("\n").trimEnd());
  }
  return main.counterexamples.length ? 1 : 0;
}

addCommand("search", cmdSearch, {
  usage: "search --policy P [--kernel 6.1|2.6.32] [--from FILE] [--depth N] [--max-states N] [--workers N] [--time S] [--json]",
  summary: "the shortest traces that break a completion policy",
  options: {
    policy: { type: "string" },
    kernel: { type: "string" },
    from: { type: "string" },
    depth: { type: "string" },
    "max-states": { type: "string" },
    workers: { type: "string" },
    time: { type: "string" },
    json: { type: "boolean" },
  },
  args: [],
});
