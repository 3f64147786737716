// SPDX-License-Identifier: GPL-2.0-only
/**
 * Plain-text reports: 72 columns, the state drawn in kernel names, and
 * the importer reading the trace back out of a report or a mail, quoted
 * at any depth, with clutter around. (Round trips of arbitrary traces
 * through the email glue: app/share/email.test.ts.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTrace, stripPositions } from "../index";
import { trace as run } from "../testdata/harness";
import { IMPORT_LIMITS, REPORT_WIDTH, drawState, importText, textReport, unquote, wrap } from "./text";
import { STORIES } from "../../stories/index";

const quote = (text: string, prefix: string) =>
  text
    .split("\n")
    .map((l) => (l === "" ? prefix.trimEnd() : prefix + l))
    .join("\n");

const CLUTTER_BEFORE = "On Tue, Nov 10, 2009 at 07:41:03AM -0500, Gregory Haskins wrote:\nHi Michael,\n\nHere is the trace I ran:\n";
const CLUTTER_AFTER = '\nThanks,\n-Greg\n-- \nTo unsubscribe from this list: send the line "unsubscribe netdev"\n';

describe("wrap", () => {
  it("never passes the width, and keeps every word", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 20, max: 80 }), (text, width) => {
        const lines = wrap(text, width, "  ", "    ");
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
        expect(lines.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
      }),
    );
  });
});

describe("drawState", () => {
  it("draws Datas, their skbs, frags and the holders of each page", () => {
    const r = run(
      `
      g = alloc_page(guest)
      a = alloc_skb(256)
      skb_fill_page_desc(a, 0, g, 0, 4096)
      zerocopy_arm(a)
      __skb_header_release(a)
      b = skb_clone(a)
      c = pskb_copy(a)
    `,
      { policy: "shinfo-release", kernel: "6.1" },
    );
    const text = drawState(r.final).join("\n");
    expect(text).toContain("Data h1: dataref 0x10002 (2 in all, 1 payload-only)");
    expect(text).toContain("|-- skb a: users 1, cloned, nohdr, len 4096 (4096 paged)");
    expect(text).toContain("|-- release() armed, for buffer z1");
    expect(text).toContain("`-- frags[0] --> page g, offset 0, size 4096");
    expect(text).toContain("page g (guest): refcount 2");
    expect(text).toContain("|<- h1.frags[0]: skb_shinfo(a/b)->frags[0]");
    expect(text).toContain("`<- h2.frags[0]: skb_shinfo(c)->frags[0]");
    expect(text).toContain("buffer z1: g from a, armed at step 4; not told yet");
  });

  it("draws pipes, sockets, ubufs and freed pages", () => {
    const r = run(
      `
      g = alloc_page(guest)
      a = alloc_skb(256)
      skb_fill_page_desc(a, 0, g, 0, 4096)
      zerocopy_arm(a)
      s = sock_create()
      sock_queue_rcv_skb(s, a)
      q = skb_splice_bits(a, 0, 4096)
    `,
      { policy: "ubuf-orphan", kernel: "6.1" },
    );
    const text = drawState(r.final).join("\n");
    expect(text).toContain("destructor sock_rfree, on\n  |       s's receive queue");
    expect(text).toContain("pipe q\n  `-- bufs[0] --> page k1, offset 0, len 4096");
    expect(text).toContain("socket s: receive queue a");
    expect(text).toContain("ubuf u1 (vhost) for z1: refcnt 0, no DONT_ORPHAN, 1 callbacks, copied");
    expect(text).toContain("page k1 (host, copy): refcount 2");
  });

  it("fits 72 columns even with long names", () => {
    const long = "a_very_long_skb_name_that_goes_on_and_on_and_on_forever_and_ever";
    const r = run(`
      g = alloc_page(guest)
      ${long} = alloc_skb(256)
      skb_fill_page_desc(${long}, 0, g, 0, 4096)
      ${long}_clone = skb_clone(${long})
    `);
    for (const l of drawState(r.final)) expect(l.length, l).toBeLessThanOrEqual(REPORT_WIDTH);
  });
});

describe.each(STORIES.map((s) => [s.id, s] as const))("report of story %s", (_id, story) => {
  const trace = parseTrace(story.source).trace;
  const steps = [0, 1, Math.floor(trace.ops.length / 2), trace.ops.length];

  it("fits 72 columns of ASCII at every step shown", () => {
    for (const step of steps) {
      const r = textReport({ trace, step, selection: "g" });
      expect(r.warnings).toEqual([]);
      for (const line of r.text.split("\n")) {
        expect(line.length, line).toBeLessThanOrEqual(REPORT_WIDTH);
        expect(line, line).toMatch(/^[\x20-\x7e]*$/);
      }
    }
  });

  it("imports back: the same trace, policy, kernel, step and selection", () => {
    for (const step of steps) {
      const text = textReport({ trace, step, selection: "g" }).text;
      for (const pasted of [
        text,
        quote(text, "> "),
        quote(quote(text, "> "), "> "),
        quote(text, ">> > "),
        CLUTTER_BEFORE + quote(text, "> ") + CLUTTER_AFTER,
        text.replace(/\n/g, "\r\n"),
      ]) {
        const got = importText(pasted);
        expect(got.ok ? "" : got.error.message).toBe("");
        if (!got.ok) continue;
        expect(stripPositions(got.value.trace)).toEqual(stripPositions(trace));
        expect(got.value).toMatchObject({ policy: trace.policy, kernel: trace.kernel, step, selection: "g", from: "report" });
      }
    }
  });

  it("imports its bare trace lines from a quoted mail", () => {
    for (const prefix of ["", "> ", ">", "> > ", ">> "]) {
      const got = importText(CLUTTER_BEFORE + quote(story.source, prefix) + CLUTTER_AFTER);
      expect(got.ok ? "" : got.error.message).toBe("");
      if (got.ok) {
        expect(stripPositions(got.value.trace)).toEqual(stripPositions(trace));
        expect(got.value.from).toBe("lines");
      }
    }
  });
});

describe("the report", () => {
  it("says where a step failed and what the checker found there", () => {
    const { trace } = parseTrace(
      "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\nkfree_skb(a)\n",
    );
    const at6 = textReport({ trace, policy: "shinfo-release", kernel: "2.6.32", step: 6 }).text;
    // The step's events in kernel words, as `skbscope run` and the app say them.
    expect(at6).toContain("completion of z1 fired by skb_shinfo(a)->release, while");
    expect(at6).toContain("skb_shinfo(c)->frags[0] holds g");
    expect(at6).toContain("Data h1 released by skb_release_data()");
    expect(at6).toMatch(/premature: owner told complete at step 6/);
    const at7 = textReport({ trace, policy: "shinfo-release", kernel: "2.6.32", step: 7 }).text;
    expect(at7).toMatch(/step 7 failed, state unchanged: .*freed/);
    expect(at7).toContain("skbscope view: policy shinfo-release, kernel 2.6.32, step 7 of 7");
  });
  it("describes the state before the first step", () => {
    const { trace } = parseTrace("g = alloc_page(host)\n");
    const text = textReport({ trace, step: 0 }).text;
    expect(text).toContain("State before the first step");
    expect(text).toContain("(nothing allocated)");
  });
  it("warns about a trace's own lines over 72 columns", () => {
    const long = "x".repeat(70);
    const { trace } = parseTrace(`${long} = alloc_page(guest)\n`);
    const r = textReport({ trace });
    expect(r.warnings.length).toBe(1);
    expect(r.warnings[0]).toMatch(/cannot be wrapped/);
  });
});

describe("importText on malformed input", () => {
  it("never throws, and says why it gives up", () => {
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom(
        "g = alloc_page(guest)",
        "kfree_skb(a)",
        "# title: x",
        "# policy: nope",
        "== skbscope trace ==",
        "== end of skbscope trace ==",
        "> > a = skb_clone(",
        "skbscope view: policy page-refs, kernel 6.1, step 99 of 2",
        "",
      ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom("", "> ", ">>"), (lines, prefix) => {
        const got = importText(lines.map((l) => prefix + l).join("\n"));
        if (!got.ok) expect(got.error.message).toMatch(/\w{3}/);
        else expect(got.value.trace.ops.length > 0 || got.value.from === "report").toBe(true);
      }),
      { numRuns: 500 },
    );
  });
  it("names the pasted line that is wrong", () => {
    const got = importText("hello\n== skbscope trace ==\ng = alloc_page(guest)\nkfree_skb(a, 3)\n== end of skbscope trace ==\n");
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.error.line).toBe(4);
      expect(got.error.message).toMatch(/^line 4: kfree_skb takes 1 argument/);
    }
  });
  it("keeps a broken operation line in the trace (reported, with the text to open), never drops it", () => {
    const got = importText("Hi,\n\n> g = alloc_page(guest)\n> a = alloc_skb(256)\n> kfree_skb(a\n> b = skb_clone(a)\n\nThanks\n");
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.error.line).toBe(5);
      expect(got.error.source).toBe("g = alloc_page(guest)\na = alloc_skb(256)\nkfree_skb(a\nb = skb_clone(a)\n");
    }
    const last = importText("g = alloc_page(guest)\nput_page(g\n");
    expect(!last.ok && last.error.source).toBe("g = alloc_page(guest)\nput_page(g\n");
  });
  it("says when there is no trace, or the report is cut off", () => {
    expect(importText("Thanks for the patch!\n-- \nGreg\n")).toEqual({ ok: false, error: { message: expect.stringMatching(/no trace found/) } });
    expect(importText("== skbscope trace ==\ng = alloc_page(guest)\n")).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/end marker is missing/) },
    });
    expect(importText(42 as never).ok).toBe(false);
  });
  it("refuses oversized text before reading it", () => {
    expect(importText("x".repeat(IMPORT_LIMITS.chars + 1))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/at most/) } });
    expect(importText("\n".repeat(IMPORT_LIMITS.lines + 1))).toMatchObject({ ok: false });
  });
  it("ignores a view line with a step past the end", () => {
    const got = importText("skbscope view: policy page-refs, kernel 6.1, step 99 of 2\ng = alloc_page(guest)\n");
    expect(got.ok && got.value.step).toBeUndefined();
  });
  it("unquotes mail's quoting and odd spaces", () => {
    expect(unquote("> > >g = alloc_page(guest)  ")).toBe("g = alloc_page(guest)");
    expect(unquote(">\u00a0# x")).toBe("# x");
  });
  // Its cost over such runs (quadratic before: 21 s) is a figure of tools/bench-share.ts.
  it("unquotes 80,000 blanks (issue 16.6)", () => {
    expect(unquote(" ".repeat(80_000) + "x")).toBe(" ".repeat(80_000) + "x");
    expect(unquote("> " + " ".repeat(80_000) + "x")).toBe(" ".repeat(80_000) + "x");
    expect(unquote(" > ".repeat(27_000) + "x")).toMatch(/x$/);
    expect(unquote("x" + " \t".repeat(40_000) + "y")).toBe("x" + " \t".repeat(40_000) + "y");
    expect(unquote("   indented")).toBe("   indented");
    expect(unquote(" > >  two")).toBe(" two");
    expect(unquote(">")).toBe("");
    expect(unquote("a   \t ")).toBe("a");
  });
  it("reads a lone-CR paste as lines (issue 16.3)", () => {
    const got = importText("g = alloc_page(guest)\ra = alloc_skb(256)\rskb_fill_page_desc(a, 0, g, 0, 4096)\r");
    expect(got.ok && got.value.trace.ops.length).toBe(3);
  });
});
