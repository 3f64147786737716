// SPDX-License-Identifier: GPL-2.0-only
/**
 * The `# without:` header and the fixed() helper: which ids a run may
 * revert, what an unknown id is told, and that a reverted guard says so
 * in the step's events.
 */
import { describe, expect, it } from "vitest";
import { runTrace } from "../engine/replay";
import { importText, textReport } from "../report/text";
import { parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { DEMOS } from "./demos";
import { closestFix, REVERTIBLE, sortFixIds, withoutProblem } from "./fixed";

const SPLIT = DEMOS.get("split-zerocopy-clone")!.trace;

describe("withoutProblem", () => {
  it("accepts every revertible fix", () => {
    for (const id of REVERTIBLE) expect(withoutProblem(id), id).toBeNull();
  });

  it("suggests the closest catalogued id for a misspelt one", () => {
    expect(withoutProblem("split-zerocopy-clon")).toBe(
      'unknown fix "split-zerocopy-clon"; did you mean "split-zerocopy-clone"? (npx skbscope fixes lists them)',
    );
    expect(closestFix("shift-refuse-zc")).toBe("shift-refuse-zcopy");
    expect(withoutProblem("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")).toBe('unknown fix "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" (npx skbscope fixes lists them)');
  });

  it("refuses a catalogued fix the model cannot revert, saying what it needs", () => {
    expect(withoutProblem("esp-pp-unref")).toMatch(/^fix "esp-pp-unref" cannot be switched off in this model: needs mechanism: ESP output /);
    expect(withoutProblem("segment-zerocopy-frags")).toMatch(/showing its bug needs frags larger than one page/);
  });

  it("orders ids as the catalogue does", () => {
    expect(sortFixIds(["rx-orphan-frags", "split-zerocopy-clone", "rx-orphan-frags"])).toEqual(["split-zerocopy-clone", "rx-orphan-frags"]);
  });
});

describe("# without: header", () => {
  it("parses ids, prints them back, and runs with the fix reverted", () => {
    const parsed = parseTrace(`# without: split-zerocopy-clone\n${SPLIT}`);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.trace.without).toEqual(["split-zerocopy-clone"]);
    expect(printTrace(parsed.trace)).toMatch(/^# kernel: 6.1\n# without: split-zerocopy-clone\n/);
    expect(parseTrace(printTrace(parsed.trace)).trace).toEqual(parsed.trace);
    const run = runTrace(parsed.trace, { policy: "msg-zerocopy" });
    expect(run.without).toEqual(["split-zerocopy-clone"]);
    expect(run.verdict).toBe("premature");
    expect(runTrace(parseTrace(SPLIT).trace, { policy: "msg-zerocopy" }).verdict).toBe("ok");
  });

  it("lets the run's options replace the header", () => {
    const parsed = parseTrace(`# without: split-zerocopy-clone\n${SPLIT}`);
    expect(runTrace(parsed.trace, { policy: "msg-zerocopy", without: [] }).verdict).toBe("ok");
  });

  it("joins several lines and ids and keeps catalogue order", () => {
    const parsed = parseTrace(`# without: rx-orphan-frags\n# without: split-zerocopy-clone, shift-refuse-zcopy\n${SPLIT}`);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.trace.without).toEqual(["split-zerocopy-clone", "shift-refuse-zcopy", "rx-orphan-frags"]);
  });

  it("wraps a long list at 72 columns and reads it back", () => {
    const parsed = parseTrace(`# without: ${REVERTIBLE.join(", ")}\n${SPLIT}`);
    const text = printTrace(parsed.trace);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(72);
    expect(parseTrace(text).trace.without).toEqual([...REVERTIBLE]);
  });

  it("marks an unknown id at its columns, with the suggestion", () => {
    const parsed = parseTrace(`# without: split-zerocopy-clone, shift-refuse-zcpy\n${SPLIT}`);
    expect(parsed.diagnostics).toEqual([
      {
        line: 1,
        column: 34,
        endColumn: 51,
        severity: "error",
        message: 'unknown fix "shift-refuse-zcpy"; did you mean "shift-refuse-zcopy"? (npx skbscope fixes lists them)',
        expected: "a fix id (npx skbscope fixes)",
      },
    ]);
    expect(parsed.trace.without).toEqual(["split-zerocopy-clone"]);
  });

  it("refuses an empty list", () => {
    expect(parseTrace(`# without:\n${SPLIT}`).diagnostics.map((d) => d.message)).toEqual(["# without: names no fix"]);
  });
});

describe("fixed()", () => {
  it("records which pre-fix code ran, in the step that ran it", () => {
    const run = runTrace(parseTrace(SPLIT).trace, { policy: "msg-zerocopy", without: ["split-zerocopy-clone"] });
    const split = run.steps.find((s) => s.op.fn === "skb_split")!;
    expect(split.events).toContainEqual({
      kind: "substep",
      fn: "skb_split",
      text: 'without "sock: enable MSG_ZEROCOPY" (split-zerocopy-clone): skb1 takes the frags without joining skb\'s ubuf_info (no skb_zerocopy_clone)',
    });
    const shipped = runTrace(parseTrace(SPLIT).trace, { policy: "msg-zerocopy" });
    expect(shipped.steps.flatMap((s) => s.events).some((e) => e.kind === "substep" && e.text.startsWith("without"))).toBe(false);
  });
});

describe("the email text", () => {
  it("carries the reverted fixes as the trace's # without: header, and imports back", () => {
    const trace = parseTrace(SPLIT).trace;
    const { text, warnings } = textReport({ trace, policy: "msg-zerocopy", without: ["split-zerocopy-clone"] });
    expect(warnings).toEqual([]);
    expect(text).toContain("\n== skbscope trace: paste it into skbscope to replay ==\n# kernel: 6.1\n# without: split-zerocopy-clone\n");
    expect(text).toContain('skbscope without split-zerocopy-clone (skb_split, "sock: enable');
    expect(text).toMatch(/^Verdicts on Linux 6\.1 without split-zerocopy-clone \(this view:\n {4}msg-zerocopy\)$/m);
    expect(text).toMatch(/^ {2}msg-zerocopy {4}premature$/m);
    const back = importText(text);
    expect(back.ok && back.value.trace.without).toEqual(["split-zerocopy-clone"]);
  });

  it("says nothing of fixes when none is reverted", () => {
    const { text } = textReport({ trace: parseTrace(SPLIT).trace, policy: "msg-zerocopy" });
    expect(text).not.toMatch(/without/);
    expect(text).toMatch(/^ {2}msg-zerocopy {4}ok$/m);
  });
});
