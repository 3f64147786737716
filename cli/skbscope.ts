// SPDX-License-Identifier: GPL-2.0-only
/**
 * npx skbscope: the headless engine.
 *
 *   skbscope run FILE [--policy P] [--kernel K] [--without ID]... [--json]
 *   skbscope check FILE [--policy all|P] [--kernel K] [--without ID]... [--json]
 *   skbscope check FILE --fix ID [--json]                       (cli/fixes.ts)
 *   skbscope fixes [--json]                                     (cli/fixes.ts)
 *   skbscope link FILE [--policy P] [--kernel K] [--base URL]   (cli/link.ts)
 *   skbscope open LINK                                          (cli/link.ts)
 *   skbscope COMMAND --help | --version
 *
 * Each command declares its options; anything else, or an option given
 * twice, is a usage error. Every line written passes through terminalSafe.
 * Exit codes: 0 every checked policy ok, 1 a violation, 2 bad input,
 * 3 no violation but some step could not be judged (inconclusive).
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { version as PACKAGE_VERSION } from "../package.json";
import {
  KERNELS,
  POLICIES,
  printOp,
  policyApplies,
  judgeTrace,
  replayPass,
  SEMANTICS_VERSION,
  settings,
  stateView,
  verdictMatrix,
  type Finding,
  type KernelId,
  type PolicyId,
  type EngineEvent,
  type Judgement,
  type PassResult,
  type PassStep,
  type RunOptions,
  type State,
  verdictOf,
  violationLines,
  type StateView,
  type StepRecord,
  type Trace,
  type Unjudged,
  type Verdict,
  withoutProblem,
} from "../core/index";
import { formatStep, lineBatcher, writeMatrix } from "./format";
import { jsonText, terminalSafe } from "./terminal";
import { loadTraceFile } from "./load";

export class BadInput extends Error {}

/** A command line that does not fit the command: its usage follows the message. */
class UsageError extends BadInput {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
  /** A transient status line on stderr, redrawn in place on a terminal ("" clears it). */
  readonly status?: { readonly tty: boolean; write(text: string): void };
}

export function loadTrace(io: Io, file: string | undefined): Trace {
  return loadTraceFile(io, file);
}

export function policyOption(value: string | undefined, allowAll: boolean): PolicyId | "all" | undefined {
  if (value === undefined) return undefined;
  if (allowAll && value === "all") return "all";
  if (!(POLICIES as readonly string[]).includes(value)) {
    throw new BadInput(`unknown policy "${value}" (expected ${allowAll ? "all, " : ""}${POLICIES.join(", ")})`);
  }
  return value as PolicyId;
}

export function kernelOption(value: string | undefined): KernelId | undefined {
  if (value === undefined) return undefined;
  if (!(KERNELS as readonly string[]).includes(value)) throw new BadInput(`unknown kernel "${value}" (expected ${KERNELS.join(" or ")})`);
  return value as KernelId;
}

/** `--without ID` (repeatable): fixes to revert, replacing the trace's `# without:`; undefined when not given. */
export function withoutOption(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value as string[];
  for (const id of ids) {
    const problem = withoutProblem(id);
    if (problem) throw new BadInput(problem);
  }
  return ids;
}

export function findingJson(f: Finding) {
  return {
    kind: f.kind,
    step: f.step,
    message: f.message,
    objects: f.objects,
    ...(f.holder ? { holder: f.holder } : {}),
    ...(f.buffer ? { buffer: f.buffer } : {}),
  };
}

/**
 * The exit status for a set of results: 1 if any shows a violation (a
 * violation verdict, or any finding before the first step not judged), else
 * 3 if any is inconclusive, else 0.
 */
export function exitStatus(results: readonly { verdict: Verdict; findings: readonly Finding[]; unjudged: readonly Unjudged[] }[]): number {
  const violated = results.some((r) => {
    const trusted = r.unjudged.length ? r.unjudged[0].step : Infinity;
    return (r.verdict !== "ok" && r.verdict !== "inconclusive") || r.findings.some((f) => f.step < trusted);
  });
  if (violated) return 1;
  return results.some((r) => r.verdict === "inconclusive") ? 3 : 0;
}

const unjudgedJson = (u: Unjudged) => ({ ...u });

/** "inconclusive (step 7 not judged: ...)" for the text outputs. */
export function verdictLine(verdict: Verdict, unjudged: readonly Unjudged[]): string {
  if (verdict !== "inconclusive" || !unjudged.length) return verdict;
  const more = unjudged.length > 1 ? `; and ${unjudged.length - 1} more` : "";
  return `${verdict} (step ${unjudged[0].step} not judged: ${unjudged[0].message}${more})`;
}

function stepJson(s: StepRecord, v: StateView, events: readonly EngineEvent[]) {
  return {
    step: s.step,
    line: s.op.line ?? null,
    op: printOp(s.op),
    error: s.error ? { ...s.error } : null,
    skbs: v.skbs,
    datas: v.datas,
    pages: v.pages,
    pipes: v.pipes,
    sockets: v.sockets,
    ubufs: v.ubufs,
    events,
    findings: s.findings.map(findingJson),
  };
}

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** A step as `run` prints it, while the replay passes it (the state valid only then). */
interface ShownStep {
  readonly record: StepRecord;
  readonly state: State;
  readonly events: readonly EngineEvent[];
}

/**
 * Replay once, handing each step to `show` as it is produced; the last
 * step waits for the end of the trace, whose findings (missed) it carries.
 * Nothing is kept per step: memory stays bounded whatever the length.
 */
function streamSteps(trace: Trace, options: RunOptions, show: (s: ShownStep) => void): PassResult {
  const ops = trace.ops;
  let last: { step: PassStep; view: StateView } | null = null;
  const record = (s: PassStep, findings: readonly Finding[]): StepRecord => ({
    step: s.index + 1,
    op: ops[s.index],
    error: s.error,
    events: s.events,
    completion: s.completion,
    findings,
  });
  const pass = replayPass(trace, options, (s) => {
    if (s.index < ops.length - 1) show({ record: record(s, s.findings), state: s.state, events: s.events });
    else last = { step: { ...s }, view: stateView(s.state) }; // the pass rewrites its record
  });
  const end = last as { step: PassStep; view: StateView } | null;
  if (end) show({ record: record(end.step, [...end.step.findings, ...pass.missed]), state: pass.state, events: end.step.events });
  return pass;
}

/**
 * `run --json`, written step by step as the replay produces them, in
 * bounded memory: a first pass judges the trace (the verdict comes before
 * the steps), a second writes each step.
 */
export function writeRunJson(trace: Trace, options: RunOptions, file: string, out: (text: string) => void): Judgement {
  const judged = judgeTrace(trace, options);
  const head = {
    trace: file,
    ...(trace.title ? { title: trace.title } : {}),
    policy: judged.policy,
    kernel: judged.kernel,
    ...(judged.without.length ? { without: judged.without } : {}),
    verdict: judged.verdict,
    unjudged: judged.unjudged.map(unjudgedJson),
  };
  const lines = lineBatcher(out);
  lines.line(`${jsonText(head).slice(0, -2)},`);
  lines.line(`  "steps": [`);
  const count = trace.ops.length;
  const pass = streamSteps(trace, options, ({ record, state, events }) => {
    lines.line(`    ${indent(jsonText(stepJson(record, stateView(state), events)), "    ")}${record.step === count ? "" : ","}`);
  });
  lines.line(`  ],`);
  lines.line(`  "findings": ${indent(jsonText(pass.checker.all().map(findingJson)), "  ")}`);
  lines.line(`}`);
  lines.flush();
  return judged;
}

function cmdRun(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  const trace = loadTrace(io, file);
  const policy = policyOption(values.policy as string | undefined, false) as PolicyId | undefined;
  const kernel = kernelOption(values.kernel as string | undefined);
  // The pairs check and search refuse (a policy on a kernel without what it models).
  const chosen = settings(trace, { policy, kernel });
  if (!policyApplies(chosen.policy, chosen.kernel)) {
    throw new BadInput(`policy ${chosen.policy} models ubuf_info, which Linux ${chosen.kernel} does not have; use --kernel 6.1`);
  }
  const options: RunOptions = { policy, kernel, without: withoutOption(values.without) };
  if (values.json) return exitStatus([writeRunJson(trace, options, file!, io.out)]);
  const run = settings(trace, options);
  io.out(`# ${trace.title ?? file}  (policy ${run.policy}, kernel ${run.kernel}${run.without.length ? `, without ${run.without.join(", ")}` : ""})`);
  const lines = lineBatcher(io.out);
  const pass = streamSteps(trace, options, ({ record, state, events }) => lines.line(formatStep(record, stateView(state), events, state)));
  lines.flush();
  const findings = pass.checker.all();
  const verdict = verdictOf(findings, pass.unjudged);
  io.out(`verdict: ${verdictLine(verdict, pass.unjudged)}`);
  return exitStatus([{ verdict, findings, unjudged: pass.unjudged }]);
}

export function cmdCheck(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  // cli/fixes.ts registers check again to take --fix first.
  if (values.fix !== undefined) throw new BadInput("check --fix needs cli/fixes.ts");
  const trace = loadTrace(io, file);
  const policy = policyOption(values.policy as string | undefined, true) ?? "all";
  const kernel = kernelOption(values.kernel as string | undefined);
  const policies = policy === "all" ? POLICIES : [policy];
  // Text: a finding is worded (holder, chain) with the state after its step,
  // while the policy's one replay passes it; nothing else is kept per step.
  const worded = new Map<PolicyId, string[][]>();
  const onFinding = values.json
    ? undefined
    : (p: PolicyId, f: Finding, state: State) => {
        const op = trace.ops[f.step - 1];
        const list = worded.get(p) ?? worded.set(p, []).get(p)!;
        list.push(violationLines(f, op ? printOp(op) : undefined, state));
      };
  const matrix = verdictMatrix(trace, kernel, policies, withoutOption(values.without), onFinding);
  if (policy !== "all" && matrix.skipped.length) throw new BadInput(`policy ${policy}: ${matrix.skipped[0].reason}`);
  if (values.json) {
    const verdicts = Object.fromEntries(
      matrix.entries.map((e) => [
        e.policy,
        { verdict: e.verdict, armed: e.armed, findings: e.findings.map(findingJson), errors: e.errors, unjudged: e.unjudged.map(unjudgedJson) },
      ]),
    );
    io.out(
      jsonText({
        trace: file,
        kernel: matrix.kernel,
        ...(matrix.without.length ? { without: matrix.without } : {}),
        verdicts,
        skipped: Object.fromEntries(matrix.skipped.map((s) => [s.policy, s.reason])),
      }),
    );
  } else {
    const lines = lineBatcher(io.out);
    writeMatrix(trace, matrix, file!, lines.line, (p, i) => worded.get(p)![i]);
    lines.flush();
  }
  return exitStatus(matrix.entries);
}

/** A subcommand: its exit status, or a Promise of it (a command may be async). */
export type Command = (io: Io, file: string | undefined, values: Record<string, unknown>) => number | Promise<number>;

/** What a command accepts: its usage line, its options, its positional arguments. */
export interface CommandSpec {
  /** After "skbscope": `run FILE [--policy P] [--kernel 6.1|2.6.32] [--json]`. */
  readonly usage: string;
  /** One line for `skbscope --help`. */
  readonly summary: string;
  /** The command's own options (--help and --version are every command's). */
  readonly options: ParseArgsOptionsConfig;
  /** Names of the positional arguments, each required: ["FILE"]. */
  readonly args: readonly string[];
}

const KERNEL_CHOICES = "6.1|2.6.32";
const RUN: CommandSpec = {
  usage: `run FILE [--policy P] [--kernel ${KERNEL_CHOICES}] [--without ID]... [--json]`,
  summary: "replay a trace step by step under one policy",
  options: { policy: { type: "string" }, kernel: { type: "string" }, without: { type: "string", multiple: true }, json: { type: "boolean" } },
  args: ["FILE"],
};
const CHECK: CommandSpec = {
  usage: `check FILE [--policy all|P] [--kernel ${KERNEL_CHOICES}] [--without ID]... [--fix ID] [--json]`,
  summary: "the verdict of every policy (or one) on a trace; --fix ID: with and without that fix, side by side",
  options: {
    policy: { type: "string" },
    kernel: { type: "string" },
    without: { type: "string", multiple: true },
    fix: { type: "string" },
    json: { type: "boolean" },
  },
  args: ["FILE"],
};

const COMMANDS = new Map<string, { spec: CommandSpec; command: Command }>([
  ["run", { spec: RUN, command: cmdRun }],
  ["check", { spec: CHECK, command: cmdCheck }],
]);

/**
 * What cli/link.ts's commands accept, for when they register without a spec
 * of their own (the link FILE and open LINK of issue 15.3).
 */
const SPECS: Readonly<Record<string, CommandSpec>> = {
  link: {
    usage: `link FILE [--policy P] [--kernel ${KERNEL_CHOICES}] [--base URL]`,
    summary: "print the trace's permalink (with --base, the whole address)",
    options: { policy: { type: "string" }, kernel: { type: "string" }, base: { type: "string" } },
    args: ["FILE"],
  },
  fixes: { usage: "fixes [--json]", summary: "list the catalogued kernel fixes --without can revert", options: { json: { type: "boolean" } }, args: [] },
  open: { usage: "open LINK", summary: "print the trace a permalink holds (its view and notes on stderr)", options: {}, args: ["LINK"] },
};

/**
 * Register another subcommand (search, link, open add themselves). Without a
 * spec, and none known above, the command takes one argument and no option.
 */
export function addCommand(name: string, command: Command, spec?: CommandSpec): void {
  COMMANDS.set(name, { spec: spec ?? COMMANDS.get(name)?.spec ?? SPECS[name] ?? { usage: `${name} ARG`, summary: "", options: {}, args: ["ARG"] }, command });
}

const EXIT_STATUS =
  "exit status: 0 every checked policy ok, 1 a violation, 2 bad input,\n  3 inconclusive: no violation, but a step the engine could not judge";

const VERSION = `skbscope ${PACKAGE_VERSION} (engine semantics ${SEMANTICS_VERSION})`;

function usage(): string {
  const lines = [...COMMANDS.values()].map(({ spec }) => `  skbscope ${spec.usage}`);
  return ["usage:", ...lines, "  skbscope [COMMAND] --help | --version", `policies: ${POLICIES.join(", ")}`, EXIT_STATUS].join("\n");
}

function commandUsage(name: string): string {
  const { spec } = COMMANDS.get(name)!;
  return [`usage: skbscope ${spec.usage}`, `       skbscope ${name} --help | --version`].join("\n");
}

function commandHelp(name: string): string {
  const { spec } = COMMANDS.get(name)!;
  const policies = "policy" in spec.options ? [`policies: ${POLICIES.join(", ")}`] : [];
  return [commandUsage(name), ...(spec.summary ? ["", spec.summary] : []), ...policies, EXIT_STATUS].join("\n");
}

const COMMON_OPTIONS: ParseArgsOptionsConfig = { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" } };

/**
 * The command's options, strictly: an unknown option, a missing value, a
 * stray argument or an option given twice (unless it is repeatable, as
 * --without) is a UsageError.
 */
function parseCommandLine(name: string, spec: CommandSpec, argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...spec.options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']*)'/.exec((e as Error).message)?.[1] ?? "";
      const own = Object.keys(spec.options).map((o) => `--${o}`);
      throw new UsageError(`${name}: unknown option '${option}' (${name} takes ${own.length ? own.join(", ") : "no option"})`);
    }
    if (code?.startsWith("ERR_PARSE_ARGS")) throw new UsageError(`${name}: ${(e as Error).message}`);
    throw e;
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name) && !spec.options[token.name]?.multiple) throw new UsageError(`${name}: option --${token.name} given twice`);
    seen.add(token.name);
  }
  return parsed;
}

/** The exit status; a Promise of it when the command is async. */
export function main(argv: readonly string[], rawIo: Io): number | Promise<number> {
  const status = rawIo.status;
  const io: Io = {
    out: (t) => rawIo.out(terminalSafe(t)),
    err: (t) => rawIo.err(terminalSafe(t)),
    readFile: (p) => rawIo.readFile(p),
    ...(status ? { status: { tty: status.tty, write: (t: string) => status.write(terminalSafe(t)) } } : {}),
  };
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) throw new UsageError("no command given");
    if (cmd === "--help" || cmd === "-h") {
      io.out(usage());
      return 0;
    }
    if (cmd === "--version" || cmd === "-V") {
      io.out(VERSION);
      return 0;
    }
    const entry = COMMANDS.get(cmd);
    if (!entry) throw new UsageError(cmd.startsWith("-") ? `unknown option "${cmd}"` : `unknown command "${cmd}"`);
    const { values, positionals } = parseCommandLine(cmd, entry.spec, rest);
    if (values.help || values.version) {
      io.out(values.help ? commandHelp(cmd) : VERSION);
      return 0;
    }
    const { args } = entry.spec;
    if (positionals.length < args.length) throw new UsageError(`${cmd}: no ${args[positionals.length]} given`);
    if (positionals.length > args.length) throw new UsageError(`${cmd}: unexpected argument "${positionals[args.length]}"`);
    const code = entry.command(io, positionals[0], values);
    return typeof code === "number" ? code : code.catch((e: unknown) => badInput(e, io, cmd));
  } catch (e) {
    return badInput(e, io, cmd);
  }
}

/** Exit status 2 with the message (and for a usage error, the usage) on stderr; anything else is a bug and is thrown. */
function badInput(e: unknown, io: Io, cmd: string | undefined): number {
  if (!(e instanceof BadInput)) throw e;
  io.err(`skbscope: ${e.message}`);
  if (e instanceof UsageError) io.err(cmd !== undefined && COMMANDS.has(cmd) ? commandUsage(cmd) : usage());
  return 2;
}
