// SPDX-License-Identifier: GPL-2.0-only
/**
 * Text output of the CLI: one block per step, and the verdict matrix.
 */
import {
  dataref,
  describeEvents,
  printOp,
  violationLines,
  nothingArmedNote,
  wrap,
  TEXT_WIDTH,
  type EngineEvent,
  type Matrix,
  type PolicyId,
  type State,
  type StateView,
  type StepRecord,
  type Trace,
} from "../core/index";

/** One step: the op, its error, the state after it, then why it changed (its events, in kernel words). */
export function formatStep(s: StepRecord, v: StateView, events: readonly EngineEvent[], state?: State): string {
  const lines = [`step ${s.step}${s.op.line ? ` (line ${s.op.line})` : ""}: ${printOp(s.op)}`];
  if (s.error) lines.push(`  error: ${s.error.message}`);
  for (const skb of v.skbs) {
    const d = dataref(skb.dataref);
    const frags = skb.frags.map((f) => `${f.page}@${f.offset}+${f.size}`).join(" ");
    lines.push(
      `  skb ${skb.name}: users ${skb.users}${skb.cloned ? " cloned" : ""}${skb.nohdr ? " nohdr" : ""} len ${skb.len} data_len ${skb.data_len} headroom ${skb.headroom} head ${skb.head} dataref ${d.all}${d.payload ? ` (${d.payload} nohdr)` : ""}${frags ? ` frags ${frags}` : ""}${skb.frag_list.length ? ` frag_list ${skb.frag_list.join(",")}` : ""}${skb.shared_frag ? " SHARED_FRAG" : ""}`,
    );
  }
  for (const p of v.pages) {
    lines.push(`  page ${p.name} (${p.owner}${p.freed ? ", freed" : ""}): refcount ${p.refcount}${p.holders.length ? ` held by ${p.holders.join(", ")}` : ""}`);
  }
  for (const q of v.pipes) lines.push(`  pipe ${q.name}: ${q.bufs.length} buffers (${q.bufs.map((b) => b.page).join(", ")})`);
  for (const u of v.ubufs) lines.push(`  ubuf ${u.name} (${u.kind}): refcnt ${u.refcnt}${u.len !== undefined ? `, ids for ${u.len} sends` : ""}`);
  for (const e of describeEvents(events, state)) lines.push(...wrap(e, TEXT_WIDTH, "  ", "      "));
  for (const f of s.findings) lines.push(`  ${f.kind.toUpperCase()}: ${f.message}`);
  return lines.join("\n");
}

/**
 * The verdict matrix, then under each policy every finding with its step,
 * holder and chain (`findingLines`: a finding's lines, worded with the
 * state after its step; violationLines without a state when not given),
 * within 72 columns, line by line to `out`.
 */
export function writeMatrix(
  trace: Trace,
  matrix: Matrix,
  file: string,
  out: (line: string) => void,
  findingLines?: (policy: PolicyId, index: number) => readonly string[],
): void {
  const reverted = matrix.without.length ? `, without ${matrix.without.join(", ")}` : "";
  for (const line of wrap(`${trace.title ?? file} (kernel ${matrix.kernel}${reverted})`, TEXT_WIDTH, "", "    ")) out(line);
  out("");
  const width = 16;
  out(`${"policy".padEnd(width)}verdict`);
  for (const e of matrix.entries) {
    out(`${e.policy.padEnd(width)}${e.verdict}`);
    if (!e.armed) for (const line of wrap(`(${nothingArmedNote(e.policy)})`, TEXT_WIDTH, "  ", "    ")) out(line);
    e.findings.forEach((f, i) => {
      const op = trace.ops[f.step - 1];
      for (const line of findingLines ? findingLines(e.policy, i) : violationLines(f, op ? printOp(op) : undefined, null)) out(line);
    });
    const unjudged = new Set(e.unjudged.map((u) => u.step));
    for (const err of e.errors) {
      for (const line of wrap(`(step ${err.step} ${unjudged.has(err.step) ? "not judged" : "failed"}: ${err.message})`, TEXT_WIDTH, "  ", "    ")) out(line);
    }
  }
  for (const s of matrix.skipped) for (const line of wrap(`n/a (${s.reason})`, TEXT_WIDTH, s.policy.padEnd(width), "".padEnd(width))) out(line);
}

/**
 * Lines gathered into writes of about 64 KiB (a million lines written one
 * by one cost more than the replay), each write ending in a line break
 * added by `write`; flush() at the end.
 */
export function lineBatcher(write: (text: string) => void): { line(text: string): void; flush(): void } {
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (batch.length) write(batch.join("\n"));
    batch = [];
    size = 0;
  };
  return {
    line(text) {
      batch.push(text);
      size += text.length + 1;
      if (size >= 65536) flush();
    },
    flush,
  };
}
