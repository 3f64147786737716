// SPDX-License-Identifier: GPL-2.0-only
/** tools/fix-lines.mjs follows a guard that an edit above it moved. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const tool = (root: string, ...args: string[]) => spawnSync("node", [join(ROOT, "tools/fix-lines.mjs"), "--root", root, ...args], { encoding: "utf8" });

describe("npm run fix-lines", () => {
  it("moves a fix's line reference to where its guard now stands, and --check says so first", () => {
    const root = mkdtempSync(join(tmpdir(), "fix-lines-"));
    for (const dir of ["core/fixes", "core/ops", "core/kernel", "core/policy"]) {
      mkdirSync(join(root, dir), { recursive: true });
      cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
    }
    expect(tool(root, "--check").status).toBe(0);
    const split = join(root, "core/ops/skb_split.ts");
    writeFileSync(split, `// one line more\n// and another\n${readFileSync(split, "utf8")}`);
    const before = /modelledAt: "core\/ops\/skb_split\.ts:(\d+)-(\d+)"/.exec(readFileSync(join(root, "core/fixes/catalogue.ts"), "utf8"))!;
    const checked = tool(root, "--check");
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain(`core/ops/skb_split.ts: ${before[1]}-${before[2]} -> ${Number(before[1]) + 2}-${Number(before[2]) + 2}`);
    expect(tool(root).status).toBe(0);
    expect(readFileSync(join(root, "core/fixes/catalogue.ts"), "utf8")).toContain(`core/ops/skb_split.ts:${Number(before[1]) + 2}-${Number(before[2]) + 2}`);
    expect(tool(root, "--check").status).toBe(0);
  });
});
