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

describe("golden links from main 15e84b3", () => {
  it("there are links from stories, e2e and conformance", () => {
    const froms = golden.map((g) => g.from.split(" ")[0]);
    expect(new Set(froms)).toEqual(new Set(["story", "e2e/share.e2e.test.ts", "e2e/app.e2e.test.ts", "e2e/traces.ts", ...froms.filter((f) => f.startsWith("tests/"))]));
    expect(golden.length).toBeGreaterThan(150);
  });
  for (const g of golden) {
    it(`${g.from} decodes as it did`, async () => {
      const d = await decodePermalink(g.link, { stories });
      if (!d.ok) throw new Error(d.error.message);
      const v = d.value;
      expect({ text: printTrace(v.trace), policy: v.policy, kernel: v.kernel, step: v.step, selection: v.selection, storyId: v.storyId, notes: v.notes }).toEqual(g.decoded);
    });
  }
});
