// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { DEMOS } from "../core/fixes/demos";
import { FIXES } from "../core/fixes/catalogue";
import { REVERTIBLE } from "../core/fixes/fixed";
import { POLICIES } from "../core/model/types";
import { cli } from "./harness";
import "./fixes";
import { STORIES, storyTrace } from "../stories/index";

const SPLIT = DEMOS.get("split-zerocopy-clone")!.trace;

describe("skbscope fixes", () => {
  it("--json lists the catalogue with exactly the issue's fields", () => {
    const r = cli(["fixes", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { fixes: Record<string, unknown>[] };
    expect(json.fixes.length).toBe(FIXES.length);
    expect(json.fixes.length).toBeGreaterThanOrEqual(12);
    for (const f of json.fixes) expect(Object.keys(f)).toEqual(["id", "subject", "function", "lines", "landed", "before"]);
    expect(json.fixes.find((f) => f.id === "split-zerocopy-clone")).toEqual({
      id: "split-zerocopy-clone",
      subject: "sock: enable MSG_ZEROCOPY",
      function: "skb_split",
      lines: ["net/core/skbuff.c:3651-3651"],
      landed: "4.14",
      before: FIXES.find((f) => f.id === "split-zerocopy-clone")!.before,
    });
    // Only the Debian stable release is known: that is where it landed.
    expect(json.fixes.find((f) => f.id === "tx-error-cloned")!.landed).toBe("6.1.190");
  });

  it("lists every fix in text, marking the ones that can be switched off, within 72 columns", () => {
    const r = cli(["fixes"]);
    expect(r.code).toBe(0);
    for (const f of FIXES) expect(r.out).toContain(` ${f.id}  ${f.function}`);
    for (const id of REVERTIBLE) expect(r.out).toContain(`* ${id}  `);
    expect(r.out).toMatch(/^  esp-pp-unref {2}esp_ssg_unref/m);
    for (const line of r.out.split("\n")) expect(line.length).toBeLessThanOrEqual(72);
  });
});

describe("skbscope check --fix", () => {
  it("prints the matrix with and without the fix side by side", () => {
    const r = cli(["check", "t.trace", "--fix", "split-zerocopy-clone"], { "t.trace": SPLIT });
    expect(r.code).toBe(1); // destructor and shinfo-release are premature with the fix too
    expect(r.out).toMatch(/^policy\s+with fix\s+without$/m);
    expect(r.out).toMatch(/^msg-zerocopy\s+ok\s+premature {2}<- the fix matters$/m);
    expect(r.out).toMatch(/^page-refs\s+ok\s+ok$/m);
  });

  it("--json gives {fix, with, without} with check's verdict shape, for every demo under every policy", () => {
    for (const [id, demo] of DEMOS) {
      const r = cli(["check", "t.trace", "--fix", id, "--json"], { "t.trace": demo.trace });
      const json = JSON.parse(r.out);
      expect(Object.keys(json)).toEqual(["fix", "with", "without"]);
      expect(json.fix).toBe(id);
      for (const p of POLICIES) {
        expect(json.with[p].verdict, `${id} ${p}`).toBe(demo.with[p]);
        expect(json.without[p].verdict, `${id} ${p}`).toBe(demo.without[p]);
      }
    }
  });

  it("an unknown fix is bad input (exit 2) with the closest id", () => {
    const r = cli(["check", "t.trace", "--fix", "split-zerocopy-clon"], { "t.trace": SPLIT });
    expect(r.code).toBe(2);
    expect(r.err).toBe('skbscope: unknown fix "split-zerocopy-clon"; did you mean "split-zerocopy-clone"? (npx skbscope fixes lists them)');
  });

  it("a catalogued fix the model cannot revert is bad input too", () => {
    const r = cli(["check", "t.trace", "--fix", "esp-pp-unref"], { "t.trace": SPLIT });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^skbscope: fix "esp-pp-unref" cannot be switched off in this model: needs mechanism: ESP output /);
  });
});

describe("--without", () => {
  it("run and check revert the fixes given, repeatably", () => {
    const on = cli(["run", "t.trace", "--policy", "msg-zerocopy"], { "t.trace": SPLIT });
    expect(on.out).toMatch(/verdict: ok$/);
    const off = cli(["run", "t.trace", "--policy", "msg-zerocopy", "--without", "split-zerocopy-clone", "--without", "rx-orphan-frags"], { "t.trace": SPLIT });
    expect(off.code).toBe(1);
    expect(off.out).toMatch(/^# .*\(policy msg-zerocopy, kernel 6.1, without split-zerocopy-clone, rx-orphan-frags\)$/m);
    expect(off.out).toContain('without "sock: enable MSG_ZEROCOPY" (split-zerocopy-clone)');
    expect(off.out).toMatch(/verdict: premature$/);
    const check = JSON.parse(cli(["check", "t.trace", "--json", "--without", "split-zerocopy-clone"], { "t.trace": SPLIT }).out);
    expect(check.without).toEqual(["split-zerocopy-clone"]);
    expect(check.verdicts["ubuf-orphan"].verdict).toBe("premature");
  });

  it("replaces the trace's # without: header", () => {
    const t = `# without: split-zerocopy-clone\n${SPLIT}`;
    expect(cli(["run", "t.trace", "--policy", "msg-zerocopy"], { "t.trace": t }).out).toMatch(/verdict: premature$/);
    expect(cli(["check", "t.trace", "--policy", "msg-zerocopy", "--without", "rx-orphan-frags"], { "t.trace": t }).code).toBe(0);
  });

  it("an unknown id is exit 2 with the closest one", () => {
    const r = cli(["run", "t.trace", "--without", "shift-refuse-zcpy"], { "t.trace": SPLIT });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/did you mean "shift-refuse-zcopy"\?/);
  });
});

describe("check --fix on the fix stories", () => {
  const stories = STORIES.filter((s) => s.fix);
  it("there are at least 6", () => expect(stories.length).toBeGreaterThanOrEqual(6));
  for (const story of stories) {
    it(`${story.id}: ok with ${story.fix!.id}, the violation without it`, () => {
      const own = storyTrace(story).policy!;
      const r = cli(["check", "s.trace", "--fix", story.fix!.id, "--policy", own, "--json"], { "s.trace": story.source });
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out);
      expect(json.with[own].verdict).toBe("ok");
      expect(json.without[own].verdict).toBe(story.fix!.without[own]);
      expect(json.without[own].findings.length).toBeGreaterThan(0);
    });
  }
});
