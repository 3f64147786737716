// SPDX-License-Identifier: GPL-2.0-only
/**
 * Kernel conformance: every trace in this directory was run on a real
 * Linux 6.1 kernel (tools/kernel-oracle) and its recording is replayed here
 * against the engine, field by field. A mismatch names the trace, the step,
 * the object and the field. Where the kernel and the engine disagree, the
 * kernel wins: fix the engine.
 *
 * The oracle calls each function directly, whoever would call it in Linux:
 * a step that breaks a caller contract (core/ops/contracts.ts: a splice of
 * an skb no socket received, a split at skb->len) is what the recording is
 * about, so the engine runs it flagged ("contracts: flag"), not refused.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView, type EngineEvent } from "../../core/index";

interface KSkb {
  name: string;
  users: number;
  cloned: boolean;
  nohdr: boolean;
  len: number;
  data_len: number;
  headlen: number;
  headroom: number;
  head: string;
  dataref: number;
  frags: { page: string; offset: number; size: number }[];
  frag_list: string[];
  /** Dumped only when set (recordings before page_pool have none). */
  pp_recycle?: true;
  /** skb_shinfo()->flags & SKBFL_SHARED_FRAG, present only when set (recordings whose oracle says "shared_frag"). */
  shared_frag?: boolean;
  /** Dumped only when set (io_send_zc's skbs); absent means clear. */
  managed_frag_refs?: boolean;
  pure_zerocopy?: boolean;
}
interface KStep {
  line: number;
  op: string;
  error: string | null;
  skbs: KSkb[];
  /** pp / pp_in_pool: dumped only for a page_pool page (absent: not one). */
  pages: { name: string; refcount: number; pp?: string; pp_in_pool?: true }[];
  events: { kind: string; success?: boolean; refcnt?: number }[];
}
interface Recording {
  trace: string;
  kernel: string;
  policy: string;
  steps: KStep[];
  /** What the module could do and dump; older recordings lack later fields. */
  oracle?: { shared_frag?: boolean };
}

const DIR = new URL(".", import.meta.url).pathname;
/** Findings that say "this corrupts memory": what the oracle refuses to run. */
const MISUSE = new Set(["use-after-free", "double-free", "conservation", "refcount-underflow"]);
const traces = readdirSync(DIR)
  .filter((f) => f.endsWith(".trace"))
  .sort();

/** Ids in order of first appearance: h-ids and kernel pages are named by the order each side met them. */
class Renamer {
  private readonly map = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  name(id: string): string {
    if (!new RegExp(`^${this.prefix}\\d+$`).test(id)) return id;
    let n = this.map.get(id);
    if (!n) {
      n = `${this.prefix}#${this.map.size + 1}`;
      this.map.set(id, n);
    }
    return n;
  }
}

export function compare(file: string): { steps: number; mismatches: string[] } {
  const source = readFileSync(join(DIR, file), "utf8");
  const rec = JSON.parse(readFileSync(join(DIR, file.replace(/\.trace$/, ".json")), "utf8")) as Recording;
  const parsed = parseTrace(source);
  const run = runTrace(parsed.trace, { contracts: "flag" });
  const out: string[] = [];
  const kHeads = new Renamer("h");
  const eHeads = new Renamer("h");
  const kPages = new Renamer("k");
  const ePages = new Renamer("k");
  const miss = (step: number, what: string, kernel: unknown, engine: unknown) =>
    out.push(`${file} step ${step} (${rec.steps[step - 1]?.op}): ${what}: kernel ${JSON.stringify(kernel)}, engine ${JSON.stringify(engine)}`);

  if (rec.steps.length !== run.steps.length) miss(0, "number of steps", rec.steps.length, run.steps.length);
  let diverged = false;
  rec.steps.forEach((k, i) => {
    const step = i + 1;
    const e = run.steps[i];
    if (!e || diverged) return;
    // The oracle refuses what would corrupt kernel memory; the engine runs
    // it and must flag the damage at that step. The two part ways there.
    if (k.error?.startsWith("refused:") && !e.error) {
      const flagged = e.findings.some((f) => MISUSE.has(f.kind));
      if (!flagged)
        miss(
          step,
          "refused by the kernel oracle, not flagged by the engine",
          k.error,
          e.findings.map((f) => f.kind),
        );
      diverged = true;
      return;
    }
    if (!!k.error !== !!e.error) miss(step, "error", k.error, e.error?.message ?? null);
    const v = stateView(run.snapshotAt(step));
    const eSkbs = new Map(v.skbs.map((s) => [s.name, s]));
    const kNames = k.skbs.map((s) => s.name).sort();
    const eNames = [...eSkbs.keys()].sort();
    if (kNames.join() !== eNames.join()) miss(step, "live skbs", kNames, eNames);
    for (const ks of k.skbs) {
      const es = eSkbs.get(ks.name);
      if (!es) continue;
      for (const f of ["users", "cloned", "nohdr", "len", "data_len", "headlen", "headroom", "dataref"] as const) {
        if (ks[f] !== es[f]) miss(step, `skb ${ks.name}.${f}`, ks[f], es[f]);
      }
      if (kHeads.name(ks.head) !== eHeads.name(es.head)) miss(step, `skb ${ks.name}.head`, ks.head, es.head);
      const kf = ks.frags.map((f) => `${kPages.name(f.page)}+${f.offset}:${f.size}`);
      const ef = es.frags.map((f) => `${ePages.name(f.page)}+${f.offset}:${f.size}`);
      if (kf.join() !== ef.join()) miss(step, `skb ${ks.name}.frags`, ks.frags, es.frags);
      if (ks.frag_list.join() !== es.frag_list.join()) miss(step, `skb ${ks.name}.frag_list`, ks.frag_list, es.frag_list);
      if (!!ks.pp_recycle !== !!es.pp_recycle) miss(step, `skb ${ks.name}.pp_recycle`, !!ks.pp_recycle, !!es.pp_recycle);
      // Dumped only when set, and only by a module that says it dumps it.
      if (rec.oracle?.shared_frag) {
        const kFlag = ks.shared_frag ?? false;
        const eFlag = v.datas.find((d) => d.head === es.head)?.shared_frag ?? false;
        if (kFlag !== eFlag) miss(step, `skb ${ks.name} SKBFL_SHARED_FRAG`, kFlag, eFlag);
      }
      const ed = v.datas.find((d) => d.head === es.head);
      for (const f of ["managed_frag_refs", "pure_zerocopy"] as const) {
        if (!!ks[f] !== !!ed?.[f]) miss(step, `skb ${ks.name} ${f}`, !!ks[f], !!ed?.[f]);
      }
    }
    const ePageCount = new Map(v.pages.map((p) => [ePages.name(p.name), p.refcount]));
    const ePagePool = new Map(v.pages.map((p) => [ePages.name(p.name), `${p.pp ?? "-"}${p.pp_in_pool ? " (in its ring)" : ""}`]));
    for (const kp of k.pages) {
      const name = kPages.name(kp.name);
      const got = ePageCount.get(name) ?? 0; // a page the engine returned to the allocator
      if (got !== kp.refcount) miss(step, `page ${kp.name}.refcount`, kp.refcount, got);
      // page->pp and the pool's ring; a page gone to the allocator is no pool's.
      const kPool = kp.refcount === 0 ? "-" : `${kp.pp ?? "-"}${kp.pp_in_pool ? " (in its ring)" : ""}`;
      const ePool = got === 0 ? "-" : (ePagePool.get(name) ?? "-");
      if (kPool !== ePool) miss(step, `page ${kp.name}.pp`, kPool, ePool);
    }
    const kCalls = k.events.filter((x) => x.kind === "ubuf_callback").map((x) => `${x.success}/${x.refcnt}`);
    const eCalls = e.events
      .filter((x): x is Extract<EngineEvent, { kind: "ubuf_callback" }> => x.kind === "ubuf_callback")
      .map((x) => `${x.success}/${x.refcnt}`);
    if (kCalls.join() !== eCalls.join()) miss(step, "ubuf callbacks (success/refcnt)", kCalls, eCalls);
  });
  return { steps: rec.steps.length, mismatches: out };
}

describe("conformance with Linux 6.1 (recorded by tools/kernel-oracle)", () => {
  it("has the recorded traces", () => {
    expect(traces.length).toBeGreaterThanOrEqual(60);
  });
  it.each(traces)("%s", (file) => {
    expect(compare(file).mismatches).toEqual([]);
  });
});
