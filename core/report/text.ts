// SPDX-License-Identifier: GPL-2.0-only
/**
 * Plain-text reports for email, and reading them (or a bare trace) back.
 *
 * textReport() gives the trace, an ASCII drawing of the state at the
 * chosen step and the verdict matrix, every line at most 72 columns of
 * ASCII (a trace's own comments may hold other characters) so that the
 * text survives a plain-text mail and a few levels of "> " quoting.
 * importText() finds the trace again in a pasted mail: between the
 * report's markers if it has them, otherwise the lines that read as a
 * trace, quoted at any depth or not, with the mail's own lines around.
 *
 * Pure: no DOM, no I/O (core's rules).
 */
import { describeHolder } from "../check/describe";
import { verdictMatrix } from "../engine/matrix";
import { runTrace, settings, type Run } from "../engine/replay";
import { dataref, stateView, type StateView } from "../engine/view";
import { KERNELS, POLICIES, type KernelId, type PolicyId, type State } from "../model/types";
import type { Diagnostic, Trace } from "../trace/ast";
import { LINE_END, hasErrors, parseTrace } from "../trace/parse";
import { binaryReason } from "../trace/limits";
import { printOp, printTrace } from "../trace/print";
import { SEMANTICS_VERSION } from "../version";
import { fixById } from "../fixes/catalogue";
import { isRevertible, preFixNote } from "../fixes/fixed";
import { describeEvents } from "./events";
import { TEXT_WIDTH, wrap } from "./wrap";

export const REPORT_FORMAT = 1;
export const REPORT_WIDTH = TEXT_WIDTH;
export const TRACE_BEGIN = "== skbscope trace: paste it into skbscope to replay ==";
export const TRACE_END = "== end of skbscope trace ==";
const BEGIN_RE = /^==+ skbscope trace\b/;
const END_RE = /^==+ end of skbscope trace\b/;
const VIEW_RE = /^skbscope view: policy ([a-z0-9-]+), kernel ([0-9.]+), step (\d+)(?: of \d+)?\s*$/;
const SELECT_RE = /^skbscope selection: (\S+)\s*$/;
const SELECTION_OK = /^[A-Za-z_][A-Za-z0-9_]*(\[\d{1,10}\])?(\.[A-Za-z_]+(\[\d{1,10}\])?)?$/;

/** Size limits for pasted text. */
export const IMPORT_LIMITS = { chars: 1_000_000, lines: 50_000 } as const;

export interface ReportInput {
  readonly trace: Trace;
  /** Defaults: the trace's headers, else page-refs and 6.1. */
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  /**
   * Catalogued fixes the view reverts; replaces the trace's `# without:`
   * header. The report's trace carries the effective set as that header,
   * so pasting it back replays the same code.
   */
  readonly without?: readonly string[];
  /** 0 .. ops.length; default: the last step. */
  readonly step?: number;
  readonly selection?: string | null;
}

export interface Report {
  readonly text: string;
  /** Lines longer than 72 columns: only a trace's own long lines can be. */
  readonly warnings: readonly string[];
}

// --- layout helpers -----------------------------------------------------------

export { wrap };

/**
 * Tree lines under a heading: "|-- child" for all but the last child,
 * "`-- child" for it ("|<- " and "`<- " for references pointing in).
 */
function tree(children: readonly string[], width: number, inward = false): string[] {
  const out: string[] = [];
  children.forEach((text, i) => {
    const last = i === children.length - 1;
    const lead = inward ? (last ? "`<- " : "|<- ") : last ? "`-- " : "|-- ";
    out.push(...wrap(text, width, `  ${lead}`, `  ${last ? " " : "|"}       `));
  });
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

// --- the state drawing --------------------------------------------------------

function skbLine(skb: StateView["skbs"][number]): string {
  const bits = [`users ${skb.users}`];
  if (skb.cloned) bits.push("cloned");
  if (skb.nohdr) bits.push("nohdr");
  if (skb.fclone !== "unavailable") bits.push(`fclone ${skb.fclone}`);
  bits.push(`len ${skb.len}${skb.data_len ? ` (${skb.data_len} paged)` : ""}`);
  if (skb.head_frag) bits.push("head_frag");
  if (skb.destructor) bits.push(`destructor ${skb.destructor}`);
  if (skb.queue) bits.push(`on ${skb.queue}'s receive queue`);
  return `skb ${skb.name}: ${bits.join(", ")}`;
}

/** An ASCII drawing of a state, in kernel names, at most `width` columns. */
export function drawState(state: State, width = REPORT_WIDTH): string[] {
  const v = stateView(state);
  const out: string[] = [];
  const skbsByData = new Map<string, StateView["skbs"][number][]>();
  for (const skb of v.skbs) skbsByData.set(skb.head, [...(skbsByData.get(skb.head) ?? []), skb]);

  const group = (lines: string[]) => {
    if (lines.length === 0) return;
    if (out.length) out.push("");
    out.push(...lines);
  };
  for (const d of v.datas) {
    const ref = dataref(d.dataref);
    const lines = wrap(`Data ${d.head}: dataref ${hex(d.dataref)} (${ref.all} in all, ${ref.payload} payload-only)`, width, "  ", "      ");
    const children: string[] = [];
    for (const skb of skbsByData.get(d.head) ?? []) children.push(skbLine(skb));
    if (d.release) children.push(`release() armed, for buffer ${d.release}`);
    if (d.ubuf) children.push(`ubuf ${d.ubuf}${d.dont_orphan ? " (DONT_ORPHAN)" : ""}`);
    if (d.shared_frag) children.push("flags SKBFL_SHARED_FRAG");
    if (d.head_page) children.push(`head page --> ${d.head_page}`);
    d.frags.forEach((f, i) => children.push(`frags[${i}] --> page ${f.page}, offset ${f.offset}, size ${f.size}`));
    if (d.frag_list.length) children.push(`frag_list --> ${d.frag_list.join(", ")}`);
    group([...lines, ...tree(children, width)]);
  }
  for (const p of v.pages) {
    const what = p.owner === "guest" ? "guest" : p.owner === "file" ? "page cache" : `host, ${p.origin}`;
    const lines = wrap(`page ${p.name} (${what}): refcount ${p.refcount}${p.freed ? ", freed" : ""}`, width, "  ", "      ");
    const holders = p.holders.map((h) => (h === "caller" ? "the caller's own reference" : `${h}: ${describeHolder(state, h)}`));
    group([...lines, ...tree(holders, width, true)]);
  }
  for (const q of v.pipes) {
    const children = q.bufs.map((b, i) => `bufs[${i}] --> page ${b.page}, offset ${b.offset}, len ${b.len}`);
    group([...wrap(`pipe ${q.name}${children.length ? "" : ": empty"}`, width, "  ", "      "), ...tree(children, width)]);
  }
  const pfrag = v.caches.pfrag;
  if (pfrag) {
    const name = v.kernel === "6.1" ? "task_frag" : "sk_sndmsg_page";
    group(wrap(`page frag ${name} --> page ${pfrag.page}, ${pfrag.offset} of ${pfrag.size} bytes used`, width, "  ", "      "));
  }
  group(v.sockets.flatMap((s) => wrap(`socket ${s.name}: receive queue ${s.queue.length ? s.queue.join(", ") : "empty"}`, width, "  ", "      ")));
  group(
    v.ubufs.flatMap((u) => {
      const flags = [`refcnt ${u.refcnt}`, u.dont_orphan ? "DONT_ORPHAN" : "no DONT_ORPHAN", `${u.callbacks} callbacks`];
      if (!u.zerocopy) flags.push("copied");
      return wrap(`ubuf ${u.name} (${u.kind}) for ${u.buffer}: ${flags.join(", ")}`, width, "  ", "      ");
    }),
  );
  group(
    v.buffers.flatMap((b) => {
      const told = b.completions.length ? `told complete at step ${b.completions.join(", ")}` : "not told yet";
      return wrap(`buffer ${b.name}: ${b.pages.join(", ")} from ${b.skb}, armed at step ${b.armedAt}; ${told}`, width, "  ", "      ");
    }),
  );
  if (out.length === 0) out.push("  (nothing allocated)");
  return out;
}

// --- the report ---------------------------------------------------------------

function stepPart(run: Run, step: number, width: number): string[] {
  const out: string[] = [];
  if (step === 0) {
    out.push("State before the first step");
  } else {
    const rec = run.steps[step - 1];
    out.push(...wrap(`State after step ${step} of ${run.steps.length}: ${printOp(rec.op)}`, width, "", "    "));
  }
  out.push(
    ...wrap("(A Data is a head buffer and its skb_shared_info. dataref's low half counts every skb on it, the high half the payload-only ones.)", width),
  );
  out.push("");
  out.push(...drawState(run.snapshotAt(step), width));
  if (step > 0) {
    const rec = run.steps[step - 1];
    const notes: string[] = [];
    if (rec.error) notes.push(...wrap(`step ${step} failed, state unchanged: ${rec.error.message}`, width, "  ", "    "));
    for (const e of describeEvents(rec.events, run.snapshotAt(step))) notes.push(...wrap(e, width, "  ", "    "));
    for (const f of rec.findings) notes.push(...wrap(`${f.kind}: ${f.message}`, width, "  ", "    "));
    if (notes.length) out.push("", `At step ${step}`, ...notes);
  }
  return out;
}

function matrixPart(trace: Trace, kernel: KernelId, policy: PolicyId, width: number): string[] {
  const m = verdictMatrix(trace, kernel);
  const reverted = m.without.length ? ` without ${m.without.join(", ")}` : "";
  const out = wrap(`Verdicts on Linux ${kernel}${reverted} (this view: ${policy})`, width, "", "    ");
  const rows = new Map<PolicyId, string[]>();
  for (const e of m.entries) {
    const lines = wrap(e.verdict, width, `  ${e.policy.padEnd(16)}`, `  ${"".padEnd(16)}`);
    const shown = e.findings.filter((f) => f.kind !== "late" || e.verdict === "late").slice(0, 3);
    for (const f of shown) lines.push(...wrap(`step ${f.step}: ${f.message}`, width, "    ", "      "));
    const more = e.findings.length - shown.length;
    if (more > 0) lines.push(`    (${more} more finding${more === 1 ? "" : "s"})`);
    for (const err of e.errors.slice(0, 3)) lines.push(...wrap(`step ${err.step} failed: ${err.message}`, width, "    ", "      "));
    rows.set(e.policy, lines);
  }
  for (const s of m.skipped) rows.set(s.policy, wrap(`n/a: ${s.reason}`, width, `  ${s.policy.padEnd(16)}`, `  ${"".padEnd(16)}`));
  for (const p of POLICIES) out.push(...(rows.get(p) ?? []));
  return out;
}

/** The whole report. */
export function textReport(input: ReportInput): Report {
  const width = REPORT_WIDTH;
  const base = settings(input.trace, { policy: input.policy, kernel: input.kernel, without: input.without });
  const { without: _header, ...rest } = input.trace;
  const trace: Trace = base.without.length ? { ...rest, without: base.without } : rest;
  const run = runTrace(trace, base);
  const step = Math.max(0, Math.min(trace.ops.length, Math.floor(input.step ?? trace.ops.length)));
  const lines: string[] = [];
  lines.push(...wrap(trace.title ?? "an skbscope trace", width, "skbscope report: ", "    "));
  lines.push(`skbscope view: policy ${base.policy}, kernel ${base.kernel}, step ${step} of ${trace.ops.length}`);
  const sel = input.selection;
  if (sel && SELECTION_OK.test(sel) && sel.length <= width - 20) lines.push(`skbscope selection: ${sel}`);
  for (const id of base.without) {
    const fix = fixById(id)!;
    const note = isRevertible(id) ? preFixNote(id) : fix.before;
    lines.push(...wrap(`without ${id} (${fix.function}, "${fix.subject}"): ${note}`, width, "skbscope ", "    "));
  }
  lines.push("", TRACE_BEGIN);
  lines.push(...printTrace(trace).replace(/\n$/, "").split("\n"));
  lines.push(TRACE_END, "");
  lines.push(...stepPart(run, step, width), "");
  lines.push(...matrixPart(trace, base.kernel, base.policy, width), "");
  lines.push(`skbscope report format ${REPORT_FORMAT}, engine semantics ${SEMANTICS_VERSION}`);
  const text = lines.map((l) => l.trimEnd()).join("\n") + "\n";
  const warnings = text
    .split("\n")
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.length > width)
    .map(({ l, i }) => `line ${i + 1} is ${l.length} columns (the trace's own line; it cannot be wrapped)`);
  return { text, warnings };
}

// --- import -------------------------------------------------------------------

export interface Imported {
  readonly trace: Trace;
  /** The trace text as found (quoting removed). */
  readonly source: string;
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  readonly step?: number;
  readonly selection?: string;
  /** Warnings from the parser (long lines), with lines of the pasted text. */
  readonly diagnostics: readonly Diagnostic[];
  /** Where the trace came from: a report's marked section, or loose lines. */
  readonly from: "report" | "lines";
}

export interface ImportError {
  readonly message: string;
  /** 1-based line of the pasted text, when one is to blame. */
  readonly line?: number;
  /** The trace's lines as pasted when they have errors: to open with the errors shown, never shortened. */
  readonly source?: string;
}

export type ImportResult = { readonly ok: true; readonly value: Imported } | { readonly ok: false; readonly error: ImportError };

/**
 * Removes mail quoting ("> ", ">> ", "> > ") and trailing blanks, and
 * turns the no-break spaces some mailers put in code back into spaces
 * (only before a "#": a comment's text is left as it is).
 */
export function unquote(line: string): string {
  const hash = line.indexOf("#");
  const code = (hash < 0 ? line : line.slice(0, hash)).replace(/[\u00a0\u2007\u202f]/g, " ");
  const text = code + (hash < 0 ? "" : line.slice(hash));
  // By hand, not by regular expression: `^(?:[ \t]*>)+` and `[ \t]+$`
  // backtrack quadratically on a long run of blanks (80,000: 21 s).
  return text.slice(quoteEnd(text), blankTail(text));
}

const isBlank = (c: string) => c === " " || c === "\t";

/** Where the quoting ("> ", ">> ", "> > ") and one blank after it end. */
function quoteEnd(text: string): number {
  let end = 0;
  for (let i = 0; ;) {
    while (i < text.length && isBlank(text[i])) i++;
    if (text[i] !== ">") break;
    end = ++i;
  }
  if (end > 0 && isBlank(text[end] ?? "")) end++;
  return end;
}

/** Where the trailing blanks start. */
function blankTail(text: string): number {
  let end = text.length;
  while (end > 0 && isBlank(text[end - 1])) end--;
  return end;
}

const isStatement = (line: string): boolean => {
  const t = line.trim();
  if (t === "" || t.startsWith("#") || !/^[A-Za-z_]/.test(t) || !t.includes("(")) return false;
  // One line on its own: its names are defined on other lines.
  const p = parseTrace(t, { names: false });
  return p.trace.ops.length === 1 && !hasErrors(p);
};

/**
 * A line meant as an operation but broken (`kfree_skb(a`, `b = skb_clone(`):
 * it belongs to the trace, to be reported, not left out without a word.
 */
const isBrokenStatement = (line: string): boolean => /^\s*[A-Za-z_]\w*\s*(=\s*[A-Za-z_]\w*\s*)?\(/.test(line);

/** Reads a trace (and the view, if the text is a report) back from pasted text. */
export function importText(pasted: string): ImportResult {
  if (typeof pasted !== "string") return { ok: false, error: { message: "nothing to import: not text" } };
  const binary = binaryReason(pasted);
  if (binary) return { ok: false, error: { message: binary } };
  if (pasted.length > IMPORT_LIMITS.chars) {
    return { ok: false, error: { message: `the text is ${pasted.length} characters; skbscope imports at most ${IMPORT_LIMITS.chars}` } };
  }
  const raw = pasted.replace(/^\ufeff/, "").split(LINE_END);
  if (raw.length > IMPORT_LIMITS.lines) {
    return { ok: false, error: { message: `the text has ${raw.length} lines; skbscope imports at most ${IMPORT_LIMITS.lines}` } };
  }
  const lines = raw.map(unquote);

  let policy: PolicyId | undefined;
  let kernel: KernelId | undefined;
  let step: number | undefined;
  let selection: string | undefined;
  for (const l of lines) {
    const v = VIEW_RE.exec(l);
    if (v && policy === undefined) {
      if ((POLICIES as readonly string[]).includes(v[1])) policy = v[1] as PolicyId;
      if ((KERNELS as readonly string[]).includes(v[2])) kernel = v[2] as KernelId;
      const n = Number(v[3]);
      if (Number.isSafeInteger(n)) step = n;
    }
    const s = SELECT_RE.exec(l);
    if (s && selection === undefined && SELECTION_OK.test(s[1])) selection = s[1];
  }

  // Which pasted lines make up the trace.
  let picked: number[] = [];
  let from: Imported["from"] = "lines";
  const begin = lines.findIndex((l) => BEGIN_RE.test(l));
  if (begin >= 0) {
    const end = lines.findIndex((l, i) => i > begin && END_RE.test(l));
    if (end < 0) return { ok: false, error: { message: "the report's trace is cut off: its end marker is missing", line: begin + 1 } };
    picked = Array.from({ length: end - begin - 1 }, (_, i) => begin + 1 + i);
    from = "report";
  } else {
    const kind = lines.map((l) =>
      l.trim() === "" ? "blank" : l.trimStart().startsWith("#") ? "comment" : isStatement(l) ? "op" : isBrokenStatement(l) ? "broken" : "other",
    );
    const first = kind.findIndex((k) => k === "comment" || k === "op");
    let last = -1;
    for (let i = kind.length - 1; i >= 0; i--)
      if (kind[i] === "op" || kind[i] === "comment") {
        last = i;
        break;
      }
    if (!kind.includes("op")) {
      return { ok: false, error: { message: "no trace found: no line reads as an operation such as skb_clone(a)" } };
    }
    // Comment lines after the last operation belong to the trace only
    // when nothing but trace lines and blanks follow it.
    for (let i = first; i <= last; i++) if (kind[i] !== "other") picked.push(i);
    // A broken operation right after the last good line is part of the trace too.
    for (let i = last + 1; i < kind.length && kind[i] !== "other"; i++) if (kind[i] === "broken") picked.push(i);
  }

  const source = picked.map((i) => lines[i]).join("\n") + "\n";
  const parsed = parseTrace(source);
  const at = (d: Diagnostic) => picked[d.line - 1] + 1;
  if (hasErrors(parsed)) {
    const d = parsed.diagnostics.find((x) => x.severity === "error")!;
    return { ok: false, error: { message: `line ${at(d)}: ${d.message}`, line: at(d), source } };
  }
  if (step !== undefined && step > parsed.trace.ops.length) step = undefined;
  return {
    ok: true,
    value: {
      trace: parsed.trace,
      source,
      ...(policy ? { policy } : {}),
      ...(kernel ? { kernel } : {}),
      ...(step !== undefined ? { step } : {}),
      ...(selection ? { selection } : {}),
      diagnostics: parsed.diagnostics.map((d) => ({ ...d, line: at(d) })),
      from,
    },
  };
}
