// SPDX-License-Identifier: GPL-2.0-only
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * The built app's Content-Security-Policy (issue 16.6): scripts, workers,
 * styles only from the app itself; images also from data:/blob: (the PNG
 * export draws the SVG through a blob: URL). A meta tag added to
 * index.html at build time only: Vite's dev server injects CSS as inline
 * <style> elements, which style-src 'self' refuses. The built editor
 * (CodeMirror's style-mod) adds <style> elements too, so style-src-elem
 * allows inline ones; style attributes (style-src-attr) and every script
 * stay 'self' only. e2e/csp.e2e.test.ts checks the build runs with no
 * violation reported.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  // The editor (CodeMirror 6, through style-mod) mounts its theme as <style>
  // elements in the document: those need inline; style attributes stay refused.
  "style-src-elem 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const contentSecurityPolicy = (): Plugin => ({
  name: "skbscope-csp",
  apply: "build",
  transformIndexHtml: () => [{ tag: "meta", attrs: { "http-equiv": "Content-Security-Policy", content: CSP }, injectTo: "head-prepend" }],
});

export default defineConfig({
  base: "./",
  plugins: [contentSecurityPolicy()],
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
