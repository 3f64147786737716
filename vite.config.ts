import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "./",
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173 },
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  test: {
    include: ["{core,app,stories,tools,cli,tests}/**/*.test.{ts,tsx}"],
    environment: "node",
    testTimeout: 60_000,
  },
});
