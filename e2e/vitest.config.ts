// SPDX-License-Identifier: GPL-2.0-only
import { defineConfig } from "vitest/config";

/** Browser tests: one production build, one Chromium, files in sequence. */
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
