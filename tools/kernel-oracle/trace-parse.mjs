// SPDX-License-Identifier: GPL-2.0-only
// A dependency-free parser of the skbscope trace language
// (docs/trace-language.md) and its translation into the command script that
// the skboracle kernel module executes.

import fs from "node:fs";

export const KEYWORDS = new Set(["guest", "host", "true", "false"]);

// The operations, from the op registry (core/ops) by `npm run docs`: per op
// its argument kinds (skb, page, pipe, sock, segs, int, kw:<a>|<b>, pool: a
// page_pool name, defined by its first use), ret (the
// kind of object a `name =` introduces; null: none allowed), alt (the
// signature with the optional arguments, which names nothing), kernel (the
// only kernel that has it) and command (the skboracle module's name for it),
// or notRecordable (why the oracle cannot run it). aliases: other spellings.
const TABLE = JSON.parse(fs.readFileSync(new URL("./ops.json", import.meta.url), "utf8"));
export const OPS = TABLE.ops;
export const ALIASES = TABLE.aliases;

export const POLICIES = ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"];

export class TraceError extends Error {
  constructor(line, col, message) {
    super(`${line}:${col}: ${message}`);
    this.line = line;
    this.col = col;
    this.msg = message;
  }
}

function tokenize(text, lineNo, col0) {
  const toks = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const col = col0 + i;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if ("=(),[]".includes(c)) {
      toks.push({ t: c, col });
      i++;
      continue;
    }
    let m = /^0[xX][0-9a-fA-F]+/.exec(text.slice(i));
    if (m) {
      toks.push({ t: "int", v: BigInt(m[0]), col, s: m[0] });
      i += m[0].length;
      continue;
    }
    if (/^0[xX]/.test(text.slice(i))) throw new TraceError(lineNo, col + 2, "expected a hexadecimal digit");
    m = /^[0-9]+/.exec(text.slice(i));
    if (m) {
      if (/^[A-Za-z_]/.test(text.slice(i + m[0].length))) throw new TraceError(lineNo, col + m[0].length, 'expected a digit, "," or ")"');
      toks.push({ t: "int", v: BigInt(m[0]), col, s: m[0] });
      i += m[0].length;
      continue;
    }
    m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (m) {
      toks.push({ t: "name", v: m[0], col });
      i += m[0].length;
      continue;
    }
    throw new TraceError(lineNo, col, `unexpected character ${JSON.stringify(c)}`);
  }
  toks.push({ t: "eol", col: col0 + text.length });
  return toks;
}

function parseStatement(text, lineNo, col0) {
  const toks = tokenize(text, lineNo, col0);
  let p = 0;
  const peek = () => toks[p];
  const expect = (t, what) => {
    const k = toks[p];
    if (k.t !== t) throw new TraceError(lineNo, k.col, `expected ${what}`);
    p++;
    return k;
  };
  let dst = null;
  let fn;
  const first = expect("name", "a name or a function");
  if (peek().t === "=") {
    p++;
    dst = first;
    fn = expect("name", 'a function name after "="');
  } else {
    fn = first;
  }
  expect("(", '"(" after the function name');
  const args = [];
  if (peek().t !== ")") {
    for (;;) {
      const k = peek();
      if (k.t === "int") {
        p++;
        args.push({ kind: "int", v: k.v, col: k.col });
      } else if (k.t === "name") {
        p++;
        if (KEYWORDS.has(k.v)) {
          args.push({ kind: "kw", v: k.v, col: k.col });
        } else if (peek().t === "[") {
          p++;
          const idx = expect("int", "an index");
          expect("]", '"]"');
          args.push({ kind: "ref", v: `${k.v}[${idx.v}]`, base: k.v, index: Number(idx.v), col: k.col });
        } else {
          args.push({ kind: "ref", v: k.v, col: k.col });
        }
      } else {
        throw new TraceError(lineNo, k.col, "expected an argument (a name, an integer or guest/host/true/false)");
      }
      if (peek().t === ",") {
        p++;
        continue;
      }
      break;
    }
  }
  expect(")", '"," or ")"');
  expect("eol", "the end of the statement (or a # comment)");
  return { dst: dst && dst.v, dstCol: dst && dst.col, fn: fn.v, fnCol: fn.col, args };
}

// Parse a trace. Returns { header: {title, policy, kernel}, ops: [{line, text,
// dst, fn, args}], warnings: [] }. Throws TraceError on the first error.
export function parseTrace(source) {
  const lines = source.split(/\r?\n/);
  const header = {};
  const ops = [];
  const warnings = [];
  const types = new Map(); // name -> kind
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    let text = raw;
    let col0 = 1;
    // "> " quoting of an e-mail reply
    for (;;) {
      const m = /^[ \t]*>[ ]?/.exec(text);
      if (!m) break;
      text = text.slice(m[0].length);
      col0 += m[0].length;
    }
    if (raw.length > 72) warnings.push(`${lineNo}: line longer than 72 columns`);
    const hash = text.indexOf("#");
    const comment = hash >= 0 ? text.slice(hash + 1) : null;
    const stmt = hash >= 0 ? text.slice(0, hash) : text;
    if (!stmt.trim()) {
      if (comment !== null && ops.length === 0) {
        const m = /^\s*(title|policy|kernel)\s*:\s*(.*?)\s*$/.exec(comment);
        if (m) header[m[1]] = m[2];
      }
      return;
    }
    const lead = stmt.length - stmt.trimStart().length;
    const st = parseStatement(stmt.trim(), lineNo, col0 + lead);
    const sig0 = OPS[st.fn] ?? OPS[ALIASES[st.fn]];
    if (!sig0) throw new TraceError(lineNo, st.fnCol, `unknown operation ${st.fn}`);
    if (sig0.notRecordable) throw new TraceError(lineNo, st.fnCol, `${st.fn} cannot be recorded: ${sig0.notRecordable}`);
    let sig = sig0;
    if (sig0.alt && st.args.length === sig0.alt.args.length) sig = { ...sig0.alt, ret: null };
    if (st.args.length !== sig.args.length) {
      throw new TraceError(lineNo, st.fnCol, `${st.fn} takes ${sig.args.length} argument(s), got ${st.args.length}`);
    }
    if (st.dst && !sig.ret) throw new TraceError(lineNo, st.dstCol, `${st.fn}(...) returns no object to name`);
    if (!st.dst && sig.ret) throw new TraceError(lineNo, st.fnCol, `expected "name =" before ${st.fn}: it creates a ${sig.ret}`);
    sig.args.forEach((kind, i) => {
      const a = st.args[i];
      if (kind === "int") {
        if (a.kind !== "int") throw new TraceError(lineNo, a.col, "expected an integer");
        if (a.v > 0xffffffffn) throw new TraceError(lineNo, a.col, "integer out of range");
      } else if (kind.startsWith("kw:")) {
        const allowed = kind.slice(3).split("|");
        if (a.kind !== "kw" || !allowed.includes(a.v)) throw new TraceError(lineNo, a.col, `expected ${allowed.join(" or ")}`);
      } else if (kind === "pool") {
        // A page_pool is named by its first use (no definition line).
        if (a.kind !== "ref" || a.base !== undefined) throw new TraceError(lineNo, a.col, "expected a page_pool name");
      } else {
        if (a.kind !== "ref") throw new TraceError(lineNo, a.col, `expected the name of a ${kind}`);
        let t;
        if (a.base !== undefined) {
          t = types.get(a.base) === "segs" ? "skb" : undefined;
          if (types.get(a.base) === undefined) throw new TraceError(lineNo, a.col, `${a.base} is not defined`);
          if (t === undefined) throw new TraceError(lineNo, a.col, `${a.base} is not a segment list`);
        } else {
          t = types.get(a.v);
          if (t === undefined) throw new TraceError(lineNo, a.col, `${a.v} is not defined`);
        }
        if (t !== kind) throw new TraceError(lineNo, a.col, `${a.v} is a ${t}, expected a ${kind}`);
      }
    });
    if (st.dst) {
      if (types.has(st.dst)) throw new TraceError(lineNo, st.dstCol, `${st.dst} is already defined`);
      if (KEYWORDS.has(st.dst)) throw new TraceError(lineNo, st.dstCol, `${st.dst} is a keyword`);
      types.set(st.dst, sig.ret);
    }
    ops.push({ line: lineNo, text: stmt.trim(), dst: st.dst, fn: st.fn, command: sig0.command, args: st.args, kernel: sig0.kernel });
  });
  return { header, ops, warnings };
}

// The command script of the kernel module.
export function toCommands(name, parsed, policy) {
  const out = [`trace ${name}`, `policy ${policy}`];
  for (const op of parsed.ops) {
    const args = op.args.map((a) => (a.kind === "int" ? `i:${a.v.toString(10)}` : a.kind === "kw" ? `k:${a.v}` : `r:${a.v}`));
    out.push(["op", op.line, op.command, op.dst || "-", ...args].join(" "));
  }
  out.push("end");
  return out.join("\n") + "\n";
}
