// SPDX-License-Identifier: GPL-2.0-only
/**
 * Email: any trace survives report -> paste -> import, quoted or not;
 * every line of the report fits 72 columns; the importer takes a report,
 * bare trace lines or just a link, and never throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_COLUMNS, parseTrace, printTrace, stripPositions, type Trace } from "../../core/index";
import { importText, textReport } from "../../core/report/text";
import { storyById } from "../../stories/index";
import { traceArb, viewArb } from "./arbitraries";
import { emailText, importPasted, linkCandidates } from "./email";
import { encodePermalink, type StoryLookup } from "../../core/permalink";
import { permalinkUrl } from "./permalink";

const stories: StoryLookup = (id) => storyById(id)?.source;
const quote = (text: string, prefix: string) =>
  text
    .split("\n")
    .map((l) => prefix + l)
    .join("\n");
/** Traces whose own lines fit a mail. */
const mailSized = (t: Trace) =>
  printTrace(t)
    .split("\n")
    .every((l) => l.length <= MAX_COLUMNS);

describe("report -> import round trip of any trace", () => {
  it("gives back the same trace, view and selection, every line within 72 columns", () => {
    fc.assert(
      fc.property(
        viewArb({ maxOps: 12 }).filter((v) => mailSized(v.trace)),
        fc.constantFrom("", "> ", ">> ", "> > > "),
        (view, prefix) => {
          const report = textReport(view);
          expect(report.warnings).toEqual([]);
          for (const line of report.text.split("\n")) expect(line.length).toBeLessThanOrEqual(MAX_COLUMNS);
          const got = importText(`Some reply text.\n\n${quote(report.text, prefix)}\n-- \nsig\n`);
          expect(got.ok ? "" : got.error.message).toBe("");
          if (!got.ok) return;
          expect(stripPositions(got.value.trace)).toEqual(stripPositions(view.trace));
          expect([got.value.policy, got.value.kernel, got.value.step]).toEqual([view.policy, view.kernel, view.step]);
          if (view.selection && view.selection.length < 50) expect(got.value.selection).toBe(view.selection);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads bare trace lines back, quoted or not", () => {
    fc.assert(
      fc.property(
        traceArb({ maxOps: 15 }).filter((t) => t.ops.length > 0),
        fc.constantFrom("", "> ", ">", "> > "),
        (trace, prefix) => {
          const got = importText(`On Tue, someone wrote:\n${quote(printTrace(trace), prefix)}\nThanks.\n`);
          expect(got.ok ? "" : got.error.message).toBe("");
          if (got.ok) expect(stripPositions(got.value.trace)).toEqual(stripPositions(trace));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("emailText", () => {
  it("adds the permalink as a Link: line, the only line allowed past 72 columns", async () => {
    const trace = parseTrace(storyById("splice-pipe")!.source).trace;
    const view = { trace, policy: trace.policy!, kernel: trace.kernel!, step: 8, selection: "g", storyId: "splice-pipe" };
    const out = await emailText(view, { base: "https://skbscope.example/", stories });
    expect(out.url).toMatch(/^https:\/\/skbscope\.example\/#s[A-Za-z0-9_-]+$/);
    expect(out.text.trimEnd().split("\n").at(-1)).toBe(`Link: ${out.url}`);
    for (const line of out.text.split("\n")) if (!line.startsWith("Link: ")) expect(line.length).toBeLessThanOrEqual(MAX_COLUMNS);
    expect(out.warnings).toEqual([]);
    const back = await importPasted(quote(out.text, "> "), { stories });
    expect(back.ok && back.value).toMatchObject({
      policy: "shinfo-release",
      kernel: "2.6.32",
      step: 8,
      selection: "g",
      storyId: "splice-pipe",
      from: "report",
    });
  });
  it("has no link without a base URL", async () => {
    const trace = parseTrace("g = alloc_page(guest)\n").trace;
    const out = await emailText({ trace, policy: "page-refs", kernel: "6.1", step: 1, selection: null });
    expect(out.url).toBeNull();
    expect(out.text).not.toMatch(/^Link:/m);
  });
});

describe("importPasted", () => {
  it("opens a link pasted on its own, even wrapped and quoted", async () => {
    const trace = parseTrace(storyById("tsirkin-pskb-copy")!.source).trace;
    const r = await encodePermalink({ trace, policy: "destructor", kernel: "2.6.32", step: 5, selection: "c", storyId: "tsirkin-pskb-copy" }, { stories });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const url = permalinkUrl("https://skbscope.example/app/", r.value);
    for (const text of [url, `See <${url}>.`, `> see\n> ${url.slice(0, 45)}\n> ${url.slice(45)}\n> thanks`]) {
      expect(linkCandidates(text)).toContain(r.value);
      const got = await importPasted(text, { stories });
      expect(got.ok && got.value).toMatchObject({ from: "link", policy: "destructor", step: 5, selection: "c", storyId: "tsirkin-pskb-copy" });
      expect(got.ok && stripPositions(got.value.trace)).toEqual(stripPositions(trace));
    }
  });
  it("prefers the text when it was edited after the link was made", async () => {
    const trace = parseTrace("g = alloc_page(guest)\nput_page(g)\n").trace;
    const r = await encodePermalink({ trace, policy: "page-refs", kernel: "6.1", step: 1, selection: null });
    if (!r.ok) throw new Error(r.error.message);
    const got = await importPasted(`g = alloc_page(host)\nput_page(g)\n\nhttps://x/#${r.value}\n`);
    expect(got.ok && got.value.trace.ops[0].args[0]).toMatchObject({ value: "host" });
    expect(got.ok && got.value.step).toBeUndefined();
  });
  it("reports a broken link when there is nothing else", async () => {
    const got = await importPasted("https://skbscope.example/#sAczFbk1iMseDToighmSAATWPklhyAcyLEzX");
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error.message).toMatch(/cannot be opened: .*altered/);
  });
  it("never throws on junk", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("#s", "#sAAAAAAAA", "x#s--__--__", "> #sA\n> B")), async (s) => {
        const got = await importPasted(s);
        if (!got.ok) expect(got.error.message).toMatch(/\w{3}/);
      }),
      { numRuns: 300 },
    );
  });
});
