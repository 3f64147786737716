/**
 * Permalinks: a whole view (trace, policy, kernel, step, selection) in a
 * URL fragment, with no server.
 *
 * Fragment (format 1):  "s" base64url(frame), no padding
 *   "s" names the format family; the base64url alphabet is what mail
 *   archives and linkifiers keep inside a URL.
 * Frame:  byte 0      format version (bits 0-5) | deflated (bit 6)
 *                     | padded (bit 7: one zero byte ends the frame, so
 *                     the link never ends in "_" or "-", which some
 *                     linkifiers drop; it then ends in "A")
 *         bytes 1-3   CRC-24 of byte 0 and the rest (big-endian)
 *         payload     the content, or deflate-raw(content) when shorter
 * Content: a bit stream (numbers are Exp-Golomb "ue" unless sized)
 *   ue semantics version (core SEMANTICS_VERSION when made)
 *   ue policy, ue kernel                 (POLICY_CODES, KERNEL_CODES)
 *   trace header policy, then kernel:    "1" the view's, "00" none,
 *                                        "01" ue code
 *   ue story                             0 none, else STORY_CODES[n - 1]
 *   title, then comments: with a story "1" the story's, "00" none,
 *     "01" in the link; without one "1" in the link, "0" none
 *   ue names; each ue(length - 1) then 6-bit characters (NAME_CHARS)
 *   ue ops; each "0" u3 (SHORT_OPS) or "1" u6 (OPCODES; 63 escapes to
 *     63 + ue), ue extra optional args (ops with optional args only),
 *     the result name if the op returns one, then each argument:
 *       name      u(w) index among the names seen so far, w just wide
 *                 enough; their count means the next new name
 *                 (a result: "1" the next new name, "0" u(w) an old one)
 *       skb name  as name, then u1 has [index], ue index
 *       int       "0" u3 INT_TABLE entry; "1" u1 sign, ue magnitude
 *       owner, bool  u1
 *   comments (if in the link): per op u1 leading (ue count - 1), u1
 *     own-line comment; ue trailing lines
 *   ue (ops - step); u2 selection: 0 none, 1 ue name index, 2 text
 *   then, byte-aligned, the text: title, selection, comments in order,
 *   each an LEB128 byte length and UTF-8.
 * The op, policy, kernel and story tables only ever grow at the end, so
 * a link made today decodes in every later version; SHORT_OPS, INT_TABLE
 * and NAME_CHARS are fixed for format 1.
 *
 * A story's link carries its operations and names (so it replays exactly)
 * but not its title or narration when they are the story's own: the
 * decoder takes those from the story, and says so if the story has
 * changed since.
 *
 * Decoding never throws: any input gives a value or a clear error. Sizes
 * are checked before decompressing, decompression stops at a cap, and
 * counts are checked before anything is allocated for them.
 */
import {
  OPS,
  SEMANTICS_CHANGES,
  SEMANTICS_VERSION,
  hasErrors,
  parseTrace,
  printTrace,
  stripPositions,
  type Arg,
  type KernelId,
  type OpSpec,
  type PolicyId,
  type Trace,
  type TraceOp,
} from "../../core/index";
import { BitReader, BitWriter, Malformed, crc24, fromBase64url, readLeb, toBase64url, writeLeb } from "./bits";

export const FORMAT_VERSION = 1;
export const PREFIX = "s";
const DEFLATED = 0x40;
const PADDED = 0x80;

/** Limits, all enforced before the work they bound. */
export const LIMITS = {
  /** Characters in a fragment (checked first, before any decoding). */
  fragmentChars: 8000,
  /** Bytes of content after decompression (decompression stops here). */
  contentBytes: 128 * 1024,
  ops: 10_000,
  names: 4096,
  nameChars: 64,
  textBytes: 4096,
} as const;

/** Append-only: the op code is the index. Never reorder or remove. */
export const OPCODES: readonly string[] = [
  "alloc_page", "get_page", "put_page", "owner_reuse", "alloc_skb", "alloc_skb_fclone", "napi_alloc_skb",
  "skb_reserve", "skb_put", "skb_push", "skb_pull", "skb_fill_page_desc", "skb_add_rx_frag", "skb_frag_add_head",
  "skb_get", "kfree_skb", "consume_skb", "kfree_skb_list", "skb_clone", "__skb_header_release", "skb_copy",
  "pskb_copy", "pskb_expand_head", "skb_split", "__pskb_pull_tail", "pskb_may_pull", "skb_linearize", "pskb_trim",
  "skb_try_coalesce", "kfree_skb_partial", "skb_shift", "skb_zerocopy", "skb_segment", "skb_splice_bits",
  "pipe_release", "sock_create", "sock_queue_rcv_skb", "skb_copy_datagram_iter", "sk_eat_skb", "skb_orphan",
  "zerocopy_arm", "skb_orphan_frags", "skb_orphan_frags_rx", "skb_copy_ubufs", "skb_recycle_check",
  "do_tcp_sendpages",
];
/** The eight commonest operations, 4 bits each (fixed for format 1); the rest take 7. */
export const SHORT_OPS: readonly string[] = [
  "alloc_page", "alloc_skb", "skb_fill_page_desc", "zerocopy_arm", "kfree_skb", "skb_clone", "pskb_copy", "pskb_expand_head",
];
/** Append-only, as OPCODES. */
export const POLICY_CODES: readonly PolicyId[] = ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy"];
export const KERNEL_CODES: readonly KernelId[] = ["6.1", "2.6.32"];
/** Append-only: a story's code is its index + 1. Ids of removed stories stay. */
export const STORY_CODES: readonly string[] = [
  "tsirkin-pskb-copy", "sharing-basics", "haskins-host-remote", "tcp-fragment-split", "expand-uncloned",
  "expand-cloned", "splice-pipe", "recycle-missed", "fix-ubuf-orphan", "fix-splice", "msg-zerocopy",
  "claim-destructor", "claim-up-the-reference", "claim-tracks-pages", "claim-guest-to-host",
  "claim-expand-nulling", "claim-and-others", "claim-metastasize",
];
/** Integers common in traces, 4 bits each. Fixed for format 1. */
export const INT_TABLE: readonly number[] = [0, 4096, 1448, 256, 1000, 2048, 64, 1500];
/** The 63 characters of a name, 6 bits each. */
export const NAME_CHARS = "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SELECTION_RE = /^[A-Za-z_][A-Za-z0-9_]*(\[\d{1,10}\])?(\.[A-Za-z_]+(\[\d{1,10}\])?)?$/;
const KEYWORDS = new Set(["guest", "host", "true", "false"]);

/** What a link restores. */
export interface LinkView {
  readonly trace: Trace;
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  /** 0 (before the first op) .. trace.ops.length. */
  readonly step: number;
  /** The selected object (a name from the state view: skb, page, Data, pipe...), or null. */
  readonly selection: string | null;
  /** The story this trace is, if it is one. */
  readonly storyId?: string | null;
}

export interface DecodedLink extends LinkView {
  readonly storyId: string | null;
  readonly formatVersion: number;
  readonly semantics: {
    /** The engine semantics the link was made under. */
    readonly link: number;
    readonly engine: number;
    /** What changed since (empty when the versions match). */
    readonly changes: readonly { version: number; summary: string }[];
  };
  /** Things the user should know: semantics changed, story changed... */
  readonly notes: readonly string[];
}

export type LinkErrorCode =
  | "not-a-link"
  | "too-long"
  | "bad-character"
  | "truncated"
  | "unknown-version"
  | "checksum"
  | "decompress"
  | "too-large"
  | "malformed"
  | "invalid-trace"
  | "cannot-encode";

export interface LinkError {
  readonly code: LinkErrorCode;
  readonly message: string;
}

export type LinkResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LinkError };

/** Finds a story's trace text by id (the app passes STORIES; tests may pass none). */
export type StoryLookup = (id: string) => string | undefined;

const fail = (code: LinkErrorCode, message: string): { ok: false; error: LinkError } => ({ ok: false, error: { code, message } });

// --- encoding ---------------------------------------------------------------

function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

function storyTrace(lookup: StoryLookup | undefined, id: string | null | undefined): Trace | null {
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

function sameOps(a: Trace, b: Trace): boolean {
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

class CannotEncode extends Error {}

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
  const enc = new TextEncoder();
  for (const t of [...(titleMode === IN_LINK ? [trace.title!] : []), ...selText, ...comments]) {
    const b = enc.encode(t);
    if (b.length > LIMITS.textBytes) throw new CannotEncode(`a title or comment of ${b.length} bytes is too long for a link (limit ${LIMITS.textBytes})`);
    writeLeb(text, b.length);
    for (const x of b) text.push(x);
  }
  const out = new Uint8Array(bits.length + text.length);
  out.set(bits);
  out.set(text, bits.length);
  return out;
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

interface Content {
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
      if (opcode >= OPCODES.length) throw new Malformed(`unknown operation code ${opcode} (from a newer skbscope?)`);
      fn = OPCODES[opcode];
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
  const dec = new TextDecoder("utf-8", { fatal: true });
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
  if (at !== bytes.length) throw new Malformed("the link has bytes after its end");

  const trace: Trace = {
    ...(title !== undefined ? { title } : {}),
    ...(hPolicy !== undefined ? { policy: hPolicy } : {}),
    ...(hKernel !== undefined ? { kernel: hKernel } : {}),
    ops: withText,
    ...(trail.length ? { trailing: trail } : {}),
  };
  return {
    semantics,
    view: { trace, policy, kernel, step, selection, storyId: storyCode ? STORY_CODES[storyCode - 1] : null },
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

// --- framing ------------------------------------------------------------------

type ByteStream = { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<BufferSource> };

async function pump(input: Uint8Array, stream: ByteStream, cap: number): Promise<Uint8Array | "too-large" | "corrupt"> {
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(input);
      c.close();
    },
  });
  const reader = source.pipeThrough(stream as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        reader.cancel().catch(() => {});
        return "too-large";
      }
      chunks.push(value);
    }
  } catch {
    return "corrupt";
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** Frames content: deflates it when that is shorter, adds version and CRC. */
export async function sealContent(content: Uint8Array, options: { deflate?: "auto" | "never" | "always" } = {}): Promise<string> {
  let payload = content;
  let deflated = false;
  const mode = options.deflate ?? "auto";
  if (mode !== "never" && typeof CompressionStream !== "undefined") {
    const packed = await pump(content, new CompressionStream("deflate-raw") as unknown as ByteStream, Infinity);
    if (packed instanceof Uint8Array && (mode === "always" || packed.length < content.length)) {
      payload = packed;
      deflated = true;
    }
  }
  for (const pad of [false, true]) {
    const head = new Uint8Array([FORMAT_VERSION | (deflated ? DEFLATED : 0) | (pad ? PADDED : 0)]);
    const body = pad ? new Uint8Array([...payload, 0]) : payload;
    const crc = crc24([head, body]);
    const frame = new Uint8Array(4 + body.length);
    frame[0] = head[0];
    frame[1] = crc >> 16;
    frame[2] = (crc >> 8) & 0xff;
    frame[3] = crc & 0xff;
    frame.set(body, 4);
    const text = PREFIX + toBase64url(frame);
    // Linkifiers drop a trailing "_" (and some a "-"); with a zero pad
    // byte the link ends in "A" instead.
    if (!/[-_]$/.test(text)) return text;
  }
  throw new Error("unreachable: a zero pad byte never encodes as - or _");
}

/**
 * Cleans what mail and chat do to a link: a leading "#", line breaks and
 * spaces inside it, quoted-printable soft breaks, and punctuation after
 * it ("...z)." or "...z>"). None of these characters is in the format, so
 * removing them cannot turn one link into another; the CRC has the last
 * word.
 */
export function cleanFragment(raw: string): string {
  let s = raw.replace(/=(?:\r\n|\r|\n)/g, "").replace(/\s+/g, "");
  const hash = s.lastIndexOf("#");
  if (hash >= 0) s = s.slice(hash + 1);
  // Trailing punctuation, by hand: `[^A-Za-z0-9_-]+$` backtracks
  // quadratically on a long run of it (80,000 characters: 29 s).
  let end = s.length;
  while (end > 0 && !FRAGMENT_CHAR.test(s[end - 1])) end--;
  return s.slice(0, end);
}

const FRAGMENT_CHAR = /[A-Za-z0-9_-]/;

/** Unframes: returns the content bytes, or an error. */
export async function openFragment(raw: string): Promise<LinkResult<Uint8Array>> {
  if (typeof raw !== "string") return fail("not-a-link", "a link must be text");
  if (raw.length > LIMITS.fragmentChars * 2) return fail("too-long", `the link is ${raw.length} characters; skbscope links have at most ${LIMITS.fragmentChars}`);
  const s = cleanFragment(raw);
  if (s.length === 0) return fail("not-a-link", "the link has no skbscope fragment (the part after #)");
  if (s.length > LIMITS.fragmentChars) return fail("too-long", `the link is ${s.length} characters; skbscope links have at most ${LIMITS.fragmentChars}`);
  if (s[0] !== PREFIX) return fail("not-a-link", `not an skbscope link: the fragment should start with "${PREFIX}"`);
  const bad = /[^A-Za-z0-9_-]/.exec(s);
  if (bad) return fail("bad-character", `the link has a character that does not belong in it: ${JSON.stringify(bad[0])} at position ${bad.index + 1}`);
  let frame: Uint8Array;
  try {
    frame = fromBase64url(s.slice(1));
  } catch (e) {
    return fail(e instanceof Malformed && /length/.test(e.message) ? "truncated" : "bad-character", e instanceof Error ? e.message : String(e));
  }
  if (frame.length < 5) return fail("truncated", "the link is too short to hold a trace");
  const version = frame[0] & 0x3f;
  const body = frame.subarray(4);
  const crc = (frame[1] << 16) | (frame[2] << 8) | frame[3];
  const intact = crc24([frame.subarray(0, 1), body]) === crc;
  // Garbage after an "s" has a version byte of any value: only a checksum
  // that holds makes it a link at all (newer or altered).
  if (!intact && (version === 0 || version > FORMAT_VERSION)) {
    return fail("not-a-link", "not an skbscope link: its framing and checksum are not skbscope's");
  }
  if (version === 0) return fail("unknown-version", `unknown link format (first byte ${frame[0]}); was it made by skbscope?`);
  if (version > FORMAT_VERSION) {
    return fail("unknown-version", `this link uses format ${version}, from a newer skbscope; this one reads format ${FORMAT_VERSION} and older`);
  }
  if (!intact) {
    return fail("checksum", "the link was altered in transit (checksum mismatch): some characters changed or went missing");
  }
  const padded = (frame[0] & PADDED) !== 0;
  if (padded && (body.length === 0 || body[body.length - 1] !== 0)) return fail("malformed", "the link's pad byte is wrong");
  const payload = padded ? body.subarray(0, body.length - 1) : body;
  if (!(frame[0] & DEFLATED)) {
    if (payload.length > LIMITS.contentBytes) return fail("too-large", "the link's content is too large");
    return { ok: true, value: payload };
  }
  if (typeof DecompressionStream === "undefined") return fail("decompress", "this browser cannot decompress links (no DecompressionStream)");
  const out = await pump(payload, new DecompressionStream("deflate-raw") as unknown as ByteStream, LIMITS.contentBytes);
  if (out === "too-large") return fail("too-large", `the link unpacks to more than ${LIMITS.contentBytes} bytes; refused`);
  if (out === "corrupt") return fail("decompress", "the link's compressed data is damaged");
  return { ok: true, value: out };
}

// --- public API -------------------------------------------------------------

/** The fragment (without "#") for a view. */
export async function encodePermalink(
  view: LinkView,
  options: { stories?: StoryLookup; comments?: boolean; deflate?: "auto" | "never" | "always" } = {},
): Promise<LinkResult<string>> {
  let content: Uint8Array;
  try {
    content = encodeContent(view, options);
    // Whatever we write must read back as the same view.
    const back = finish(decodeContent(content), options.stories);
    const want = expectedBack(view, options);
    if (!back.ok) return fail("cannot-encode", back.error.message);
    if (!same(stripPositions(back.value.trace), want)) return fail("cannot-encode", "the trace does not survive the link format (a comment or title that does not print back as itself?)");
  } catch (e) {
    if (e instanceof CannotEncode || e instanceof Malformed || e instanceof RangeError) return fail("cannot-encode", e.message);
    return fail("cannot-encode", `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fragment = await sealContent(content, options);
  if (fragment.length > LIMITS.fragmentChars) {
    return fail("cannot-encode", `the link would be ${fragment.length} characters (limit ${LIMITS.fragmentChars}); share the trace as text instead`);
  }
  return { ok: true, value: fragment };
}

/** What decoding the link must give back: the trace, less its comments if left out. */
function expectedBack(view: LinkView, options: { comments?: boolean }): Trace {
  const t = stripPositions(view.trace);
  if (options.comments !== false) return t;
  const ops = t.ops.map(({ leading: _l, comment: _c, ...op }) => op);
  const { trailing: _t, ...rest } = t;
  return { ...rest, ops };
}

/** Decodes a fragment (with or without "#", or a whole URL). Never throws. */
export async function decodePermalink(raw: string, options: { stories?: StoryLookup } = {}): Promise<LinkResult<DecodedLink>> {
  try {
    const opened = await openFragment(raw);
    if (!opened.ok) return opened;
    let content: Content;
    try {
      content = decodeContent(opened.value);
    } catch (e) {
      if (e instanceof Malformed) return fail("malformed", `the link is damaged: ${e.message}`);
      throw e;
    }
    return finish(content, options.stories);
  } catch (e) {
    return fail("malformed", `the link could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Story text, semantics notes and the final check that the trace is one the language can say. */
function finish(content: Content, stories: StoryLookup | undefined): LinkResult<DecodedLink> {
  const notes: string[] = [];
  let trace = content.view.trace;
  const storyId = content.view.storyId ?? null;
  if (storyId && (content.titleFromStory || content.commentsFromStory)) {
    const story = storyTrace(stories, storyId);
    if (story && sameOps(story, trace)) {
      trace = {
        ...(content.titleFromStory ? (story.title !== undefined ? { title: story.title } : {}) : trace.title !== undefined ? { title: trace.title } : {}),
        ...(trace.policy ? { policy: trace.policy } : {}),
        ...(trace.kernel ? { kernel: trace.kernel } : {}),
        ops: content.commentsFromStory ? story.ops : trace.ops,
        ...(content.commentsFromStory ? (story.trailing ? { trailing: story.trailing } : {}) : trace.trailing ? { trailing: trace.trailing } : {}),
      };
    } else if (stories) {
      notes.push(
        story
          ? `The story "${storyId}" has changed since this link was made; showing the linked operations without the story's narration.`
          : `This link was made from the story "${storyId}", which this skbscope does not have; showing its operations without narration.`,
      );
    }
  }
  const printed = printTrace(trace);
  const reparsed = parseTrace(printed);
  if (hasErrors(reparsed) || !same(stripPositions(reparsed.trace), stripPositions(trace))) {
    return fail("invalid-trace", "the link decodes to something that is not a valid trace");
  }
  const changes = SEMANTICS_CHANGES.filter((c) => c.version > content.semantics && c.version <= SEMANTICS_VERSION);
  if (content.semantics < SEMANTICS_VERSION) {
    notes.push(
      `This link was made under engine semantics ${content.semantics}; this skbscope uses ${SEMANTICS_VERSION}. It replays with today's semantics. What changed: ${changes.map((c) => `${c.version}: ${c.summary}`).join("; ")}.`,
    );
  } else if (content.semantics > SEMANTICS_VERSION) {
    notes.push(`This link was made by a newer skbscope (engine semantics ${content.semantics}; this one has ${SEMANTICS_VERSION}); the replay may differ from what its author saw.`);
  }
  return {
    ok: true,
    value: {
      ...content.view,
      trace,
      storyId,
      formatVersion: FORMAT_VERSION,
      semantics: { link: content.semantics, engine: SEMANTICS_VERSION, changes },
      notes,
    },
  };
}

/** Is this (fragment or URL) an skbscope permalink, at first sight? */
export function isPermalinkFragment(raw: string): boolean {
  return /^s[A-Za-z0-9_-]{6,}$/.test(cleanFragment(raw));
}

/** base (any URL; its own fragment is dropped) + "#" + fragment. */
export function permalinkUrl(base: string, fragment: string): string {
  const hash = base.indexOf("#");
  return `${hash >= 0 ? base.slice(0, hash) : base}#${fragment}`;
}

/**
 * The link as a `Link:` line, for a commit message trailer or a mail
 * header (RFC 5322 allows 998 characters in a line; a URL is never
 * wrapped).
 */
export function linkLine(url: string): LinkResult<string> {
  const line = `Link: ${url}`;
  if (line.length > 998) return fail("too-long", `a Link: line of ${line.length} characters does not fit a mail header (998)`);
  if (/\s/.test(url)) return fail("bad-character", "a URL with white space in it cannot go on a Link: line");
  return { ok: true, value: line };
}
