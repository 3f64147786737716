// SPDX-License-Identifier: GPL-2.0-only
/**
 * The printer: a trace back to text that parses to the same trace.
 */
import { MAX_COLUMNS, type Arg, type Trace, type TraceOp } from "./ast";
import { HEADER_LINE } from "./parse";

export function printArg(arg: Arg): string {
  switch (arg.kind) {
    case "ref":
      return arg.index === undefined ? arg.name : `${arg.name}[${arg.index}]`;
    case "int":
      return String(arg.value);
    case "kw":
      return arg.value;
  }
}

/** One operation as the kernel C it stands for, without its comment. */
export function printOp(op: TraceOp): string {
  const call = `${op.fn}(${op.args.map(printArg).join(", ")})`;
  return op.result ? `${op.result} = ${call}` : call;
}

/** `# without:` lines, several when the ids would pass 72 columns (the parser joins them). */
export function withoutLines(ids: readonly string[]): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const id of ids) {
    if (cur.length && `# without: ${[...cur, id].join(", ")}`.length > MAX_COLUMNS) {
      out.push(`# without: ${cur.join(", ")}`);
      cur = [];
    }
    cur.push(id);
  }
  if (cur.length) out.push(`# without: ${cur.join(", ")}`);
  return out;
}

export function printTrace(trace: Trace): string {
  const lines: string[] = [];
  if (trace.title !== undefined) lines.push(`# title: ${trace.title}`);
  if (trace.policy !== undefined) lines.push(`# policy: ${trace.policy}`);
  if (trace.kernel !== undefined) lines.push(`# kernel: ${trace.kernel}`);
  if (trace.contracts !== undefined) lines.push(`# contracts: ${trace.contracts}`);
  lines.push(...withoutLines(trace.without ?? []));
  // The header block is the run of header lines at the top; a comment that
  // merely looks like one is kept out of it by a blank line.
  const first = trace.ops[0]?.leading?.[0] ?? (trace.ops.length === 0 ? trace.trailing?.[0] : undefined);
  if (first !== undefined && HEADER_LINE.test(`#${first}`)) lines.push("");
  for (const op of trace.ops) {
    for (const c of op.leading ?? []) lines.push(`#${c}`);
    const code = printOp(op);
    lines.push(op.comment !== undefined ? `${code}  #${op.comment}` : code);
  }
  for (const c of trace.trailing ?? []) lines.push(`#${c}`);
  return lines.join("\n") + "\n";
}
