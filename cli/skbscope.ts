/**
 * npx skbscope: the headless engine.
 *
 *   skbscope run FILE [--policy P] [--kernel K] [--json]
 *   skbscope check FILE [--policy all|P] [--kernel K] [--json]
 *   skbscope link FILE [--policy P] [--kernel K] [--base URL]   (cli/link.ts)
 *   skbscope open LINK                                          (cli/link.ts)
 *
 * Exit codes: 0 every checked policy ok, 1 a violation, 2 bad input.
 */
import { parseArgs } from "node:util";
import {
  KERNELS,
  POLICIES,
  describeHolder,
  hasErrors,
  parseTrace,
  printOp,
  runTrace,
  stateView,
  verdictMatrix,
  type Diagnostic,
  type Finding,
  type KernelId,
  type PolicyId,
  type Run,
  type EngineEvent,
  type StateView,
  type StepRecord,
  type Trace,
} from "../core/index";
import { formatMatrix, formatStep } from "./format";

export class BadInput extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): string;
  /** A transient status line on stderr, redrawn in place on a terminal ("" clears it). */
  readonly status?: { readonly tty: boolean; write(text: string): void };
}

const USAGE = `usage:
  skbscope run FILE [--policy P] [--kernel 6.1|2.6.32] [--json]
  skbscope check FILE [--policy all|P] [--kernel 6.1|2.6.32] [--json]
  skbscope search --policy P [--kernel K] [--from FILE] [--depth N] [--max-states N] [--workers N] [--time S] [--json]
  skbscope link FILE [--policy P] [--kernel 6.1|2.6.32] [--base URL]
  skbscope open LINK
policies: ${POLICIES.join(", ")}
exit status: 0 every checked policy ok, 1 a violation, 2 bad input`;

export function loadTrace(io: Io, file: string | undefined): Trace {
  if (!file) throw new BadInput("no trace file given");
  let source: string;
  try {
    source = io.readFile(file);
  } catch (e) {
    throw new BadInput(`cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseTrace(source);
  for (const d of parsed.diagnostics.filter((d) => d.severity === "warning")) io.err(`${file}:${where(d)}: warning: ${d.message}`);
  if (hasErrors(parsed)) {
    const lines = parsed.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `${file}:${where(d)}: error: ${d.message}${d.expected ? ` (expected ${d.expected})` : ""}`);
    throw new BadInput(lines.join("\n"));
  }
  return parsed.trace;
}

const where = (d: Diagnostic) => `${d.line}:${d.column}`;

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

export function findingJson(f: Finding) {
  return { kind: f.kind, step: f.step, message: f.message, objects: f.objects, ...(f.holder ? { holder: f.holder } : {}), ...(f.buffer ? { buffer: f.buffer } : {}) };
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

/**
 * `run --json`, written step by step: a long trace's document is far larger
 * than what one JSON.stringify may build.
 */
export function writeRunJson(run: Run, file: string, title: string | undefined, out: (text: string) => void): void {
  const head = { trace: file, ...(title ? { title } : {}), policy: run.policy, kernel: run.kernel, verdict: run.verdict };
  out(`${indent(JSON.stringify(head, null, 2).slice(0, -2), "")},`);
  out(`  "steps": [`);
  run.eachState((step, state, events) => {
    const last = step === run.steps.length;
    out(`    ${indent(JSON.stringify(stepJson(run.steps[step - 1], stateView(state), events), null, 2), "    ")}${last ? "" : ","}`);
  });
  out(`  ],`);
  out(`  "findings": ${indent(JSON.stringify(run.findings.map(findingJson), null, 2), "  ")}`);
  out(`}`);
}

function cmdRun(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  const trace = loadTrace(io, file);
  const policy = policyOption(values.policy as string | undefined, false) as PolicyId | undefined;
  const kernel = kernelOption(values.kernel as string | undefined);
  const run = runTrace(trace, { policy, kernel });
  if (values.json) {
    writeRunJson(run, file!, trace.title, io.out);
  } else {
    io.out(`# ${trace.title ?? file}  (policy ${run.policy}, kernel ${run.kernel})`);
    run.eachState((step, state, events) => io.out(formatStep(run.steps[step - 1], stateView(state), events, state)));
    io.out(`verdict: ${run.verdict}`);
  }
  return run.findings.length ? 1 : 0;
}

function cmdCheck(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  const trace = loadTrace(io, file);
  const policy = policyOption(values.policy as string | undefined, true) ?? "all";
  const kernel = kernelOption(values.kernel as string | undefined);
  const matrix = verdictMatrix(trace, kernel, policy === "all" ? POLICIES : [policy]);
  if (policy !== "all" && matrix.skipped.length) throw new BadInput(`policy ${policy}: ${matrix.skipped[0].reason}`);
  if (values.json) {
    const verdicts = Object.fromEntries(
      matrix.entries.map((e) => [e.policy, { verdict: e.verdict, findings: e.findings.map(findingJson), errors: e.errors }]),
    );
    io.out(JSON.stringify({ trace: file, kernel: matrix.kernel, verdicts, skipped: Object.fromEntries(matrix.skipped.map((s) => [s.policy, s.reason])) }, null, 2));
  } else {
    // The state at a finding's step names its holder and chain; one replay per policy, when asked.
    const runs = new Map<PolicyId, Run>();
    const stateAt = (p: PolicyId, step: number) => {
      if (!runs.has(p)) runs.set(p, runTrace(trace, { policy: p, kernel: matrix.kernel }));
      return runs.get(p)!.snapshotAt(step);
    };
    io.out(formatMatrix(trace, matrix, file!, stateAt));
  }
  const bad = matrix.entries.some((e) => e.verdict !== "ok" || e.findings.length > 0);
  return bad ? 1 : 0;
}

/** A subcommand; link and open are async (the permalink codec deflates through Web Streams). */
export type Command = (io: Io, file: string | undefined, values: Record<string, unknown>) => number | Promise<number>;
const COMMANDS: Record<string, Command> = { run: cmdRun, check: cmdCheck };

/** Register another subcommand (search adds itself). */
export function addCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

/** Exit status 2 with the message on stderr for bad input; anything else is a bug and is thrown. */
function badInput(e: unknown, io: Io): number {
  if (e instanceof BadInput || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    io.err(`skbscope: ${(e as Error).message}`);
    return 2;
  }
  throw e;
}

/** The exit status; a Promise of it for the async commands (link, open). */
export function main(argv: readonly string[], io: Io): number | Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        policy: { type: "string" },
        kernel: { type: "string" },
        json: { type: "boolean", default: false },
        from: { type: "string" },
        depth: { type: "string" },
        "max-states": { type: "string" },
        workers: { type: "string" },
        time: { type: "string" },
        base: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    const [cmd, file, ...rest] = positionals;
    if (values.help || !cmd) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const command = COMMANDS[cmd];
    if (!command) throw new BadInput(`unknown command "${cmd}"\n${USAGE}`);
    if (rest.length) throw new BadInput(`unexpected argument "${rest[0]}"`);
    const code = command(io, file, values);
    return typeof code === "number" ? code : code.catch((e: unknown) => badInput(e, io));
  } catch (e) {
    return badInput(e, io);
  }
}

export { describeHolder };
