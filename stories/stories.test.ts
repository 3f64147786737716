// SPDX-License-Identifier: GPL-2.0-only
/**
 * Every story parses cleanly, runs without a failed step, reaches its
 * expected verdict under every policy on its kernel, and narrates every
 * step in plain text that fits a 72-column email.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_COLUMNS, POLICIES, fixById, isRevertible, parseTrace, runTrace, verdictMatrix, type Finding } from "../core/index";
import { DEFAULT_STORY_ID, STORIES, storyById, storyCaption, storyNarration, storyTrace } from "./index";
import { captionAt, narrationOf } from "./narration";

/** What a narration must say at the step a finding of this kind appears. */
const SAYS: Partial<Record<Finding["kind"], RegExp>> = {
  premature: /premature|early|after the (guest|owner) was told|while .* holds?/i,
  late: /wait|late/i,
  missed: /never/i,
  "shared-write": /shared write|writes? (in place )?into/i,
};

describe("the story list", () => {
  it("has the default story, under its old id", () => {
    expect(DEFAULT_STORY_ID).toBe("tsirkin-pskb-copy");
    expect(storyById(DEFAULT_STORY_ID)?.file).toBe("seed/tsirkin-pskb-copy.trace");
  });
  it("has unique ids, each a plain slug", () => {
    const ids = STORIES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
  it("covers both kernels and every policy as a story's own", () => {
    const heads = STORIES.map((s) => storyTrace(s));
    expect(new Set(heads.map((t) => t.kernel))).toEqual(new Set(["6.1", "2.6.32"]));
    expect(new Set(heads.map((t) => t.policy))).toEqual(new Set(POLICIES));
  });
});

describe.each(STORIES.map((s) => [s.id, s] as const))("story %s", (_id, story) => {
  const parsed = parseTrace(story.source);
  const trace = parsed.trace;

  it("parses without errors or warnings, with title, policy and kernel", () => {
    expect(parsed.diagnostics).toEqual([]);
    expect(trace.title).toBeTruthy();
    expect(trace.policy).toBeDefined();
    expect(trace.kernel).toBeDefined();
    expect(trace.ops.length).toBeGreaterThan(3);
  });

  it("fits 72 columns, in plain ASCII text", () => {
    for (const line of story.source.split("\n")) {
      expect(line.length, line).toBeLessThanOrEqual(MAX_COLUMNS);
      expect(line, line).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(story.summary.length).toBeLessThanOrEqual(MAX_COLUMNS);
  });

  it("runs under its own policy without a failed step", () => {
    const run = runTrace(trace);
    expect(run.steps.filter((s) => s.error).map((s) => `step ${s.step}: ${s.error!.message}`)).toEqual([]);
    expect(run.verdict).toBe(story.expected[run.policy]);
  });

  it("reaches its expected verdict under every policy on its kernel", () => {
    const matrix = verdictMatrix(trace, trace.kernel);
    const got: Record<string, string> = {};
    for (const e of matrix.entries) {
      got[e.policy] = e.verdict;
      expect(e.errors, `${e.policy}: failed steps`).toEqual([]);
      expect(e.findings.filter((f) => !["premature", "duplicate", "missed", "late"].includes(f.kind))).toEqual([]);
    }
    for (const s of matrix.skipped) got[s.policy] = "n/a";
    expect(got).toEqual(story.expected);
    // Where nothing of the owner's was armed, the catalogue says so (the gallery shows it).
    expect(matrix.entries.filter((e) => !e.armed).map((e) => e.policy)).toEqual(story.unarmed ?? []);
  });

  it("narrates every step, and introduces itself", () => {
    const n = storyNarration(story);
    expect(n.intro.length).toBeGreaterThan(0);
    expect(n.steps.length).toBe(trace.ops.length);
    n.steps.forEach((lines, i) => expect(lines.length, `step ${i + 1} (${trace.ops[i].fn})`).toBeGreaterThan(0));
    expect(storyCaption(story, 0)).toBe(n.intro.join(" "));
  });

  it("narrates in plain text, never markup", () => {
    const n = storyNarration(story);
    for (const line of [...n.intro, ...n.steps.flat(), ...n.outro]) {
      expect(line, line).not.toMatch(/<\/?[a-z!][^>]*>|&[a-z]+;|&#\d+;/i);
    }
  });

  it("says what the checker finds, at the step it finds it", () => {
    const run = runTrace(trace);
    const n = storyNarration(story);
    for (const f of run.findings) {
      const says = SAYS[f.kind];
      if (!says) continue;
      const text = n.steps[f.step - 1].join(" ");
      expect(text, `step ${f.step} (${f.kind}): ${text}`).toMatch(says);
    }
  });

  if (story.fix) {
    const fix = story.fix;
    it("is told from a fix the model can revert, and cites its commit subject", () => {
      expect(isRevertible(fix.id), fix.id).toBe(true);
      const subject = fixById(fix.id)!.subject;
      // The subject may wrap across comment lines.
      const comments = story.source
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .map((l) => l.slice(1).trim())
        .join(" ");
      expect(comments).toContain(`"${subject}"`);
      expect(story.source).toContain(fix.id);
    });

    it("is ok under its own policy with the fix, and a violation without it", () => {
      const own = runTrace(trace).policy;
      expect(story.expected[own]).toBe("ok");
      expect(fix.without[own]).not.toBe("ok");
      expect(runTrace(trace, { without: [fix.id] }).verdict).toBe(fix.without[own]);
    });

    it("reaches its expected without-fix verdict under every policy", () => {
      const matrix = verdictMatrix(trace, trace.kernel, POLICIES, [fix.id]);
      expect(matrix.without).toEqual([fix.id]);
      const got: Record<string, string> = {};
      for (const e of matrix.entries) {
        got[e.policy] = e.verdict;
        expect(e.errors, `${e.policy}: failed steps`).toEqual([]);
      }
      for (const s of matrix.skipped) got[s.policy] = "n/a";
      expect(got).toEqual(fix.without);
    });

    it("says what the checker finds without the fix, at the step it finds it", () => {
      const run = runTrace(trace, { without: [fix.id] });
      const n = storyNarration(story);
      const found = run.findings.filter((f) => SAYS[f.kind]);
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        const text = n.steps[f.step - 1].join(" ");
        expect(text, `step ${f.step} (${f.kind}): ${text}`).toMatch(SAYS[f.kind]!);
        expect(text, `step ${f.step}: says what happens without the fix`).toMatch(/without (the fix|it)/i);
      }
    });
  }

  if (story.claim) {
    it("says precisely what its trace shows and what it does not (issue 11.8)", () => {
      const outro = storyNarration(story).outro.join(" ");
      expect(outro).toMatch(/Shows: \S.*Does not show: \S/);
    });

    it("says which side of the claim the trace supports", () => {
      const all = [...storyNarration(story).steps.flat(), ...storyNarration(story).outro].join(" ");
      expect(all).toMatch(/support|the claim (holds|fails)/i);
    });
  }
});

/** The 2009 thread, with its quoting undone: one line of words. */
const THREAD = readFileSync(new URL("./seed/thread-2009-11-10.txt", import.meta.url), "utf8")
  .split("\n")
  .map((l) => l.replace(/^[>\s]+/, "").trim())
  .join(" ")
  .replace(/\s+/g, " ");

describe("claims against the thread (issue 11.8)", () => {
  const claims = STORIES.filter((s) => s.claim);
  it.each(claims.map((s) => [s.id, s] as const))("%s quotes the thread word for word", (_id, story) => {
    expect(THREAD).toContain(story.claim!.quote);
    if (story.claim!.introduced) expect(THREAD).toContain(story.claim!.introduced);
  });

  it("no one is credited with the metastasize objection but the thread's own words", () => {
    const meta = claims.filter((s) => /metastasize/.test(s.claim!.quote));
    expect(meta.length).toBeGreaterThan(0);
    for (const s of meta) {
      expect(s.claim!.who).not.toMatch(/Xu|Herbert/);
      expect(s.claim!.introduced).toBe("Last time this was tried, this is the objection that was voiced:");
    }
    for (const s of STORIES) {
      const text = s.source
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .join(" ");
      expect(text, s.id).not.toMatch(/Xu's|Herbert Xu (said|wrote|objected)|\(Herbert Xu was/);
    }
  });

  it("tcp-fragment-split holds only in part: 2.6.32 never splits a guest's transmitted skb", () => {
    const s = storyById("tcp-fragment-split")!;
    expect(s.claim!.outcome).toBe("holds in part");
    expect(storyNarration(s).outro.join(" ")).toMatch(/Does not show: .*guest/);
  });

  it("msg-zerocopy retransmits only once TCP's fast clone has left the host (6.1 skb_still_in_host_queue)", () => {
    const s = storyById("msg-zerocopy")!;
    const trace = storyTrace(s);
    const run = runTrace(trace);
    trace.ops.forEach((op, i) => {
      if (op.fn !== "pskb_copy") return;
      const before = run.snapshotAt(i);
      const orig = before.skbs.get((op.args[0] as { name: string }).name as never)!;
      expect(orig.fclone).toBe("orig");
      // skb_fclone_busy(): fclone_ref > 1 would make __tcp_retransmit_skb return -EBUSY
      expect(before.fclones.get(orig.fclonePair!)).toBe(1);
    });
    expect(s.source).not.toMatch(/while b is still in flight/);
  });
});

describe("narration", () => {
  it("splits the introduction from step 1 at an empty comment line", () => {
    const { trace } = parseTrace("# intro one\n# intro two\n#\n# step one\ng = alloc_page(guest)  # inline\nput_page(g)\n# the end\n");
    const n = narrationOf(trace);
    expect(n).toEqual({ intro: ["intro one", "intro two"], steps: [["step one", "inline"], []], outro: ["the end"] });
    expect(captionAt(n, 0)).toBe("intro one intro two");
    expect(captionAt(n, 1)).toBe("step one inline");
    expect(captionAt(n, 2)).toBe("the end");
  });
  it("has no introduction without an empty comment line", () => {
    const { trace } = parseTrace("# step one\ng = alloc_page(guest)\n");
    expect(narrationOf(trace).intro).toEqual([]);
    expect(narrationOf(trace).steps).toEqual([["step one"]]);
  });
});
