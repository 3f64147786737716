// SPDX-License-Identifier: GPL-2.0-only
/**
 * skbscope fixes [--json]          the fix catalogue (core/fixes/catalogue.ts)
 * skbscope check FILE --fix ID     the verdict matrix with and without one fix
 *
 * `--json` shapes (issue 10, kept exactly):
 *   fixes:        {"fixes": [{"id", "subject", "function", "lines", "landed", "before"}]}
 *   check --fix:  {"fix": ID, "with": {verdicts...}, "without": {verdicts...}}
 * where verdicts are `check --json`'s: {policy: {verdict, findings, errors}}.
 * `landed` is the upstream release the fix landed in, or, when only that
 * is known, the Debian 6.1 stable release that lists it; null when neither.
 *
 * An unknown fix id is bad input (exit 2) with the closest id suggested;
 * `check --fix` exits as `check` does on the kernel as shipped (the "with"
 * column): 0 every checked policy ok, 1 a violation.
 */
import {
  FIXES,
  POLICIES,
  REVERTIBLE,
  isRevertible,
  verdictMatrix,
  withoutProblem,
  wrap,
  TEXT_WIDTH,
  type KernelFix,
  type Matrix,
  type PolicyId,
} from "../core/index";
import { BadInput, addCommand, cmdCheck, findingJson, kernelOption, loadTrace, policyOption, withoutOption, type Io } from "./skbscope";

/** The JSON row of one fix: exactly the fields the issue names. */
export function fixJson(f: KernelFix) {
  return { id: f.id, subject: f.subject, function: f.function, lines: f.lines, landed: f.landed ?? f.stable61, before: f.before };
}

function cmdFixes(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  if (file !== undefined) throw new BadInput(`fixes takes no file (got "${file}")`);
  if (values.json) {
    io.out(JSON.stringify({ fixes: FIXES.map(fixJson) }, null, 2));
    return 0;
  }
  io.out(`${FIXES.length} catalogued fixes; ${REVERTIBLE.length} marked * can be switched off:`);
  io.out("--without ID, a # without: ID header, or check FILE --fix ID");
  for (const f of FIXES) {
    io.out("");
    io.out(`${isRevertible(f.id) ? "*" : " "} ${f.id}  ${f.function}  ${landedText(f)}`);
    for (const l of wrap(f.subject, TEXT_WIDTH, "    ", "    ")) io.out(l);
    for (const l of wrap(f.lines.join(", "), TEXT_WIDTH, "    ", "    ")) io.out(l);
    if (!isRevertible(f.id))
      for (const l of wrap(
        `cannot be switched off: ${withoutProblem(f.id)!.replace(/^fix "[^"]+" cannot be switched off in this model: /, "")}`,
        TEXT_WIDTH,
        "    ",
        "      ",
      ))
        io.out(l);
  }
  return 0;
}

function landedText(f: KernelFix): string {
  const parts = [f.landed ? `upstream ${f.landed}` : null, f.stable61 ? `Debian ${f.stable61}` : null].filter(Boolean);
  return parts.length ? parts.join(", ") : "release not known";
}

function verdictsJson(m: Matrix) {
  return Object.fromEntries(m.entries.map((e) => [e.policy, { verdict: e.verdict, armed: e.armed, findings: e.findings.map(findingJson), errors: e.errors }]));
}

/** The matrices with and without `id`, on top of whatever else the run reverts. */
export function fixMatrices(
  trace: Parameters<typeof verdictMatrix>[0],
  id: string,
  policies: readonly PolicyId[],
  kernel?: ReturnType<typeof kernelOption>,
  base?: readonly string[],
) {
  const others = (base ?? trace.without ?? []).filter((x) => x !== id);
  return { with: verdictMatrix(trace, kernel, policies, others), without: verdictMatrix(trace, kernel, policies, [...others, id]) };
}

function cmdCheckFix(io: Io, file: string | undefined, values: Record<string, unknown>): number {
  const id = values.fix as string;
  const problem = withoutProblem(id);
  if (problem) throw new BadInput(problem);
  const trace = loadTrace(io, file);
  const policy = policyOption(values.policy as string | undefined, true) ?? "all";
  const kernel = kernelOption(values.kernel as string | undefined);
  const m = fixMatrices(trace, id, policy === "all" ? POLICIES : [policy], kernel, withoutOption(values.without));
  if (policy !== "all" && m.with.skipped.length) throw new BadInput(`policy ${policy}: ${m.with.skipped[0].reason}`);
  if (values.json) {
    io.out(JSON.stringify({ fix: id, with: verdictsJson(m.with), without: verdictsJson(m.without) }, null, 2));
  } else {
    io.out(formatSideBySide(trace.title ?? file!, id, m.with, m.without));
  }
  return m.with.entries.some((e) => e.verdict !== "ok" || e.findings.length > 0) ? 1 : 0;
}

/** Two verdict columns and a mark where the fix changes the verdict, within 72 columns. */
export function formatSideBySide(title: string, id: string, withFix: Matrix, withoutFix: Matrix): string {
  const fix = FIXES.find((f) => f.id === id)!;
  const out = [...wrap(`${title} (kernel ${withFix.kernel})`, TEXT_WIDTH, "", "    ")];
  out.push(...wrap(`fix ${id}: ${fix.subject}`, TEXT_WIDTH, "", "    "));
  if (withFix.without.length) out.push(...wrap(`also reverted: ${withFix.without.join(", ")}`, TEXT_WIDTH, "", "    "));
  out.push("");
  out.push(`${"policy".padEnd(16)}${"with fix".padEnd(14)}without`);
  for (const e of withFix.entries) {
    const other = withoutFix.entries.find((o) => o.policy === e.policy)!;
    const mark = other.verdict !== e.verdict ? "  <- the fix matters" : "";
    const unarmed = e.armed ? "" : "*";
    out.push(`${e.policy.padEnd(16)}${(e.verdict + unarmed).padEnd(14)}${other.verdict}${other.armed ? "" : "*"}${mark}`);
  }
  if ([...withFix.entries, ...withoutFix.entries].some((e) => !e.armed)) {
    out.push(...wrap("* nothing armed: no buffer holds a page of the policy owner's, so no completion was judged there", TEXT_WIDTH, "", "  "));
  }
  for (const s of withFix.skipped) out.push(...wrap(`n/a (${s.reason})`, TEXT_WIDTH, s.policy.padEnd(16), "".padEnd(16)));
  for (const e of withoutFix.entries) {
    for (const f of e.findings) {
      if (withFix.entries.find((w) => w.policy === e.policy)!.findings.some((g) => g.message === f.message)) continue;
      out.push("", ...wrap(`without the fix, ${e.policy}: step ${f.step}: ${f.message}`, TEXT_WIDTH, "", "    "));
    }
  }
  return out.join("\n");
}

addCommand("fixes", cmdFixes);
// check takes --fix here; without it, the plain check (cli/skbscope.ts).
addCommand("check", (io, file, values) => (values.fix !== undefined ? cmdCheckFix(io, file, values) : cmdCheck(io, file, values)));
