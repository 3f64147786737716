// SPDX-License-Identifier: GPL-2.0-only
/**
 * Golden links: every permalink made from the stories, the e2e traces and
 * the conformance traces as of main 15e84b3 (before the codec moved to
 * core), with what it decoded to then. Old links must keep loading, as
 * Compiler Explorer keeps its old short links: a change to the tables or
 * the bit format that breaks one fails here.
 */
import { describe, expect, it } from "vitest";
import { printTrace } from "../trace/print";
import { storyById } from "../../stories/index";
import { decodePermalink } from "./index";
import golden from "./golden-links.json";

const stories = (id: string) => storyById(id)?.source;
/** The operation lines of a printed trace, without headers and narration. */
const operations = (text: string) => text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));

describe("golden links from main 15e84b3", () => {
  it("there are links from stories, e2e and conformance", () => {
    const froms = golden.map((g) => g.from.split(" ")[0]);
    expect(new Set(froms)).toEqual(
      new Set(["story", "e2e/share.e2e.test.ts", "e2e/app.e2e.test.ts", "e2e/traces.ts", ...froms.filter((f) => f.startsWith("tests/"))]),
    );
    expect(golden.length).toBeGreaterThan(150);
  });
  for (const g of golden) {
    it(`${g.from} decodes as it did`, async () => {
      const d = await decodePermalink(g.link, { stories });
      if (!d.ok) throw new Error(d.error.message);
      const v = d.value;
      const got = { text: printTrace(v.trace), policy: v.policy, kernel: v.kernel, step: v.step, selection: v.selection, storyId: v.storyId, notes: v.notes };
      if (g.decoded.storyId && got.text !== g.decoded.text) {
        // A story's own narration was corrected since (issue 11.8). The link
        // carries the operations, and the narration comes from the story:
        // the same operations replay, with today's narration, or without it
        // and a note when the story's operations changed too.
        expect(operations(got.text)).toEqual(operations(g.decoded.text));
        const story = storyById(g.decoded.storyId)!;
        if (got.notes.length) {
          expect(got.notes).toEqual([
            `The story "${g.decoded.storyId}" has changed since this link was made; showing the linked operations without the story's narration.`,
          ]);
          expect(operations(story.source)).not.toEqual(operations(g.decoded.text));
        } else {
          expect(got.text).toContain(
            story.source.split("\n").find((l) => l.startsWith("# ") && !l.startsWith("# title") && !l.startsWith("# policy") && !l.startsWith("# kernel")),
          );
        }
        expect({ ...got, text: "", notes: [] }).toEqual({ ...g.decoded, text: "", notes: [] });
        return;
      }
      expect(got).toEqual(g.decoded);
    });
  }
});
