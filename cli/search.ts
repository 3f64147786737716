// SPDX-License-Identifier: GPL-2.0-only
/**
 * skbscope search: the shortest traces that break a completion policy.
 *
 *   skbscope search --policy P [--kernel K] [--from FILE] [--depth N] [--json]
 *
 * Searches every path of up to N steps (default 3) from the start state
 * (the --from trace, or one skb carrying one armed guest page), then once
 * more per operation (searchThrough) so that each operation's own shortest
 * counterexample shows even where another is shorter.
 * Exit codes: 1 a counterexample, 0 none within the bound, 2 bad input.
 */
import {
  KERNELS,
  POLICIES,
  policyAbsence,
  policyApplies,
  policyKernels,
  printOp,
  printTrace,
  type KernelId,
  type PolicyId,
  type Trace,
} from "../core/index";
import {
  BadStart,
  DEFAULT_DEPTH,
  DEFAULT_MAX_STATES,
  DEFAULT_PREFIX,
  search,
  searchThrough,
  type Counterexample,
  type SearchResult,
} from "../core/search/index";
import { loadTraceFile } from "./load";
import { BadInput, addCommand, findingJson, type Io } from "./skbscope";
import { jsonText } from "./terminal";

/** Longest --depth accepted: depth 5 already takes minutes. */
const MAX_DEPTH = 8;

function loadPrefix(io: Io, file: string): Trace {
  return loadTraceFile(io, file);
}

function depthOption(value: unknown): number {
  if (value === undefined) return DEFAULT_DEPTH;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) > MAX_DEPTH) throw new BadInput(`--depth must be a whole number from 0 to ${MAX_DEPTH}, not "${text}"`);
  return Number(text);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function bound(r: SearchResult): string {
  if (r.exhausted) return `every reachable state seen (${plural(r.states, "state")})`;
  if (r.stoppedBy === "budget") return `state budget of ${r.states} reached; every path of up to ${plural(r.depth, "step")} judged`;
  return `every path of up to ${plural(r.depth, "step")} judged (${plural(r.states, "state")})`;
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
  return { depth: r.depth, states: r.states, transitions: r.transitions, pruned: r.pruned, notModelled: r.notModelled, stoppedBy: r.stoppedBy, exhausted: r.exhausted };
}

function counterexampleText(c: Counterexample): string {
  const f = c.finding;
  return `${printTrace(c.trace)}# finding: ${f.kind} at step ${f.step}: ${f.message}${c.verified ? "" : " (NOT reproduced by a replay: a search bug)"}`;
}

function cmdSearch(io: Io, file: string | undefined, values: Record<string, unknown>): number {
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
  const options = { policy, kernel, maxDepth, maxStates: DEFAULT_MAX_STATES, ...(prefix ? { prefix: prefix.ops } : {}) };

  const t0 = performance.now();
  let main: SearchResult;
  let through: ReturnType<typeof searchThrough>;
  try {
    main = search(options);
    through = searchThrough(options);
  } catch (e) {
    if (e instanceof BadStart) throw new BadInput(`${from ?? "the start trace"} fails: ${e.message}`);
    throw e;
  }
  const elapsedMs = Math.round(performance.now() - t0);
  for (const bug of [main, ...through.map((t) => t.result)].flatMap((r) => r.internal).slice(0, 5)) {
    io.err(`skbscope: engine error after ${bug.path.map(printOp).join("; ")}: ${bug.message}`);
  }

  if (values.json) {
    io.out(
      jsonText(
        {
          policy,
          kernel,
          from: from ?? null,
          start: (prefix?.ops ?? DEFAULT_PREFIX).map(printOp),
          maxDepth,
          maxStates: DEFAULT_MAX_STATES,
          result: resultJson(main),
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
        },
      ),
    );
  } else {
    const lines = [
      `search: ${policy} on Linux ${kernel}, from ${from ?? "the default start (one skb, one armed guest page)"}, depth ${maxDepth}`,
      `${bound(main)}; ${plural(main.transitions, "operation")} tried, ${main.pruned} refused by the kernel, ${main.notModelled} not modelled; ${(elapsedMs / 1000).toFixed(1)} s`,
      "",
    ];
    if (main.counterexamples.length === 0) lines.push(`no counterexample up to ${plural(main.depth, "step")}`, "");
    for (const c of main.counterexamples) lines.push(`== ${c.kind} in ${plural(c.length, "step")} ==`, counterexampleText(c), "");
    lines.push(`== through each operation, with the whole menu beside it ==`);
    for (const t of through) {
      if (t.own.length === 0) {
        const other = t.result.counterexamples.map((c) => c.kind);
        lines.push(`${t.op}: none that needs it up to ${plural(t.result.depth, "step")}${other.length ? ` (${other.join(", ")} also without it)` : ""}`);
        continue;
      }
      for (const c of t.own) lines.push(`${t.op}: ${c.kind} in ${plural(c.length, "step")}`, counterexampleText(c), "");
    }
    io.out(lines.join("\n").trimEnd());
  }
  return main.counterexamples.length ? 1 : 0;
}

addCommand("search", cmdSearch, {
  usage: "search --policy P [--kernel 6.1|2.6.32] [--from FILE] [--depth N] [--json]",
  summary: "the shortest traces that break a completion policy",
  options: { policy: { type: "string" }, kernel: { type: "string" }, from: { type: "string" }, depth: { type: "string" }, json: { type: "boolean" } },
  args: [],
});
