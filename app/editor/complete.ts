// SPDX-License-Identifier: GPL-2.0-only
/**
 * What the editor offers to complete, worked out from the text alone (no
 * CodeMirror here, so it is unit-tested in Node): at an operation's place,
 * the operations of the op table with their signature and summary; at an
 * argument's place, the names the trace has defined before this line of
 * the kind that argument takes (and the keywords of an owner or a flag).
 */
import type { OpInfo, ResultKind } from "../worker/protocol";

export interface Suggestion {
  readonly label: string;
  readonly type: "function" | "variable" | "keyword";
  /** Shown beside the label: an op's signature, a name's kind. */
  readonly detail?: string;
  /** Shown in the side box: an op's summary. */
  readonly info?: string;
  /** Text to insert instead of the label (an op gets its "("). */
  readonly apply?: string;
}

export interface CompletionAt {
  /** Offset in the line where the word being completed starts. */
  readonly from: number;
  readonly options: readonly Suggestion[];
}

/** `fn(skb skb, int len, [int off])`: the op's parameters with their kinds. */
export function signature(op: OpInfo): string {
  const required = op.params.length - op.optional;
  const params = op.params.map((kind, i) => {
    const p = `${kind} ${op.names[i] ?? `arg${i + 1}`}`;
    return i >= required ? `[${p}]` : p;
  });
  const result = op.result ? `${op.result} = ` : "";
  return `${result}${op.fn}(${params.join(", ")})`;
}

const NAME_DEF = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(/;

/**
 * Names defined on lines before `beforeLine` (1-based), by kind: `x = fn(...)`
 * gives x the kind of fn's result.
 */
export function definedNames(lines: Iterable<string>, ops: ReadonlyMap<string, OpInfo>): Map<string, ResultKind> {
  const out = new Map<string, ResultKind>();
  for (const line of lines) {
    const m = NAME_DEF.exec(line);
    if (!m) continue;
    const kind = ops.get(m[2])?.result;
    if (kind) out.set(m[1], kind);
  }
  return out;
}

/**
 * Suggestions for the cursor at `column` (0-based) of `line`, given the
 * op table and the names defined above. Null inside a comment or where
 * nothing fits.
 */
export function completionAt(line: string, column: number, ops: readonly OpInfo[], names: ReadonlyMap<string, ResultKind>): CompletionAt | null {
  const before = line.slice(0, column);
  if (before.includes("#")) return null;
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
  const from = word ? column - word[0].length : column;
  const head = before.slice(0, from);
  // The operation's place: the line's start, or after "name =".
  if (/^\s*$/.test(head) || /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*$/.test(head)) {
    const assigning = !/^\s*$/.test(head);
    const options = ops
      .filter((op) => !assigning || op.result !== null)
      .map((op): Suggestion => ({ label: op.fn, type: "function", detail: signature(op), info: op.summary, apply: `${op.fn}(` }));
    return options.length ? { from, options } : null;
  }
  const call = /^\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*=\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)$/.exec(head);
  if (!call) return null;
  const op = ops.find((o) => o.fn === call[1]);
  if (!op) return null;
  const index = call[2].split(",").length - 1;
  const kind = op.params[index];
  if (kind === undefined) return null;
  const param = op.names[index] ?? kind;
  if (kind === "owner") return { from, options: ["guest", "host"].map((k) => ({ label: k, type: "keyword", detail: param })) };
  if (kind === "bool") return { from, options: ["true", "false"].map((k) => ({ label: k, type: "keyword", detail: param })) };
  if (kind === "int") return null;
  const options: Suggestion[] = [];
  for (const [name, k] of names) if (k === kind) options.push({ label: name, type: "variable", detail: `${k} · ${param}` });
  return options.length ? { from, options } : null;
}
