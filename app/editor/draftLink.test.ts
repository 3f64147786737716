// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { decodeDraft, encodeDraft, isDraftFragment } from "./draftLink";

const broken = "# title: mine\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nkfree_skb(a\n";

describe("draft links", () => {
  it("carry the text exactly as typed, errors included, with the choices and the step", async () => {
    const link = await encodeDraft({ source: broken, policyChoice: "destructor", kernelChoice: "2.6.32", step: 3 });
    expect(isDraftFragment(link)).toBe(true);
    expect(link).toMatch(/^d[A-Za-z0-9_-]+$/);
    expect(await decodeDraft(link)).toEqual({ ok: true, draft: { source: broken, policyChoice: "destructor", kernelChoice: "2.6.32", step: 3 } });
  });

  it("deflate a long text", async () => {
    const long = "get_page(g)\nput_page(g)\n".repeat(2000);
    const link = await encodeDraft({ source: long, policyChoice: null, kernelChoice: null, step: 0 });
    expect(link.length).toBeLessThan(long.length / 20);
    expect(await decodeDraft(link)).toMatchObject({ ok: true, draft: { source: long, policyChoice: null, kernelChoice: null } });
  });

  it("refuse a link cut short or altered, offering what can still be read", async () => {
    const long = `${broken}${"# some narration that makes the link long enough to cut\n".repeat(3)}`;
    const link = await encodeDraft({ source: long, policyChoice: null, kernelChoice: null, step: 0 });
    const cut = await decodeDraft(link.slice(0, Math.floor(link.length * 0.7)));
    expect(cut.ok).toBe(false);
    if (!cut.ok) {
      expect(cut.message).toMatch(/cut short|damaged/);
      expect(cut.recovered && long.startsWith(cut.recovered)).toBe(true);
      expect(cut.recovered!.length).toBeGreaterThan(10);
    }
    const flipped = link.slice(0, 8) + (link[8] === "A" ? "B" : "A") + link.slice(9);
    expect((await decodeDraft(flipped)).ok).toBe(false);
  });

  it("never throw on junk, and name a version they do not read", async () => {
    for (const junk of ["d", "d!!!", "dA", "d" + "A".repeat(50), "s123"]) expect((await decodeDraft(junk)).ok).toBe(false);
    const link = await encodeDraft({ source: "a = alloc_skb(1)\n", policyChoice: null, kernelChoice: null, step: 0 });
    const v2 = "d" + "C" + link.slice(2);
    const r = await decodeDraft(v2);
    expect(r.ok).toBe(false);
  });
});
