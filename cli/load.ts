// SPDX-License-Identifier: GPL-2.0-only
/**
 * A trace file as the CLI reads it: text only, diagnostics capped at
 * MAX_DIAGNOSTICS with "and N more", errors as one BadInput (exit 2).
 */
import { MAX_DIAGNOSTICS, andMore, binaryReason, capDiagnostics, hasErrors, parseTrace, type Diagnostic, type Trace } from "../core/index";
import { BadInput, type Io } from "./skbscope";

const where = (d: Diagnostic) => `${d.line}:${d.column}`;

function line(file: string, d: Diagnostic): string {
  return `${file}:${where(d)}: ${d.severity}: ${d.message}${d.severity === "error" && d.expected ? ` (expected ${d.expected})` : ""}`;
}

/** Reads and parses `file` ("-" is standard input); throws BadInput. */
export function loadTraceFile(io: Io, file: string | undefined): Trace {
  if (!file) throw new BadInput("no trace file given");
  let source: string;
  try {
    source = io.readFile(file);
  } catch (e) {
    throw new BadInput(`cannot read ${file}: ${(e as Error).message}`);
  }
  const binary = binaryReason(source);
  if (binary) throw new BadInput(`${file}: ${binary}`);
  const parsed = parseTrace(source, { maxDiagnostics: MAX_DIAGNOSTICS });
  if (hasErrors(parsed)) {
    const { shown, more } = capDiagnostics(parsed.diagnostics.filter((d) => d.severity === "error"));
    const rest = more + (parsed.omitted?.errors ?? 0);
    throw new BadInput([...shown.map((d) => line(file, d)), ...(rest ? [`${file}: ${andMore(rest)} errors`] : [])].join("\n"));
  }
  const { shown, more } = capDiagnostics(parsed.diagnostics);
  for (const d of shown) io.err(line(file, d));
  const rest = more + (parsed.omitted?.warnings ?? 0);
  if (rest) io.err(`${file}: ${andMore(rest)} warnings`);
  return parsed.trace;
}
