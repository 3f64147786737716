// SPDX-License-Identifier: GPL-2.0-only
/**
 * Test helpers: run a trace written inline, and read the state back in the
 * words the kernel uses. Shared by the tests next to each module.
 */
import { hasErrors, parseTrace } from "../trace/parse";
import { runTrace, type Run, type RunOptions } from "../engine/replay";
import { verdictMatrix } from "../engine/matrix";
import { holdersOf } from "../model/lookup";
import type { State } from "../model/types";

export function trace(source: string, options: RunOptions = {}): Run {
  const parsed = parseTrace(source.replace(/^[ \t]+/gm, ""));
  if (hasErrors(parsed)) {
    throw new Error(`test trace does not parse: ${parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join("; ")}`);
  }
  return runTrace(parsed.trace, options);
}

/** Each policy's verdict on a 6.1 trace, with the given fixes reverted. */
export function verdicts(source: string, without: readonly string[] = []): Record<string, string> {
  const m = verdictMatrix(parseTrace(`# kernel: 6.1\n${source}\n`).trace, "6.1", undefined, without);
  return Object.fromEntries(m.entries.map((e) => [e.policy, e.verdict]));
}

/** Fails the test if any step of the run returned an error. */
export function clean(run: Run): Run {
  const bad = run.steps.filter((s) => s.error);
  if (bad.length) {
    throw new Error(`unexpected errors: ${bad.map((s) => `step ${s.step}: ${s.error!.message}`).join("; ")}`);
  }
  return run;
}

/** A compact view of one state, for exact assertions. */
export function view(state: State) {
  const skbs = Object.fromEntries(
    [...state.skbs.values()].map((skb) => {
      const d = state.datas.get(skb.head)!;
      return [
        skb.name,
        {
          users: skb.users,
          cloned: skb.cloned,
          nohdr: skb.nohdr,
          head: skb.head,
          dataref: d.dataref,
          len: skb.len,
          data_len: skb.data_len,
          headroom: skb.data,
          frags: d.frags.map((f) => `${f.page}+${f.offset}:${f.size}`),
        },
      ];
    }),
  );
  const pages = Object.fromEntries([...state.pages.values()].map((p) => [p.name, p.refcount]));
  const holders = Object.fromEntries([...state.pages.values()].map((p) => [p.name, holdersOf(state, p.name)]));
  return { skbs, pages, holders };
}

export const PREFIX = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;
