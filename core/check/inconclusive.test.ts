// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 11.1: a step the engine could not judge (an `unsupported` or
 * `internal` error) makes the verdict `inconclusive`, never `ok`, and the
 * step is listed with it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verdictMatrix } from "../engine/matrix";
import { POLICIES, type KernelId, type PolicyId } from "../model/types";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { guidedTrace, GUIDED_SETUP } from "../testdata/guided";
import { trace } from "../testdata/harness";
import { runTrace } from "../engine/replay";
import { verdictOf } from "./checker";

/** skb_segment over a zero-copy frag_list member: not modelled. */
export const SEGMENT_ZC_MEMBER = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
t = alloc_skb(256)
skb_frag_add_head(t, a)
segs = skb_segment(t, 1448)
kfree_skb(t)
`;

describe("inconclusive", () => {
  it("an unsupported step makes the verdict inconclusive, with the step listed", () => {
    for (const policy of ["ubuf-orphan", "msg-zerocopy"] as const) {
      const run = trace(SEGMENT_ZC_MEMBER, { policy, kernel: "6.1" });
      expect(run.steps[6].error?.kind).toBe("unsupported");
      expect(run.verdict).toBe("inconclusive");
      expect(run.unjudged).toEqual([{ step: 7, kind: "unsupported", fn: "skb_segment", message: expect.stringMatching(/not modelled/) }]);
    }
  });

  it("a violation found before the first unjudged step decides; one found after it is not trusted", () => {
    const unjudged = [{ step: 5, kind: "unsupported", fn: "x", message: "" }] as const;
    expect(verdictOf([{ kind: "premature", step: 3, message: "", objects: [] }], unjudged)).toBe("premature");
    // After a step that was not modelled, the state is not the kernel's.
    expect(verdictOf([{ kind: "premature", step: 6, message: "", objects: [] }], unjudged)).toBe("inconclusive");
    expect(verdictOf([], [{ step: 5, kind: "internal", message: "engine bug" }])).toBe("inconclusive");
    expect(verdictOf([], [])).toBe("ok");
  });

  it("the matrix lists the unjudged steps per policy", () => {
    const m = verdictMatrix(parseTrace(SEGMENT_ZC_MEMBER).trace, "6.1");
    const byPolicy = Object.fromEntries(m.entries.map((e) => [e.policy, e]));
    expect(byPolicy["ubuf-orphan"].verdict).toBe("inconclusive");
    expect(byPolicy["ubuf-orphan"].unjudged.map((u) => u.step)).toEqual([7]);
    expect(byPolicy["page-refs"]).toMatchObject({ verdict: "ok", unjudged: [] });
  });

  it("an operation the kernel lacks is not judged either (napi_alloc_skb on 2.6.32)", () => {
    const run = trace("a = napi_alloc_skb(100)\nkfree_skb(a)", { policy: "page-refs", kernel: "2.6.32" });
    expect(run.verdict).toBe("inconclusive");
  });

  it("property: no trace containing an unsupported or internal step is ever ok", () => {
    const prefix = parseTrace(GUIDED_SETUP).trace.ops;
    const unjudgeable = parseTrace(SEGMENT_ZC_MEMBER.replace(/\b(g|a|t|segs)\b/g, "$1z")).trace.ops;
    const arb = fc
      .record({
        policy: fc.constantFrom<PolicyId>(...POLICIES),
        kernel: fc.constantFrom<KernelId>("6.1", "2.6.32"),
        draws: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 30 }),
        at: fc.nat(),
        inject: fc.boolean(),
      })
      .map(({ policy, kernel, draws, at, inject }) => {
        const t = guidedTrace(draws, kernel, policy, prefix);
        const ops = [...t.ops];
        // A step that cannot be judged, somewhere in the middle: 2.6.32 has no
        // napi_alloc_skb; 6.1 cannot segment a zero-copy frag_list member.
        if (inject) ops.splice(at % (ops.length + 1), 0, ...(kernel === "2.6.32" ? parseTrace("zz = napi_alloc_skb(64)").trace.ops : unjudgeable));
        const tr = { ...t, ops };
        return { policy, kernel, trace: Object.assign(tr, { [fc.toStringMethod]: () => printTrace(tr) }) };
      });
    let seen = 0;
    fc.assert(
      fc.property(arb, ({ policy, kernel, trace: t }) => {
        const run = runTrace(t, { policy, kernel });
        const unjudged = run.steps.some((s) => s.error?.kind === "unsupported" || s.error?.kind === "internal");
        if (unjudged) {
          seen++;
          expect(run.verdict).not.toBe("ok");
          expect(run.unjudged.length).toBeGreaterThan(0);
        } else {
          expect(run.verdict).not.toBe("inconclusive");
        }
      }),
      { numRuns: 200 },
    );
    expect(seen).toBeGreaterThan(20);
  });
});
