// SPDX-License-Identifier: GPL-2.0-only
/**
 * Integrity of the fix catalogue: names, fields, ops, 6.1 line references
 * and the modelled places. The 6.1 text of every cited range is kept in
 * kernel61-lines.json (tools/fixes-snapshot.mjs); where the Debian tree is
 * installed the snapshot is also compared with it, so neither can drift.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verdictMatrix, type MatrixEntry } from "../engine/matrix";
import { POLICIES } from "../model/types";
import { OPS } from "../ops/index";
import { parseTrace } from "../trace/parse";
import { FIXES, FIX_IDS, ISSUE_CASES, fixById } from "./catalogue";
import { DEMOS, type FixDemo } from "./demos";
import { REVERTIBLE } from "./fixed";

interface Snapshot {
  readonly kernel: string;
  readonly files: Readonly<Record<string, number>>;
  readonly ranges: Readonly<Record<string, string>>;
}

const REPO = new URL("../../", import.meta.url).pathname;
const snapshot = JSON.parse(readFileSync(join(REPO, "core/fixes/kernel61-lines.json"), "utf8")) as Snapshot;
const TREE = "/usr/src/linux-source-6.1";
const LINES_REF = /^((?:[\w-]+\/)+[\w.-]+\.[ch]):(\d+)-(\d+)$/;

describe("fix catalogue", () => {
  it("has at least 12 fixes, each with a unique short kebab-case id", () => {
    expect(FIXES.length).toBeGreaterThanOrEqual(12);
    const ids = FIXES.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(FIX_IDS.size).toBe(ids.length);
    for (const id of ids) {
      expect(id, id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(id.length, id).toBeLessThanOrEqual(32);
      expect(fixById(id)?.id).toBe(id);
    }
    expect(fixById("no-such-fix")).toBeUndefined();
  });

  it("fills every required field", () => {
    for (const f of FIXES) {
      for (const field of ["subject", "function", "guard", "before", "beforeSource"] as const) {
        expect(f[field].trim().length, `${f.id}.${field}`).toBeGreaterThan(0);
      }
      expect(f.lines.length, `${f.id}.lines`).toBeGreaterThan(0);
      expect(f.sources.length, `${f.id}.sources`).toBeGreaterThan(0);
      if (f.commit !== null) expect(f.commit, `${f.id}.commit`).toMatch(/^[0-9a-f]{12,40}$/);
      if (f.landed !== null) expect(f.landed, `${f.id}.landed`).toMatch(/^\d+\.\d+$/);
      if (f.stable61 !== null) expect(f.stable61, `${f.id}.stable61`).toMatch(/^6\.1\.\d+$/);
      if (f.issueCase !== null) expect(ISSUE_CASES.has(f.issueCase), `${f.id}.issueCase`).toBe(true);
    }
  });

  it("says so where the old code was not found, rather than quoting it", () => {
    for (const f of FIXES) {
      const notFound = /old code not found/i.test(f.beforeSource);
      const cited = /code index|diff|patch|PR|message|text/i.test(f.beforeSource);
      expect(notFound || cited, `${f.id}: beforeSource cites nothing`).toBe(true);
    }
  });

  it("names only real trace operations", () => {
    for (const f of FIXES) {
      expect(new Set(f.ops).size, `${f.id}: duplicate ops`).toBe(f.ops.length);
      for (const op of f.ops) expect(OPS.has(op), `${f.id}: ${op} is not in OPS`).toBe(true);
    }
  });

  it("cites 6.1 ranges of the form file.c:first-last inside real files", () => {
    for (const f of FIXES) {
      for (const ref of f.lines) {
        const m = LINES_REF.exec(ref);
        expect(m, `${f.id}: ${ref}`).not.toBeNull();
        const [, file, first, last] = m!;
        expect(Number(first), ref).toBeGreaterThan(0);
        expect(Number(first), ref).toBeLessThanOrEqual(Number(last));
        expect(snapshot.files[file], `${f.id}: ${file} is not in the snapshot`).toBeDefined();
        expect(Number(last), ref).toBeLessThanOrEqual(snapshot.files[file]);
        expect(snapshot.ranges[ref], `${f.id}: ${ref} is not in the snapshot`).toBeDefined();
      }
    }
  });

  it("finds each guard verbatim in the first range it cites", () => {
    for (const f of FIXES) {
      const text = snapshot.ranges[f.lines[0]].split("\n").map((l) => l.trim());
      expect(text, `${f.id}: guard not in ${f.lines[0]}`).toContain(f.guard.trim());
    }
  });

  it("keeps the snapshot equal to the Debian 6.1 tree where it is installed", () => {
    const installed = existsSync(join(TREE, "net/core/skbuff.c"));
    const cited = Object.keys(snapshot.ranges);
    // Every range the catalogue cites is in the snapshot, and nothing else.
    expect(new Set(cited)).toEqual(new Set(FIXES.flatMap((f) => f.lines)));
    if (!installed) return;
    for (const ref of cited) {
      const [, file, first, last] = LINES_REF.exec(ref)!;
      const lines = readFileSync(join(TREE, file), "utf8").split("\n");
      expect(lines.slice(Number(first) - 1, Number(last)).join("\n"), ref).toBe(snapshot.ranges[ref]);
    }
  });

  it("points every modelled fix at an op module that carries the guard", () => {
    for (const f of FIXES) {
      if (f.modelled === "yes") {
        expect(f.modelledAt, f.id).toMatch(/^core\/(ops|policy|kernel)\/\w+\.ts:\d+(-\d+)?$/);
        expect(f.modelledSnippet, f.id).not.toBeNull();
        const file = f.modelledAt!.split(":")[0];
        const source = readFileSync(join(REPO, file), "utf8");
        expect(source.includes(f.modelledSnippet!), `${f.id}: snippet not in ${file}`).toBe(true);
        expect(f.ops.length, `${f.id}: modelled but reached by no op`).toBeGreaterThan(0);
      } else {
        expect(f.modelled, f.id).toMatch(/^needs mechanism: \S/);
        expect(f.modelledAt, f.id).toBeNull();
        expect(f.withoutNeeds, `${f.id}: an unmodelled fix needs something to show its bug`).not.toBeNull();
      }
    }
  });

  it("covers the issue's named cases that have a guard in the 6.1 tree", () => {
    const covered = new Set(FIXES.map((f) => f.issueCase).filter((c) => c !== null));
    // Every case but none: each named case has a catalogue entry (case 10's
    // esp_ssg_unref managed-frags change was reverted in 6.1.192; its entry
    // is the esp page_pool fix in the same function, see docs/fixes.md).
    expect([...ISSUE_CASES.keys()].filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe("fix demos", () => {
  it("belong to modelled fixes, and the verdict row changes without the fix", () => {
    expect(DEMOS.size).toBeGreaterThanOrEqual(10);
    for (const [id, demo] of DEMOS) {
      expect(FIX_IDS.has(id), id).toBe(true);
      expect(fixById(id)!.modelled, id).toBe("yes");
      expect(fixById(id)!.withoutNeeds, id).toBeNull();
      expect(
        POLICIES.some((p) => demo.with[p] !== demo.without[p]),
        `${id}: nothing changes`,
      ).toBe(true);
    }
  });

  it("give today's engine (every fix in) the recorded verdict row", () => {
    for (const [id, demo] of DEMOS) {
      const parsed = parseTrace(demo.trace);
      expect(
        parsed.diagnostics.filter((d) => d.severity === "error"),
        id,
      ).toEqual([]);
      const matrix = verdictMatrix(parsed.trace, "6.1");
      expect(matrix.skipped, id).toEqual([]);
      for (const entry of matrix.entries) {
        expectRefusals(id, demo, entry);
        expect(entry.verdict, `${id} under ${entry.policy}`).toBe(demo.with[entry.policy]);
      }
      expect(matrix.entries.map((e) => e.policy)).toEqual([...POLICIES]);
    }
  });

  it("give the engine's own run with the fix reverted the recorded without row, under every policy", () => {
    for (const [id, demo] of DEMOS) {
      const parsed = parseTrace(demo.trace);
      const matrix = verdictMatrix(parsed.trace, "6.1", POLICIES, [id]);
      expect(matrix.without).toEqual([id]);
      expect(matrix.entries.map((e) => e.policy)).toEqual([...POLICIES]);
      for (const entry of matrix.entries) {
        expectRefusals(id, demo, entry);
        expect(entry.verdict, `${id} without the fix, under ${entry.policy}`).toBe(demo.without[entry.policy]);
      }
    }
  });

  it("cover every fix the model can revert", () => {
    expect([...DEMOS.keys()].sort()).toEqual([...REVERTIBLE].sort());
  });
});

describe("revertible fixes", () => {
  it("are modelled fixes whose guard asks fixed(tx, id) at the place the catalogue names", () => {
    for (const id of REVERTIBLE) {
      const fix = fixById(id)!;
      expect(fix.modelled, id).toBe("yes");
      expect(fix.modelledSnippet, id).toBe(`fixed(tx, "${id}")`);
      const [file, range] = fix.modelledAt!.split(":");
      const first = Number(range.split("-")[0]);
      const lines = readFileSync(join(REPO, file), "utf8").split("\n");
      expect(lines[first - 1], `${id}: ${fix.modelledAt} (after an edit above a guard, \`npm run fix-lines\` updates the catalogue)`).toContain(
        fix.modelledSnippet!,
      );
    }
  });

  it("are the only ids a guard asks about", () => {
    const asked = new Set<string>();
    const call = /fixed\(tx, "([a-z0-9-]+)"\)/g;
    for (const dir of ["core/ops", "core/kernel", "core/policy"]) {
      for (const file of readdirSync(join(REPO, dir))) {
        if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
        for (const m of readFileSync(join(REPO, dir, file), "utf8").matchAll(call)) asked.add(m[1]);
      }
    }
    expect([...asked].sort()).toEqual([...REVERTIBLE].sort());
  });
});

/** A demo's steps fail only under the policies it says, in the function it names. */
function expectRefusals(id: string, demo: FixDemo, entry: MatrixEntry): void {
  const fn = demo.refusedUnder?.[entry.policy];
  if (fn === undefined) {
    expect(entry.errors, `${id} ${entry.policy}`).toEqual([]);
    return;
  }
  expect(entry.errors.length, `${id} ${entry.policy}: the refusal it declares`).toBeGreaterThan(0);
  for (const e of entry.errors) expect(e.message, `${id} ${entry.policy}`).toContain(fn);
}
