/**
 * The parser. It never throws: it returns the trace it could read and a
 * diagnostic (line, column, what was expected) for everything else.
 */
import { ALIASES, OPS, opSpec, type OpSpec, type ParamKind } from "../ops";
import { KERNELS, POLICIES, type KernelId, type PolicyId } from "../model/types";
import { sortFixIds, withoutProblem } from "../fixes/fixed";
import { KEYWORDS, MAX_COLUMNS, type Arg, type Diagnostic, type Parsed, type Span, type TraceOp } from "./ast";

/** `# title: ...`, `# policy: ...`, `# kernel: ...`, `# without: ID, ...` */
export const HEADER_LINE = /^#\s*(title|policy|kernel|without)\s*:(.*)$/;

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
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i));
    if (id) {
      toks.push({ t: "id", v: id[0], col, end: col + id[0].length });
      i += id[0].length;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)(?![A-Za-z0-9_])/.exec(code.slice(i));
    if (num) {
      const v = Number(num[0]);
      if (!Number.isSafeInteger(v) || v > 0xffffffff) throw new LineError(col, col + num[0].length, `number ${num[0]} is too large`, "a 32-bit unsigned integer");
      toks.push({ t: "num", v, col, end: col + num[0].length });
      i += num[0].length;
      continue;
    }
    if ("()=,[]-".includes(c)) {
      toks.push({ t: "p", v: c, col, end: col + 1 });
      i++;
      continue;
    }
    throw new LineError(col, col + 1, `unexpected character ${JSON.stringify(c)}`, "a name, a number or one of ( ) , = [ ]");
  }
  toks.push({ t: "eof", col: base + code.length, end: base + code.length + 1 });
  return toks;
}

function describe(tok: Tok): string {
  if (tok.t === "eof") return "the end of the line";
  if (tok.t === "num") return `the number ${tok.v}`;
  if (tok.t === "id") return `"${tok.v}"`;
  return `"${tok.v}"`;
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
};

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

export function suggestOp(fn: string): string | undefined {
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
    return { kind: "int", value: -num.v, span: span(num.end) };
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
    case "int":
      if (arg.kind !== "int") bad();
      return;
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

function parseStatement(code: string, base: number, line: number): TraceOp {
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
    const hint = suggestOp(first.v);
    throw new LineError(first.col, first.end, `unknown operation "${first.v}"${hint ? `; did you mean ${hint}?` : ""}`, "an operation name (see the README)");
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
  if (end.t !== "eof") throw new LineError(end.col, end.end, `expected the end of the line after ")", found ${describe(end)}`, "a comment or the end of the line");

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
    throw new LineError(first.col, first.end, `${spec.fn} returns ${KIND_WORDS[spec.result!].replace(" name", "")}: name it, as in x = ${spec.fn}(...)`, `x = ${spec.fn}(...)`);
  }
  if (!needsResult && result !== undefined) {
    throw new LineError(base, first.col, `${spec.fn} returns nothing to assign${spec.resultUnlessOptional ? " when given a pipe" : ""}`, `${spec.fn}(...)`);
  }
  return { fn: spec.fn, ...(result !== undefined ? { result } : {}), args, line };
}

/** Parse a whole trace. */
export function parseTrace(source: string): Parsed {
  const diagnostics: Diagnostic[] = [];
  const ops: TraceOp[] = [];
  let title: string | undefined;
  let policy: PolicyId | undefined;
  let kernel: KernelId | undefined;
  let without: string[] | undefined;
  let leading: string[] = [];
  let inHeader = true;
  const lines = source.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();

  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.length > MAX_COLUMNS) {
      diagnostics.push({
        line,
        column: MAX_COLUMNS + 1,
        endColumn: raw.length + 1,
        severity: "warning",
        message: `line is ${raw.length} columns; keep traces within ${MAX_COLUMNS} so they survive email`,
      });
    }
    const hash = raw.indexOf("#");
    const code = (hash >= 0 ? raw.slice(0, hash) : raw).trimEnd();
    const comment = hash >= 0 ? raw.slice(hash + 1).trimEnd() : undefined;
    if (code.trim() === "") {
      if (comment === undefined) {
        inHeader = false;
        return;
      }
      const header = inHeader ? HEADER_LINE.exec(raw.trim()) : null;
      if (header && raw.trimStart().startsWith("#")) {
        const value = header[2].trim();
        const key = header[1];
        if (key === "title") title = value;
        else if (key === "without") without = [...(without ?? []), ...parseWithout(raw, line, diagnostics)];
        else if (key === "policy") {
          if ((POLICIES as readonly string[]).includes(value)) policy = value as PolicyId;
          else diagnostics.push({ line, column: hash + 1, endColumn: raw.length + 1, severity: "error", message: `unknown policy "${value}"`, expected: POLICIES.join(" | ") });
        } else if ((KERNELS as readonly string[]).includes(value)) kernel = value as KernelId;
        else diagnostics.push({ line, column: hash + 1, endColumn: raw.length + 1, severity: "error", message: `unknown kernel "${value}"`, expected: KERNELS.join(" | ") });
        return;
      }
      inHeader = false;
      leading.push(comment);
      return;
    }
    inHeader = false;
    const lead = code.length - code.trimStart().length;
    try {
      const op = parseStatement(code.trimStart(), lead + 1, line);
      ops.push({
        ...op,
        ...(comment !== undefined ? { comment } : {}),
        ...(leading.length ? { leading } : {}),
      });
      leading = [];
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      diagnostics.push({
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
      ...(without !== undefined && without.length ? { without: sortFixIds(without) } : {}),
      ops,
      ...(leading.length ? { trailing: leading } : {}),
    },
    diagnostics,
  };
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
    if (problem) diagnostics.push({ line, column, endColumn: column + id.length, severity: "error", message: problem, expected: "a fix id (npx skbscope fixes)" });
    else ids.push(id);
  }
  if (!ids.length && !diagnostics.some((d) => d.line === line)) {
    diagnostics.push({ line, column: colon + 2, endColumn: raw.length + 1, severity: "error", message: "# without: names no fix", expected: "a fix id (npx skbscope fixes)" });
  }
  return ids;
}

export const hasErrors = (p: Parsed): boolean => p.diagnostics.some((d) => d.severity === "error");
