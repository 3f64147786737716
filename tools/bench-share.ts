// SPDX-License-Identifier: GPL-2.0-only
/**
 * Sharing figures (printed, not asserted): the permalink of every story,
 * its length in characters and per operation, with and without the
 * story's narration, and the plain-text export's size.
 *
 *   npx tsx tools/bench-share.ts
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseTrace, type Trace } from "../core/index";
import { textReport } from "../core/report/text";
import { unquote } from "../core/report/text";
import { decodePermalink, encodePermalink, sealContent, type StoryLookup } from "../core/permalink";
import { cleanFragment } from "../core/permalink/frame";
import { suggestOp } from "../core/trace/parse";
import { permalinkUrl } from "../app/share/permalink";
import { CATALOG } from "../stories/catalog";

/** A representative deployment address; the fragment is what we control. */
export const SAMPLE_BASE = "https://skbscope.example/";

export interface ShareFigures {
  readonly id: string;
  readonly ops: number;
  /** Characters of the fragment (after "#"). */
  readonly fragment: number;
  /** The whole URL with SAMPLE_BASE. */
  readonly url: number;
  readonly perOp: number;
  /** The fragment when the narration and title travel in the link too. */
  readonly withNarration: number;
  readonly reportLines: number;
  readonly reportBytes: number;
}

function storySource(file: string): string {
  return readFileSync(fileURLToPath(new URL(`../stories/${file}`, import.meta.url)), "utf8");
}

export async function measure(): Promise<ShareFigures[]> {
  const sources = new Map(CATALOG.map((m) => [m.id, storySource(m.file)]));
  const stories: StoryLookup = (id) => sources.get(id);
  const out: ShareFigures[] = [];
  for (const meta of CATALOG) {
    const trace: Trace = parseTrace(sources.get(meta.id)!).trace;
    const view = { trace, policy: trace.policy!, kernel: trace.kernel!, step: trace.ops.length, selection: null, storyId: meta.id };
    const link = await encodePermalink(view, { stories });
    const full = await encodePermalink({ ...view, storyId: null });
    if (!link.ok) throw new Error(`${meta.id}: ${link.error.message}`);
    if (!full.ok) throw new Error(`${meta.id}: ${full.error.message}`);
    const report = textReport({ trace, policy: view.policy, kernel: view.kernel, step: view.step });
    out.push({
      id: meta.id,
      ops: trace.ops.length,
      fragment: link.value.length,
      url: permalinkUrl(SAMPLE_BASE, link.value).length,
      perOp: link.value.length / trace.ops.length,
      withNarration: full.value.length,
      reportLines: report.text.split("\n").length,
      reportBytes: report.text.length,
    });
  }
  return out;
}

/**
 * Hostile input's cost (issue 16.6): the link cleaner and the mail
 * unquoter over 80,000 characters of blanks or punctuation (both were
 * quadratic regular expressions: 29 s and 21 s), a 5 MiB deflate bomb
 * refused at the cap, a 1 MiB name (27-50 s before) and operation-name
 * suggestions for long names. The tests assert what they return; the time is here.
 */
export async function hostileInputMs(): Promise<{ what: string; ms: number }[]> {
  const time = async (what: string, run: () => unknown) => {
    const started = performance.now();
    await run();
    return { what, ms: performance.now() - started };
  };
  const bomb = await sealContent(new Uint8Array(5 * 1024 * 1024), { deflate: "always" });
  return [
    await time("cleanFragment, 80,000 ')' then x", () => cleanFragment(")".repeat(80_000) + "x")),
    await time("cleanFragment, 80,000 '>' after sAAAA", () => cleanFragment("sAAAA" + ">".repeat(80_000))),
    await time("unquote, 80,000 blanks", () => unquote(" ".repeat(80_000) + "x")),
    await time("unquote, 27,000 ' > '", () => unquote(" > ".repeat(27_000) + "x")),
    await time("decode a 5 MiB deflate bomb (refused)", () => decodePermalink(bomb)),
    await time("parse a 1 MiB name (refused)", () => parseTrace(`${"a".repeat(1 << 20)} = alloc_skb(1)`)),
    await time("1,000 suggestOp, names up to 208 chars", () => {
      for (let i = 0; i < 1000; i++) suggestOp(`skb_clon${"e".repeat(i % 200)}`);
    }),
  ];
}

export async function main(): Promise<void> {
  const rows = await measure();
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`permalinks (URL = ${SAMPLE_BASE}#fragment)`);
  console.log(`${"story".padEnd(24)}${pad("ops", 4)}${pad("frag", 6)}${pad("url", 5)}${pad("ch/op", 7)}${pad("+narr", 7)}${pad("text", 6)}`);
  for (const r of rows) {
    console.log(
      `${r.id.padEnd(24)}${pad(r.ops, 4)}${pad(r.fragment, 6)}${pad(r.url, 5)}${pad(r.perOp.toFixed(2), 7)}${pad(r.withNarration, 7)}${pad(r.reportBytes, 6)}`,
    );
  }
  const ops = rows.reduce((n, r) => n + r.ops, 0);
  const chars = rows.reduce((n, r) => n + r.fragment, 0);
  console.log(`total: ${rows.length} stories, ${ops} ops, ${chars} fragment chars: ${(chars / ops).toFixed(2)} chars/op`);
  console.log(`longest URL: ${Math.max(...rows.map((r) => r.url))} chars; splice-pipe URL: ${rows.find((r) => r.id === "splice-pipe")?.url}`);
  console.log("hostile input (ms):");
  for (const r of await hostileInputMs()) console.log(`  ${r.what.padEnd(40)}${pad(r.ms.toFixed(1), 8)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
