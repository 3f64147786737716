/**
 * Text output of the CLI: one block per step, and the verdict matrix.
 */
import { dataref, printOp, type EngineEvent, type Matrix, type StateView, type StepRecord, type Trace } from "../core/index";

export function formatStep(s: StepRecord, v: StateView, events: readonly EngineEvent[]): string {
  const lines = [`step ${s.step}${s.op.line ? ` (line ${s.op.line})` : ""}: ${printOp(s.op)}`];
  if (s.error) lines.push(`  error: ${s.error.message}`);
  for (const skb of v.skbs) {
    const d = dataref(skb.dataref);
    const frags = skb.frags.map((f) => `${f.page}@${f.offset}+${f.size}`).join(" ");
    lines.push(
      `  skb ${skb.name}: users ${skb.users}${skb.cloned ? " cloned" : ""}${skb.nohdr ? " nohdr" : ""} len ${skb.len} data_len ${skb.data_len} headroom ${skb.headroom} head ${skb.head} dataref ${d.all}${d.payload ? ` (${d.payload} nohdr)` : ""}${frags ? ` frags ${frags}` : ""}${skb.frag_list.length ? ` frag_list ${skb.frag_list.join(",")}` : ""}`,
    );
  }
  for (const p of v.pages) {
    lines.push(`  page ${p.name} (${p.owner}${p.freed ? ", freed" : ""}): refcount ${p.refcount}${p.holders.length ? ` held by ${p.holders.join(", ")}` : ""}`);
  }
  for (const q of v.pipes) lines.push(`  pipe ${q.name}: ${q.bufs.length} buffers (${q.bufs.map((b) => b.page).join(", ")})`);
  for (const u of v.ubufs) lines.push(`  ubuf ${u.name} (${u.kind}): refcnt ${u.refcnt}`);
  for (const e of events) {
    if (e.kind === "completion") lines.push(`  completion of ${e.buffer} via ${e.via}`);
    else if (e.kind === "result") lines.push(`  ${e.fn} -> ${e.value}`);
    else if (e.kind === "warn") lines.push(`  warning: ${e.text}`);
  }
  for (const f of s.findings) lines.push(`  ${f.kind.toUpperCase()}: ${f.message}`);
  return lines.join("\n");
}

export function formatMatrix(trace: Trace, matrix: Matrix, file: string): string {
  const out = [`${trace.title ?? file} (kernel ${matrix.kernel})`, ""];
  const width = 16;
  out.push(`${"policy".padEnd(width)}verdict`);
  for (const e of matrix.entries) {
    out.push(`${e.policy.padEnd(width)}${e.verdict}`);
    for (const f of e.findings) out.push(`${"".padEnd(width)}  ${f.kind} at step ${f.step}: ${f.message}`);
    const unjudged = new Set(e.unjudged.map((u) => u.step));
    for (const err of e.errors) out.push(`${"".padEnd(width)}  (step ${err.step} ${unjudged.has(err.step) ? "not judged" : "failed"}: ${err.message})`);
  }
  for (const s of matrix.skipped) out.push(`${s.policy.padEnd(width)}n/a (${s.reason})`);
  return out.join("\n");
}
