// SPDX-License-Identifier: GPL-2.0-only
/**
 * The content of a link: a view as a bit stream (the layout is in
 * format.ts), and back. Throws CannotEncode / Malformed; the public API
 * (index.ts) turns those into error values.
 */
import { OPS, type OpSpec } from "../ops";
import { SEMANTICS_VERSION } from "../version";
import { stripPositions, type Arg, type Trace, type TraceOp } from "../trace/ast";
import { hasErrors, parseTrace } from "../trace/parse";
import { sortFixIds, withoutProblem } from "../fixes/fixed";
import { BitReader, BitWriter, Malformed, readLeb, writeLeb } from "./bits";
import { INT_TABLE, KERNEL_CODES, KEYWORDS, LIMITS, NAME_CHARS, NAME_RE, SELECTION_RE, STORY_CODES, type LinkView, type StoryLookup } from "./format";
import { FIX_CODES } from "./fixes";
import { OPCODES, SHORT_OPS } from "./opcodes";
import { POLICY_CODES } from "./policies";

/** UTF-8 for the link's text part. Core has no DOM types; every JS runtime we run in has these globals. */
interface Utf8 {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: "utf-8", options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const utf8 = globalThis as unknown as Utf8;

// --- encoding ---------------------------------------------------------------

function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

export function storyTrace(lookup: StoryLookup | undefined, id: string | null | undefined): Trace | null {
  if (!id || !lookup) return null;
  let source: string | undefined;
  try {
    source = lookup(id);
  } catch {
    return null;
  }
  if (typeof source !== "string") return null;
  const parsed = parseTrace(source);
  return hasErrors(parsed) ? null : stripPositions(parsed.trace);
}

/** An op without its comments and positions. */
function bareOp(op: TraceOp): unknown {
  return { fn: op.fn, result: op.result ?? null, args: op.args.map((a) => ({ ...a, span: undefined })) };
}

export function sameOps(a: Trace, b: Trace): boolean {
  return a.ops.length === b.ops.length && a.ops.every((op, i) => same(bareOp(op), bareOp(b.ops[i])));
}

function commentsOf(t: Trace): unknown {
  return { ops: t.ops.map((op) => [op.leading ?? [], op.comment ?? null]), trailing: t.trailing ?? [] };
}

/** Structural equality of plain data (undefined members count as absent). */
export function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => same(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export class CannotEncode extends Error {}

/** The content bytes of a view (no framing). Throws CannotEncode. */
export function encodeContent(view: LinkView, options: { stories?: StoryLookup; comments?: boolean } = {}): Uint8Array {
  const trace = stripPositions(view.trace);
  const w = new BitWriter();
  const code = <T>(table: readonly T[], v: T, what: string): number => {
    const i = table.indexOf(v);
    if (i < 0) throw new CannotEncode(`unknown ${what} ${JSON.stringify(v)}`);
    return i;
  };
  if (trace.ops.length > LIMITS.ops) throw new CannotEncode(`the trace has ${trace.ops.length} operations; a link carries at most ${LIMITS.ops}`);

  // A story link leaves out what the story itself says.
  const story = storyTrace(options.stories, view.storyId);
  const storyCode = story && sameOps(story, trace) ? STORY_CODES.indexOf(view.storyId!) + 1 : 0;
  const hasComments = options.comments !== false && (trace.ops.some((op) => op.leading?.length || op.comment !== undefined) || !!trace.trailing?.length);
  const titleMode = storyCode && story!.title === trace.title ? FROM_STORY : trace.title === undefined ? NONE : IN_LINK;
  const commentsMode = storyCode && same(commentsOf(story!), commentsOf(trace)) && hasComments ? FROM_STORY : hasComments ? IN_LINK : NONE;

  w.ue(SEMANTICS_VERSION);
  w.ue(code(POLICY_CODES, view.policy, "policy"));
  w.ue(code(KERNEL_CODES, view.kernel, "kernel"));
  // Trace headers: "1" the view's own value, "00" none, "01" + ue code.
  const header = <T>(table: readonly T[], v: T | undefined, viewValue: T, what: string) => {
    if (v === viewValue) w.write(1, 1);
    else if (v === undefined) w.write(0, 2);
    else {
      w.write(1, 2);
      w.ue(code(table, v, what));
    }
  };
  header(POLICY_CODES, trace.policy, view.policy, "policy");
  header(KERNEL_CODES, trace.kernel, view.kernel, "kernel");
  w.ue(storyCode);
  writeMode(w, titleMode, storyCode > 0);
  writeMode(w, commentsMode, storyCode > 0);

  // Names in order of first appearance.
  const names: string[] = [];
  const index = new Map<string, number>();
  const see = (name: string) => {
    if (!index.has(name)) {
      index.set(name, names.length);
      names.push(name);
    }
  };
  for (const op of trace.ops) {
    if (!OPS.has(op.fn)) throw new CannotEncode(`unknown operation ${op.fn}`);
    if (op.result !== undefined) see(op.result);
    for (const a of op.args) if (a.kind === "ref") see(a.name);
  }
  if (names.length > LIMITS.names) throw new CannotEncode(`the trace has ${names.length} names; a link carries at most ${LIMITS.names}`);
  w.ue(names.length);
  for (const name of names) {
    if (!NAME_RE.test(name) || KEYWORDS.has(name) || name.length > LIMITS.nameChars) {
      throw new CannotEncode(`name ${JSON.stringify(name.slice(0, 80))} cannot go in a link`);
    }
    w.ue(name.length - 1);
    for (const c of name) w.write(NAME_CHARS.indexOf(c), 6);
  }

  w.ue(trace.ops.length);
  let seen = 0;
  const nameRef = (name: string, isResult: boolean) => {
    const i = index.get(name)!;
    const isNew = i === seen;
    if (isResult) {
      w.write(isNew ? 1 : 0, 1);
      if (!isNew) w.write(i, bitsFor(seen));
    } else {
      w.write(i, bitsFor(seen + 1));
    }
    if (isNew) seen++;
  };
  for (const op of trace.ops) {
    const spec = OPS.get(op.fn)!;
    const short = SHORT_OPS.indexOf(op.fn);
    if (short >= 0) {
      w.write(0, 1);
      w.write(short, 3);
    } else {
      const opcode = code(OPCODES, op.fn, "operation");
      w.write(1, 1);
      if (opcode < 63) w.write(opcode, 6);
      else {
        w.write(63, 6);
        w.ue(opcode - 63);
      }
    }
    const min = spec.params.length - (spec.optional ?? 0);
    if (op.args.length < min || op.args.length > spec.params.length) throw new CannotEncode(`${op.fn} with ${op.args.length} arguments`);
    if (spec.optional) w.ue(op.args.length - min);
    if (returnsName(spec, op.args.length) !== (op.result !== undefined)) {
      throw new CannotEncode(`${op.fn}: a result name where none belongs, or none where one does`);
    }
    if (op.result !== undefined) nameRef(op.result, true);
    op.args.forEach((a, i) => writeArg(w, spec, i, a, nameRef));
  }

  const comments: string[] = [];
  if (commentsMode === IN_LINK) {
    for (const op of trace.ops) {
      const lead = op.leading ?? [];
      w.write(lead.length ? 1 : 0, 1);
      if (lead.length) w.ue(lead.length - 1);
      comments.push(...lead);
      w.write(op.comment !== undefined ? 1 : 0, 1);
      if (op.comment !== undefined) comments.push(op.comment);
    }
    w.ue(trace.trailing?.length ?? 0);
    comments.push(...(trace.trailing ?? []));
  }

  if (!Number.isInteger(view.step) || view.step < 0 || view.step > trace.ops.length) {
    throw new CannotEncode(`step ${view.step} is outside 0..${trace.ops.length}`);
  }
  w.ue(trace.ops.length - view.step);
  const sel = view.selection ?? null;
  let selText: string[] = [];
  if (sel === null) w.write(0, 2);
  else if (index.has(sel)) {
    w.write(1, 2);
    w.ue(index.get(sel)!);
  } else {
    if (typeof sel !== "string" || !SELECTION_RE.test(sel) || sel.length > 128) {
      throw new CannotEncode(`selection ${JSON.stringify(String(sel).slice(0, 80))} cannot go in a link`);
    }
    w.write(2, 2);
    selText = [sel];
  }

  // The text section: title, selection, comments.
  const bits = w.finish();
  const text: number[] = [];
  const enc = new utf8.TextEncoder();
  for (const t of [...(titleMode === IN_LINK ? [trace.title!] : []), ...selText, ...comments]) {
    const b = enc.encode(t);
    if (b.length > LIMITS.textBytes) throw new CannotEncode(`a title or comment of ${b.length} bytes is too long for a link (limit ${LIMITS.textBytes})`);
    writeLeb(text, b.length);
    for (const x of b) text.push(x);
  }
  if (hasFixExtension(view)) writeFixes(text, view.without ?? [], trace.without);
  const out = new Uint8Array(bits.length + text.length);
  out.set(bits);
  out.set(text, bits.length);
  return out;
}

/** Whether a view needs format 2: it or its trace reverts a fix. */
export function hasFixExtension(view: LinkView): boolean {
  return !!view.without?.length || !!view.trace.without?.length;
}

/**
 * Format 2's extension, after the text section: the view's reverted fixes
 * (LEB count, then each LEB FIX_CODES index), then the trace's
 * `# without:` header (LEB 0 none, 1 the view's list, 2 + a list).
 */
function writeFixes(out: number[], view: readonly string[], header: readonly string[] | undefined): void {
  const list = (ids: readonly string[]) => {
    const sorted = sortFixIds(ids);
    if (sorted.length !== ids.length || ids.some((id) => withoutProblem(id) !== null)) {
      throw new CannotEncode(`reverted fixes ${JSON.stringify(ids)}: not all can be switched off, or one is named twice`);
    }
    writeLeb(out, sorted.length);
    for (const id of sorted) writeLeb(out, FIX_CODES.indexOf(id));
  };
  list(view);
  if (!header?.length) writeLeb(out, 0);
  else if (same(sortFixIds(header), sortFixIds(view))) writeLeb(out, 1);
  else {
    writeLeb(out, 2);
    list(header);
  }
}

function readFixes(bytes: Uint8Array, start: number): { view: string[]; header: string[] | undefined; end: number } {
  let at = start;
  const leb = (): number => {
    if (at >= bytes.length) throw new Malformed("the reverted-fix list is cut off");
    const { value, next } = readLeb(bytes, at);
    at = next;
    return value;
  };
  const list = (): string[] => {
    const n = leb();
    if (n > FIX_CODES.length) throw new Malformed(`the link reverts ${n} fixes; there are ${FIX_CODES.length}`);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const code = leb();
      if (code >= FIX_CODES.length) throw new Malformed(`unknown fix code ${code} (from a newer skbscope?)`);
      const id = FIX_CODES[code];
      const problem = withoutProblem(id);
      if (problem) throw new Malformed(problem);
      if (ids.includes(id)) throw new Malformed(`fix ${id} is reverted twice`);
      ids.push(id);
    }
    if (!same(sortFixIds(ids), ids)) throw new Malformed("reverted fixes out of catalogue order");
    return ids;
  };
  const view = list();
  const mode = leb();
  if (mode > 2) throw new Malformed("bad # without: header field");
  const header = mode === 0 ? undefined : mode === 1 ? view : list();
  if (mode === 1 && !view.length) throw new Malformed("a # without: header with no fixes");
  return { view, header, end: at };
}

const NONE = 0;
const IN_LINK = 1;
const FROM_STORY = 2;

/**
 * Title and comments: with a story, "1" the story's, "00" none, "01" in
 * the link; without one, "1" in the link, "0" none.
 */
function writeMode(w: BitWriter, mode: number, story: boolean): void {
  if (story) {
    if (mode === FROM_STORY) w.write(1, 1);
    else w.write(mode === IN_LINK ? 1 : 0, 2);
  } else {
    if (mode === FROM_STORY) throw new CannotEncode("text from a story, but no story");
    w.write(mode === IN_LINK ? 1 : 0, 1);
  }
}

function readMode(r: BitReader, story: boolean): number {
  if (r.read(1) === 1) return story ? FROM_STORY : IN_LINK;
  if (!story) return NONE;
  return r.read(1) === 1 ? IN_LINK : NONE;
}

function returnsName(spec: OpSpec, nargs: number): boolean {
  const min = spec.params.length - (spec.optional ?? 0);
  return spec.result !== null && !(spec.resultUnlessOptional && nargs > min);
}

function writeArg(w: BitWriter, spec: OpSpec, i: number, a: Arg, nameRef: (n: string, r: boolean) => void): void {
  const kind = spec.params[i];
  const bad = () => new CannotEncode(`${spec.fn}: argument ${i + 1} is not ${kind}`);
  switch (kind) {
    case "int": {
      if (a.kind !== "int" || !Number.isInteger(a.value) || Math.abs(a.value) > 0xffffffff) throw bad();
      const t = INT_TABLE.indexOf(a.value === 0 ? 0 : a.value);
      if (t >= 0) {
        w.write(0, 1);
        w.write(t, 3);
      } else {
        w.write(1, 1);
        w.write(a.value < 0 ? 1 : 0, 1);
        w.ue(Math.abs(a.value));
      }
      return;
    }
    case "owner":
      if (a.kind !== "kw" || (a.value !== "guest" && a.value !== "host")) throw bad();
      w.write(a.value === "host" ? 1 : 0, 1);
      return;
    case "bool":
      if (a.kind !== "kw" || (a.value !== "true" && a.value !== "false")) throw bad();
      w.write(a.value === "true" ? 1 : 0, 1);
      return;
    default:
      if (a.kind !== "ref") throw bad();
      nameRef(a.name, false);
      if (kind === "skb") {
        w.write(a.index !== undefined ? 1 : 0, 1);
        if (a.index !== undefined) w.ue(a.index);
      } else if (a.index !== undefined) throw bad();
  }
}

// --- decoding ---------------------------------------------------------------

export interface Content {
  semantics: number;
  view: LinkView;
  storyCode: number;
  titleFromStory: boolean;
  commentsFromStory: boolean;
}

/** Parses content bytes. Throws Malformed. */
export function decodeContent(bytes: Uint8Array): Content {
  const r = new BitReader(bytes);
  const semantics = r.ue();
  const pick = <T>(table: readonly T[], i: number, what: string): T => {
    if (i >= table.length) throw new Malformed(`unknown ${what} code ${i} (from a newer skbscope?)`);
    return table[i];
  };
  const policy = pick(POLICY_CODES, r.ue(), "policy");
  const kernel = pick(KERNEL_CODES, r.ue(), "kernel");
  const header = <T>(table: readonly T[], viewValue: T, what: string): T | undefined => {
    if (r.read(1) === 1) return viewValue;
    if (r.read(1) === 0) return undefined;
    const v = pick(table, r.ue(), what);
    if (v === viewValue) throw new Malformed(`a ${what} header written the long way`);
    return v;
  };
  const hPolicy = header(POLICY_CODES, policy, "policy");
  const hKernel = header(KERNEL_CODES, kernel, "kernel");
  const storyCode = r.ue();
  if (storyCode > STORY_CODES.length) throw new Malformed(`unknown story code ${storyCode} (from a newer skbscope?)`);
  const titleMode = readMode(r, storyCode > 0);
  const commentsMode = readMode(r, storyCode > 0);
  const withTitle = titleMode === IN_LINK;
  const withComments = commentsMode === IN_LINK;

  const nNames = r.ue();
  if (nNames > LIMITS.names) throw new Malformed(`the link claims ${nNames} names; the limit is ${LIMITS.names}`);
  const names: string[] = [];
  const unique = new Set<string>();
  for (let i = 0; i < nNames; i++) {
    const len = r.ue() + 1;
    if (len > LIMITS.nameChars) throw new Malformed(`a name of ${len} characters (limit ${LIMITS.nameChars})`);
    let name = "";
    for (let j = 0; j < len; j++) {
      const c = r.read(6);
      if (c >= NAME_CHARS.length) throw new Malformed("a name with a character outside the name alphabet");
      name += NAME_CHARS[c];
    }
    if (!NAME_RE.test(name) || KEYWORDS.has(name)) throw new Malformed(`${JSON.stringify(name)} is not a trace name`);
    if (unique.has(name)) throw new Malformed(`name ${name} appears twice in the name table`);
    unique.add(name);
    names.push(name);
  }

  const nOps = r.ue();
  if (nOps > LIMITS.ops) throw new Malformed(`the link claims ${nOps} operations; the limit is ${LIMITS.ops}`);
  let seen = 0;
  const nameRef = (isResult: boolean): string => {
    let i: number;
    if (isResult) {
      if (r.read(1) === 1) i = seen;
      else {
        i = r.read(bitsFor(seen));
        if (i >= seen) throw new Malformed("a name index out of range");
      }
    } else {
      i = r.read(bitsFor(seen + 1));
      if (i > seen) throw new Malformed("a name index out of range");
    }
    if (i === seen) {
      if (seen >= names.length) throw new Malformed("more names used than the name table holds");
      seen++;
    }
    return names[i];
  };
  const ops: TraceOp[] = [];
  for (let k = 0; k < nOps; k++) {
    let fn: string;
    if (r.read(1) === 0) fn = SHORT_OPS[r.read(3)];
    else {
      let opcode = r.read(6);
      if (opcode === 63) opcode = 63 + r.ue();
      if (opcode >= OPCODES.length || !OPCODES[opcode]) throw new Malformed(`unknown operation code ${opcode} (from a newer skbscope?)`);
      fn = OPCODES[opcode];
      if (fn === undefined) throw new Malformed(`unknown operation code ${opcode} (a reserved code no operation has)`);
      if (SHORT_OPS.includes(fn)) throw new Malformed(`${fn} written the long way`);
    }
    const spec = OPS.get(fn);
    if (!spec) throw new Malformed(`operation ${fn} no longer exists in this skbscope`);
    const min = spec.params.length - (spec.optional ?? 0);
    const nargs = spec.optional ? min + r.ue() : min;
    if (nargs > spec.params.length) throw new Malformed(`${spec.fn} with ${nargs} arguments`);
    const result = returnsName(spec, nargs) ? nameRef(true) : undefined;
    const args: Arg[] = [];
    for (let i = 0; i < nargs; i++) args.push(readArg(r, spec.params[i], nameRef));
    ops.push({ fn: spec.fn, ...(result !== undefined ? { result } : {}), args });
  }
  if (seen !== names.length) throw new Malformed("the name table holds names no operation uses");

  // Comment layout; texts come later.
  const layout: { leading: number; own: boolean }[] = [];
  let trailing = 0;
  if (withComments) {
    for (let k = 0; k < nOps; k++) {
      const leading = r.read(1) === 1 ? r.ue() + 1 : 0;
      if (leading > bytes.length) throw new Malformed("more comment lines than the link has bytes");
      layout.push({ leading, own: r.read(1) === 1 });
    }
    trailing = r.ue();
    if (trailing > bytes.length) throw new Malformed("more comment lines than the link has bytes");
  }

  const back = r.ue();
  if (back > nOps) throw new Malformed(`a step before the first operation`);
  const step = nOps - back;
  const selMode = r.read(2);
  let selection: string | null = null;
  if (selMode === 1) {
    const i = r.ue();
    if (i >= names.length) throw new Malformed("the selection names no trace object");
    selection = names[i];
  } else if (selMode === 3) throw new Malformed("bad selection field");

  // The text section.
  let at = r.align();
  const dec = new utf8.TextDecoder("utf-8", { fatal: true });
  const nextText = (what: string): string => {
    const { value: len, next } = readLeb(bytes, at);
    if (len > LIMITS.textBytes) throw new Malformed(`a ${what} of ${len} bytes (limit ${LIMITS.textBytes})`);
    if (next + len > bytes.length) throw new Malformed(`the ${what} is cut off`);
    let s: string;
    try {
      s = dec.decode(bytes.subarray(next, next + len));
    } catch {
      throw new Malformed(`the ${what} is not valid UTF-8`);
    }
    if (/[\r\n]/.test(s)) throw new Malformed(`the ${what} has a line break in it`);
    at = next + len;
    return s;
  };
  const title = withTitle ? nextText("title") : undefined;
  if (selMode === 2) {
    selection = nextText("selection");
    if (!SELECTION_RE.test(selection) || selection.length > 128) throw new Malformed("the selection is not an object name");
  }
  const withText: TraceOp[] = ops.map((op, k) => {
    if (!withComments) return op;
    const leading: string[] = [];
    for (let i = 0; i < layout[k].leading; i++) leading.push(nextText("comment"));
    const comment = layout[k].own ? nextText("comment") : undefined;
    return { ...op, ...(comment !== undefined ? { comment } : {}), ...(leading.length ? { leading } : {}) };
  });
  const trail: string[] = [];
  for (let i = 0; i < trailing; i++) trail.push(nextText("comment"));
  // Format 2: what follows the text section is the reverted-fix extension.
  let without: string[] = [];
  let hWithout: string[] | undefined;
  if (at !== bytes.length) {
    const fixes = readFixes(bytes, at);
    if (!fixes.view.length && !fixes.header?.length) throw new Malformed("an empty reverted-fix extension");
    without = fixes.view;
    hWithout = fixes.header;
    at = fixes.end;
  }
  if (at !== bytes.length) throw new Malformed("the link has bytes after its end");

  const trace: Trace = {
    ...(title !== undefined ? { title } : {}),
    ...(hPolicy !== undefined ? { policy: hPolicy } : {}),
    ...(hKernel !== undefined ? { kernel: hKernel } : {}),
    ...(hWithout?.length ? { without: hWithout } : {}),
    ops: withText,
    ...(trail.length ? { trailing: trail } : {}),
  };
  return {
    semantics,
    view: { trace, policy, kernel, ...(without.length ? { without } : {}), step, selection, storyId: storyCode ? STORY_CODES[storyCode - 1] : null },
    storyCode,
    titleFromStory: titleMode === FROM_STORY,
    commentsFromStory: commentsMode === FROM_STORY,
  };
}

function readArg(r: BitReader, kind: string, nameRef: (isResult: boolean) => string): Arg {
  switch (kind) {
    case "int": {
      if (r.read(1) === 0) return { kind: "int", value: INT_TABLE[r.read(3)] };
      const negative = r.read(1) === 1;
      const mag = r.ue();
      if (mag > 0xffffffff) throw new Malformed("a number larger than 32 bits");
      if (negative && mag === 0) throw new Malformed("a negative zero");
      return { kind: "int", value: negative ? -mag : mag };
    }
    case "owner":
      return { kind: "kw", value: r.read(1) ? "host" : "guest" };
    case "bool":
      return { kind: "kw", value: r.read(1) ? "true" : "false" };
    default: {
      const name = nameRef(false);
      if (kind === "skb" && r.read(1) === 1) {
        const index = r.ue();
        if (index > 0xffffffff) throw new Malformed("a segment index larger than 32 bits");
        return { kind: "ref", name, index };
      }
      return { kind: "ref", name };
    }
  }
}
