// SPDX-License-Identifier: GPL-2.0-only
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

const LINE = "// SPDX-License-Identifier: GPL-2.0-only";
const spdx = (...args: string[]) => spawnSync("node", ["tools/spdx.mjs", ...args], { encoding: "utf8" });

it("tools/spdx.mjs stamps the sources without the line, after a #!, and --check lists them", () => {
  const dir = mkdtempSync(join(tmpdir(), "spdx-"));
  try {
    mkdirSync(join(dir, "src", "node_modules", "x"), { recursive: true });
    const files: Record<string, string> = {
      "src/run.mjs": "#!/usr/bin/env node\nconsole.log(1);\n",
      "src/plain.ts": "export const b = 1;\n",
      "src/done.tsx": `${LINE}\nexport {};\n`,
      "src/node_modules/x/index.js": "module.exports = 1;\n",
      "notes.md": "# notes\n",
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);

    const before = spdx("--check", dir);
    expect(before.status).toBe(1);
    expect(before.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "src/plain.ts: no SPDX-License-Identifier line",
      "src/run.mjs: no SPDX-License-Identifier line",
    ]);
    expect(readFileSync(join(dir, "src/plain.ts"), "utf8")).toBe(files["src/plain.ts"]);

    expect(spdx(dir)).toMatchObject({ status: 0, stdout: "2 files stamped\n" });
    expect(readFileSync(join(dir, "src/run.mjs"), "utf8")).toBe(`#!/usr/bin/env node\n${LINE}\nconsole.log(1);\n`);
    expect(readFileSync(join(dir, "src/plain.ts"), "utf8")).toBe(`${LINE}\nexport const b = 1;\n`);
    for (const path of ["src/done.tsx", "src/node_modules/x/index.js", "notes.md"]) expect(readFileSync(join(dir, path), "utf8")).toBe(files[path]);

    expect(spdx("--check", dir)).toMatchObject({ status: 0, stdout: "" });
    expect(spdx(dir).stdout).toBe("0 files stamped\n");
    expect(spdx("--frobnicate").status).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
