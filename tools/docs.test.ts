// SPDX-License-Identifier: GPL-2.0-only
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED } from "./docs";

const root = resolve(import.meta.dirname, "..");

describe("generated docs", () => {
  for (const g of GENERATED) {
    it(`${g.file} is current with the op registry (run npm run docs)`, () => {
      const current = readFileSync(resolve(root, g.file), "utf8");
      expect(current).toBe(g.render(current));
    });
  }
});
