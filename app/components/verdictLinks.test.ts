// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { DEFAULT_STORY_ID } from "../../stories/index";
import { appStory } from "../stories";
import type { MatrixRow } from "../worker/protocol";
import { otherFindings, rowLink, storyCheckApplies } from "./verdictLinks";

const row = (policy: MatrixRow["policy"], verdict: MatrixRow["verdict"], findings: MatrixRow["findings"]): MatrixRow => ({
  policy,
  verdict,
  findings,
  unjudged: [],
  reason: null,
  nothingArmed: null,
});

describe("verdict links", () => {
  it("an ok row links to nothing, even when the trace has a double free", () => {
    expect(rowLink(row("page-refs", "ok", [{ kind: "double-free", step: 6, message: "a freed twice" }]))).toBeNull();
  });

  it("a row links to the finding its verdict rests on, named by kind and step", () => {
    const r = row("destructor", "premature", [
      { kind: "double-free", step: 3, message: "x" },
      { kind: "late", step: 5, message: "y" },
      { kind: "premature", step: 6, message: "z" },
    ]);
    expect(rowLink(r)).toEqual({ kind: "premature", step: 6, message: "z", text: "premature at step 6" });
  });

  it("two rows at the same step have links that read differently", () => {
    const a = rowLink(row("destructor", "premature", [{ kind: "premature", step: 6, message: "" }]))!;
    const b = rowLink(row("shinfo-release", "duplicate", [{ kind: "duplicate", step: 6, message: "" }]))!;
    expect(a.text).not.toBe(b.text);
  });

  it("a shared write is a verdict of its own: the row links to it, and it is not listed apart", () => {
    const m = [row("page-refs", "shared-write", [{ kind: "shared-write", step: 9, message: "esp_input(c) writes into f" }])];
    expect(rowLink(m[0])).toEqual({ kind: "shared-write", step: 9, message: "esp_input(c) writes into f", text: "shared-write at step 9" });
    expect(otherFindings(m)).toEqual([]);
  });

  it("memory-safety findings are listed once, apart from the verdicts", () => {
    const m = [
      row("page-refs", "ok", [{ kind: "double-free", step: 6, message: "m" }]),
      row("destructor", "premature", [
        { kind: "premature", step: 4, message: "" },
        { kind: "double-free", step: 6, message: "m" },
      ]),
    ];
    expect(otherFindings(m)).toEqual([{ kind: "double-free", step: 6, message: "m", text: "double-free at step 6" }]);
  });
});

describe("the story check", () => {
  const story = appStory(DEFAULT_STORY_ID)!;
  const shown = { storyId: story.id, source: story.source, loaded: { source: story.source }, kernelChoice: null };

  it("applies to the story's own text, loaded, on its own kernel", () => {
    expect(storyCheckApplies(shown)).toBe(true);
  });

  it("no longer applies once the trace is edited or replaced, or on another kernel", () => {
    const other = "a = alloc_skb(1)\n";
    expect(storyCheckApplies({ ...shown, source: other, loaded: { source: other } })).toBe(false);
    expect(storyCheckApplies({ ...shown, source: `${story.source}kfree_skb(a)\n`, loaded: { source: `${story.source}kfree_skb(a)\n` } })).toBe(false);
    expect(storyCheckApplies({ ...shown, kernelChoice: "6.1" })).toBe(false);
    expect(storyCheckApplies({ ...shown, storyId: null })).toBe(false);
  });
});

describe("an inconclusive row", () => {
  it("links to the step that was not judged, never reads as ok", () => {
    const r: MatrixRow = {
      policy: "ubuf-orphan",
      verdict: "inconclusive",
      findings: [],
      unjudged: [{ step: 7, message: "skb_segment: not modelled" }],
      reason: null,
      nothingArmed: null,
    };
    expect(rowLink(r)).toEqual({ kind: "inconclusive", step: 7, message: "not judged: skb_segment: not modelled", text: "not judged at step 7" });
  });
});
