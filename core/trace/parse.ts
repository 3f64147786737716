// SPDX-License-Identifier: GPL-2.0-only
/**
 * The parser. It never throws: it returns the trace it could read and a
 * diagnostic (line, column, what was expected) for everything else.
 */
import { ALIASES, OPS, opSpec, type OpSpec, type ParamKind, type ResultKind } from "../ops";
import { KERNELS, POLICIES, type KernelId, type PolicyId } from "../model/types";
import { sortFixIds, withoutProblem } from "../fixes/fixed";
import { cTypeRange, fitsCType, paramCType } from "./ctypes";
import { KEYWORDS, MAX_COLUMNS, type Arg, type Diagnostic, type Parsed, type Span, type TraceOp } from "./ast";

/** `# title: ...`, `# policy: ...`, `# kernel: ...`, `# contracts: ...`, `# without: ID, ...` */
export const HEADER_LINE = /^#\s*(title|policy|kernel|contracts|without)\s*:([\s\S]*)$/;

type Tok =
  | { t: "id"; v: string; col: number; end: number }
  | { t: "num"; v: number; col: number; end: number }
  | { t: "p"; v: string; col: number; end: number }
  | { t: "eof"; col: number; end: number };

class LineError {
  constructor(
    readonly column: number,
    readonly endColumn: number,
    readonly message: string,
    readonly expected?: string,
  ) {}
}

/** Sticky: matched at `lastIndex`, never on a copy of the rest of the line. */
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(code: string, base: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    const col = base + i;
    NAME.lastIndex = i;
    const id = NAME.exec(code);
    if (id) {
      if (id[0].length > MAX_TOKEN) throw new LineError(col, col + id[0].length, `name too long: ${quote(id[0])}`, `a name of at most ${MAX_TOKEN} characters`);
      toks.push({ t: "id", v: id[0], col, end: col + id[0].length });
      i += id[0].length;
      continue;
    }
    if (c >= "0" && c <= "9") {
      NUMBERISH.lastIndex = i;
      const text = NUMBERISH.exec(code)![0];
      if (text.length > MAX_TOKEN) throw new LineError(col, col + text.length, `number too long: ${quote(text)}`, "an integer of a C type");
      toks.push({ t: "num", v: integerValue(text, col), col, end: col + text.length });
      i += text.length;
      continue;
    }
    if ("()=,[]-".includes(c)) {
      toks.push({ t: "p", v: c, col, end: col + 1 });
      i++;
      continue;
    }
    throw new LineError(col, col + 1, `unexpected character ${quote(c)}`, "a name, a number or one of ( ) , = [ ]");
  }
  toks.push({ t: "eof", col: base + code.length, end: base + code.length + 1 });
  return toks;
}

/**
 * Everything that reads as one number (C's pp-number): digits, letters,
 * dots and an exponent's sign, so `1e309` or `1.5` is judged whole.
 */
const NUMBERISH = /[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*/y;

/** A C integer constant: decimal, 0x hex, or 0-led octal (0777 is 511). */
function integerValue(text: string, col: number): number {
  const end = col + text.length;
  const shown = clip(text);
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) v = Number(text);
  else if (/^0[0-7]+$/.test(text)) v = parseInt(text.slice(1), 8);
  else if (/^0[0-9]+$/.test(text))
    throw new LineError(col, end, `${shown} is not an integer: a leading 0 makes it octal, as in C, and octal has no 8 or 9`, "an integer");
  else if (/^[0-9]+$/.test(text)) v = Number(text);
  else throw new LineError(col, end, `${shown} is not an integer`, "an integer such as 4096 or 0x1000");
  if (!Number.isSafeInteger(v)) throw new LineError(col, end, `number ${shown} is too large`, "an integer of a C type");
  return v;
}

/**
 * A token as a message shows it, quoted; a long one is cut, with its
 * length, so a 1 MiB name does not come back as a 1 MiB message.
 */
export function quote(text: string, max = 40): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(`${text.slice(0, max)}…`)} (${text.length} characters)`;
}
const clip = (text: string): string => (text.length <= 40 ? text : quote(text));

/** The longest name or number a trace may hold (see the README's limits). */
export const MAX_TOKEN = 256;

function describe(tok: Tok): string {
  if (tok.t === "eof") return "the end of the line";
  if (tok.t === "num") return `the number ${tok.v}`;
  return quote(tok.v);
}

const KIND_WORDS: Record<ParamKind, string> = {
  skb: "an skb name",
  page: "a page name",
  pipe: "a pipe name",
  sock: "a socket name",
  list: "a segment list name",
  int: "a number",
  owner: "guest or host",
  bool: "true or false",
  pool: "a page_pool name",
};

const LONGEST_OP = Math.max(...[...OPS.keys(), ...ALIASES.keys()].map((k) => k.length));

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/**
 * The nearest operation name, if near enough. Bounded: a name far longer
 * than any operation is near none, so no distance matrix is built for it.
 */
export function suggestOp(fn: string): string | undefined {
  if (fn.length > LONGEST_OP + Math.max(2, Math.floor(fn.length / 3))) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of [...OPS.keys(), ...ALIASES.keys()]) {
    const dist = editDistance(fn, name);
    if (dist < bestD) {
      bestD = dist;
      best = name;
    }
  }
  return bestD <= Math.max(2, Math.floor(fn.length / 3)) ? best : undefined;
}

class Cursor {
  i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok {
    return this.toks[this.i];
  }
  next(): Tok {
    return this.toks[this.i++];
  }
  expectP(v: string, what: string): Tok {
    const tok = this.next();
    if (tok.t !== "p" || tok.v !== v) throw new LineError(tok.col, tok.end, `expected ${what}, found ${describe(tok)}`, what);
    return tok;
  }
}

function parseArg(cur: Cursor, line: number): Arg {
  const tok = cur.next();
  const span = (end: number): Span => ({ line, column: tok.col, endColumn: end });
  if (tok.t === "num") return { kind: "int", value: tok.v, span: span(tok.end) };
  if (tok.t === "p" && tok.v === "-") {
    const num = cur.next();
    if (num.t !== "num") throw new LineError(num.col, num.end, `expected a number after "-", found ${describe(num)}`, "a number");
    return { kind: "int", value: num.v === 0 ? 0 : -num.v, span: span(num.end) };
  }
  if (tok.t === "id") {
    if (KEYWORDS.has(tok.v)) return { kind: "kw", value: tok.v as "guest", span: span(tok.end) };
    const open = cur.peek();
    if (open.t === "p" && open.v === "[") {
      cur.next();
      const idx = cur.next();
      if (idx.t !== "num") throw new LineError(idx.col, idx.end, `expected a segment index, found ${describe(idx)}`, "a number");
      const close = cur.expectP("]", '"]"');
      return { kind: "ref", name: tok.v, index: idx.v, span: span(close.end) };
    }
    return { kind: "ref", name: tok.v, span: span(tok.end) };
  }
  throw new LineError(tok.col, tok.end, `expected an argument, found ${describe(tok)}`, "a name or a number");
}

function checkArg(spec: OpSpec, i: number, arg: Arg): void {
  const kind = spec.params[i];
  const name = spec.names[i];
  const span = arg.span!;
  const bad = (): never => {
    throw new LineError(span.column, span.endColumn, `${spec.fn}: argument ${i + 1} (${name}) must be ${KIND_WORDS[kind]}`, KIND_WORDS[kind]);
  };
  switch (kind) {
    case "int": {
      if (arg.kind !== "int") bad();
      const type = paramCType(spec.fn, i);
      if (type && !fitsCType(type, (arg as { value: number }).value)) {
        const [lo, hi] = cTypeRange(type);
        throw new LineError(span.column, span.endColumn, `${spec.fn} takes ${type} ${name}; ${(arg as { value: number }).value} is not one`, `${lo} to ${hi}`);
      }
      return;
    }
    case "owner":
      if (arg.kind !== "kw" || (arg.value !== "guest" && arg.value !== "host")) bad();
      return;
    case "bool":
      if (arg.kind !== "kw" || (arg.value !== "true" && arg.value !== "false")) bad();
      return;
    case "skb":
      if (arg.kind !== "ref") bad();
      return;
    default:
      if (arg.kind !== "ref" || arg.index !== undefined) bad();
  }
}

function parseStatement(code: string, base: number, line: number, suggest = true): TraceOp {
  const cur = new Cursor(tokenize(code, base));
  let result: string | undefined;
  let first = cur.next();
  const second = cur.peek();
  if (first.t === "id" && second.t === "p" && second.v === "=") {
    if (KEYWORDS.has(first.v)) throw new LineError(first.col, first.end, `"${first.v}" is a keyword, not a name`, "a name");
    result = first.v;
    cur.next();
    first = cur.next();
  }
  if (first.t !== "id") throw new LineError(first.col, first.end, `expected an operation name, found ${describe(first)}`, "an operation such as skb_clone");
  const spec = opSpec(first.v);
  if (!spec) {
    const hint = suggest ? suggestOp(first.v) : undefined;
    throw new LineError(
      first.col,
      first.end,
      `unknown operation ${quote(first.v)}${hint ? `; did you mean ${hint}?` : ""}`,
      "an operation name (see the README)",
    );
  }
  cur.expectP("(", `"(" after ${first.v}`);
  const args: Arg[] = [];
  if (!(cur.peek().t === "p" && (cur.peek() as { v: string }).v === ")")) {
    for (;;) {
      args.push(parseArg(cur, line));
      const sep = cur.peek();
      if (sep.t === "p" && sep.v === ",") {
        cur.next();
        continue;
      }
      break;
    }
  }
  const close = cur.expectP(")", '"," or ")"');
  const end = cur.next();
  if (end.t !== "eof")
    throw new LineError(end.col, end.end, `expected the end of the line after ")", found ${describe(end)}`, "a comment or the end of the line");

  const max = spec.params.length;
  const min = max - (spec.optional ?? 0);
  const sig = `${spec.fn}(${spec.names.join(", ")})`;
  if (args.length > max) {
    const extra = args[max].span!;
    throw new LineError(extra.column, extra.endColumn, `${spec.fn} takes ${max} argument${max === 1 ? "" : "s"}: ${sig}`, sig);
  }
  if (args.length < min) {
    throw new LineError(close.col, close.end, `${spec.fn} needs ${min} argument${min === 1 ? "" : "s"}: ${sig}`, sig);
  }
  args.forEach((a, i) => checkArg(spec, i, a));
  const needsResult = spec.result !== null && !(spec.resultUnlessOptional && args.length > min);
  if (needsResult && result === undefined) {
    throw new LineError(
      first.col,
      first.end,
      `${spec.fn} returns ${KIND_WORDS[spec.result!].replace(" name", "")}: name it, as in x = ${spec.fn}(...)`,
      `x = ${spec.fn}(...)`,
    );
  }
  if (!needsResult && result !== undefined) {
    throw new LineError(base, first.col, `${spec.fn} returns nothing to assign${spec.resultUnlessOptional ? " when given a pipe" : ""}`, `${spec.fn}(...)`);
  }
  return { fn: spec.fn, ...(result !== undefined ? { result } : {}), args, line };
}

/**
 * Every line end a trace may arrive with: LF, CRLF, and a lone CR (old Mac
 * mail clients), which would otherwise make the file one comment line.
 */
export const LINE_END = /\r\n|\r|\n/;

/** Split text into lines at any line end, a leading BOM dropped. */
export function splitLines(source: string): string[] {
  const lines = source.replace(/^\ufeff/, "").split(LINE_END);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export interface ParseOptions {
  /**
   * Check names across lines (defined before use, given once, of the right
   * kind). Off only to read one line on its own (the email importer).
   */
  readonly names?: boolean;
  /**
   * Keep at most this many diagnostics of each severity; the rest are only
   * counted (Parsed.omitted), so a 64 MiB file of garbage costs a count,
   * not millions of messages.
   */
  readonly maxDiagnostics?: number;
}

/** Characters a header value should not hold: controls, U+2028/U+2029. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Parse a whole trace. */
export function parseTrace(source: string, options: ParseOptions = {}): Parsed {
  const diagnostics: Diagnostic[] = [];
  const ops: TraceOp[] = [];
  const headers = new Map<string, number>();
  const names = new Names();
  const keep = new Kept();
  let title: string | undefined;
  let policy: PolicyId | undefined;
  let kernel: KernelId | undefined;
  let contracts: "enforce" | "flag" | undefined;
  let without: string[] | undefined;
  let leading: string[] = [];
  let inHeader = true;
  const lines = splitLines(source);
  const max = options.maxDiagnostics ?? Infinity;
  const kept = { error: 0, warning: 0 };
  const omitted = { errors: 0, warnings: 0, line: 0 };
  const report = (d: Diagnostic) => {
    if (kept[d.severity] < max) {
      kept[d.severity]++;
      diagnostics.push(d);
      return;
    }
    if (!omitted.errors && !omitted.warnings) omitted.line = d.line;
    if (d.severity === "error") omitted.errors++;
    else omitted.warnings++;
  };
  const full = () => kept.error >= max;
  const warn = (line: number, column: number, endColumn: number, message: string) => report({ line, column, endColumn, severity: "warning", message });

  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.length > MAX_COLUMNS) {
      warn(line, MAX_COLUMNS + 1, raw.length + 1, `line is ${raw.length} columns; keep traces within ${MAX_COLUMNS} so they survive email`);
    }
    const hash = raw.indexOf("#");
    const code = (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
    const comment = hash >= 0 ? raw.slice(hash + 1).trimEnd() : undefined;
    if (code.trim() === "") {
      if (comment === undefined) {
        inHeader = false;
        return;
      }
      const looksLikeHeader = raw.trimStart().startsWith("#") ? HEADER_LINE.exec(raw.trim()) : null;
      if (looksLikeHeader && !inHeader && ops.length > 0) {
        warn(line, hash + 1, raw.length + 1, `"# ${looksLikeHeader[1]}:" after the first operation is only a comment; headers go at the top`);
      }
      const header = inHeader ? looksLikeHeader : null;
      if (header) {
        const value = header[2].trim();
        const key = header[1];
        const first = headers.get(key);
        // Several `# without:` lines add up; any other header is given once.
        if (first !== undefined && key !== "without") {
          warn(line, hash + 1, raw.length + 1, `duplicate "# ${key}:" header; the one at line ${first} is kept`);
          return;
        }
        headers.set(key, line);
        // An unknown value is an error over the whole header line.
        const unknown = (what: string, expected: string) =>
          report({ line, column: hash + 1, endColumn: raw.length + 1, severity: "error", message: `unknown ${what} ${quote(value)}`, expected });
        if (key === "title") {
          title = value;
          if (UNPRINTABLE.test(value)) warn(line, hash + 1, raw.length + 1, "the title holds control or line-separator characters; they are shown escaped");
        } else if (key === "contracts") {
          if (value === "enforce" || value === "flag") contracts = value;
          else unknown("contracts mode", "enforce | flag");
        } else if (key === "without") {
          without = [...(without ?? []), ...parseWithout(raw, line, diagnostics)];
        } else if (key === "policy") {
          if ((POLICIES as readonly string[]).includes(value)) policy = value as PolicyId;
          else unknown("policy", POLICIES.join(" | "));
        } else if ((KERNELS as readonly string[]).includes(value)) kernel = value as KernelId;
        else unknown("kernel", KERNELS.join(" | "));
        return;
      }
      inHeader = false;
      leading.push(comment);
      return;
    }
    inHeader = false;
    const lead = code.length - code.trimStart().length;
    try {
      const op = parseStatement(code.trimStart(), lead + 1, line, !full());
      // The names are checked after the statement is read; its result is
      // defined even when they fail, so one typo gives one error.
      const misuse = options.names === false ? undefined : names.check(op, lead + 1);
      if (misuse) throw misuse;
      const plain = keep.op(op);
      ops.push(
        comment === undefined && !leading.length
          ? plain
          : {
              ...plain,
              ...(comment !== undefined ? { comment } : {}),
              ...(leading.length ? { leading } : {}),
            },
      );
      leading = [];
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      report({
        line,
        column: e.column,
        endColumn: Math.max(e.endColumn, e.column + 1),
        severity: "error",
        message: e.message,
        ...(e.expected ? { expected: e.expected } : {}),
      });
      leading = [];
    }
  });
  return {
    trace: {
      ...(title !== undefined ? { title } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(kernel !== undefined ? { kernel } : {}),
      ...(contracts !== undefined ? { contracts } : {}),
      ...(without !== undefined && without.length ? { without: sortFixIds(without) } : {}),
      ops,
      ...(leading.length ? { trailing: leading } : {}),
    },
    diagnostics,
    ...(omitted.errors || omitted.warnings ? { omitted } : {}),
  };
}

const A_KIND: Record<ResultKind, string> = { skb: "an skb", page: "a page", pipe: "a pipe", sock: "a socket", list: "a segment list" };

/**
 * What a parsed operation keeps once its line is read: its arguments
 * without their spans (those only place this line's diagnostics), one
 * frozen object per distinct argument shared by every operation that
 * names it, and each name as one string. A million-step file is then
 * about a hundred bytes per operation, not four hundred and more.
 */
class Kept {
  private readonly args = new Map<string | number, Arg>();
  private readonly strings = new Map<string, string>();

  op(op: TraceOp): TraceOp {
    const args = op.args.map((a) => this.arg(a));
    return op.result === undefined ? { fn: op.fn, args, line: op.line } : { fn: op.fn, result: this.string(op.result), args, line: op.line };
  }

  private arg(a: Arg): Arg {
    const key = a.kind === "int" ? a.value : a.kind === "kw" ? `=${a.value}` : a.index === undefined ? a.name : `${a.name}[${a.index}]`;
    let shared = this.args.get(key);
    if (!shared) {
      const { span: _span, ...plain } = a;
      if (plain.kind === "ref") plain.name = this.string(plain.name);
      shared = Object.freeze(plain as Arg);
      this.args.set(key, shared);
    }
    return shared;
  }

  private string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }
}

/**
 * The names a trace defines, as it is read: each `x = op(...)` gives x
 * once, and every argument naming an object must name one defined above,
 * of the kind the parameter takes (a static error, as a C compiler's).
 */
class Names {
  private readonly defined = new Map<string, { kind: ResultKind; line: number }>();

  check(op: TraceOp, resultColumn: number): LineError | undefined {
    const spec = opSpec(op.fn)!;
    let error: LineError | undefined;
    op.args.forEach((arg, i) => {
      error ??= this.checkArg(spec, i, arg);
    });
    if (op.result !== undefined) {
      const before = this.defined.get(op.result);
      if (before) {
        error ??= new LineError(
          resultColumn,
          resultColumn + op.result.length,
          `${op.result} is already defined at line ${before.line}; a name is given once`,
          "a new name",
        );
      } else {
        const kind = spec.result ?? "pipe";
        this.defined.set(op.result, { kind, line: op.line ?? 0 });
      }
    }
    return error;
  }

  private checkArg(spec: OpSpec, i: number, arg: Arg): LineError | undefined {
    const want = spec.params[i];
    if (arg.kind !== "ref" || !(want in A_KIND)) return undefined;
    const span = arg.span!;
    const def = this.defined.get(arg.name);
    const wanted = A_KIND[want as ResultKind];
    if (!def) {
      return new LineError(
        span.column,
        span.endColumn,
        `${quote(arg.name)} is not defined: no line above says ${clip(arg.name)} = ...`,
        `${wanted} defined above`,
      );
    }
    const kind = arg.index !== undefined ? (def.kind === "list" ? "skb" : undefined) : def.kind;
    if (kind === want) return undefined;
    const what = arg.index !== undefined ? `${arg.name}[${arg.index}]` : arg.name;
    const is =
      arg.index !== undefined && def.kind !== "list"
        ? `${arg.name} is ${A_KIND[def.kind]} (line ${def.line}), not a segment list`
        : `${what} is ${A_KIND[def.kind]} (line ${def.line})`;
    return new LineError(span.column, span.endColumn, `${spec.fn}: argument ${i + 1} (${spec.names[i]}) must be ${wanted}; ${is}`, wanted);
  }
}

/**
 * The ids of a `# without:` line; each unknown or unrevertible id is an
 * error at its own columns (with the closest catalogued id suggested).
 */
function parseWithout(raw: string, line: number, diagnostics: Diagnostic[]): string[] {
  const colon = raw.indexOf(":");
  const ids: string[] = [];
  const item = /[^,]+/g;
  for (let m = item.exec(raw.slice(colon + 1)); m; m = item.exec(raw.slice(colon + 1))) {
    const id = m[0].trim();
    if (!id) continue;
    const column = colon + 2 + m.index + (m[0].length - m[0].trimStart().length);
    const problem = withoutProblem(id);
    if (problem)
      diagnostics.push({ line, column, endColumn: column + id.length, severity: "error", message: problem, expected: "a fix id (npx skbscope fixes)" });
    else ids.push(id);
  }
  if (!ids.length && !diagnostics.some((d) => d.line === line)) {
    diagnostics.push({
      line,
      column: colon + 2,
      endColumn: raw.length + 1,
      severity: "error",
      message: "# without: names no fix",
      expected: "a fix id (npx skbscope fixes)",
    });
  }
  return ids;
}

export const hasErrors = (p: Parsed): boolean => p.diagnostics.some((d) => d.severity === "error");
