// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace language's syntax tree. Positions (line, columns) help
 * diagnostics and the editor; they are not part of a trace's meaning, so
 * `sameTrace` ignores them.
 */
import type { KernelId, PolicyId } from "../model/types";

export interface Span {
  readonly line: number;
  /** 1-based, inclusive start and exclusive end column. */
  readonly column: number;
  readonly endColumn: number;
}

export type Arg =
  | { readonly kind: "ref"; readonly name: string; readonly index?: number; readonly span?: Span }
  | { readonly kind: "int"; readonly value: number; readonly span?: Span }
  | { readonly kind: "kw"; readonly value: "guest" | "host" | "true" | "false"; readonly span?: Span };

export interface TraceOp {
  readonly fn: string;
  readonly result?: string;
  readonly args: readonly Arg[];
  /** Text after `#` on the op's own line. */
  readonly comment?: string;
  /** Whole comment lines just before the op (text after each `#`). */
  readonly leading?: readonly string[];
  readonly line?: number;
}

export interface Trace {
  readonly title?: string;
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  /**
   * `# contracts: flag`: a step that breaks a caller contract runs, flagged
   * `unreachable`, instead of failing (traces whose point is the misuse).
   */
  readonly contracts?: "enforce" | "flag";
  /** `# without: ID, ...`: catalogued fixes this trace runs with reverted. */
  readonly without?: readonly string[];
  readonly ops: readonly TraceOp[];
  /** Comment lines after the last op. */
  readonly trailing?: readonly string[];
}

export interface Diagnostic {
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly expected?: string;
}

export interface Parsed {
  readonly trace: Trace;
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics counted but not kept (ParseOptions.maxDiagnostics). */
  readonly omitted?: { readonly errors: number; readonly warnings: number; /** The first one's line. */ readonly line: number };
}

/** A trace with positions dropped: what equality means for traces. */
export function stripPositions(trace: Trace): Trace {
  const ops = trace.ops.map((op) => {
    const { line: _line, ...rest } = op;
    const args = op.args.map((a) => {
      const { span: _span, ...plain } = a;
      return plain as Arg;
    });
    const out: Record<string, unknown> = { ...rest, args };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    if (op.leading && op.leading.length === 0) delete out.leading;
    return out as unknown as TraceOp;
  });
  const out: Record<string, unknown> = { ...trace, ops };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  if (trace.trailing && trace.trailing.length === 0) delete out.trailing;
  return out as unknown as Trace;
}

export const KEYWORDS = new Set(["guest", "host", "true", "false"]);
export const MAX_COLUMNS = 72;
