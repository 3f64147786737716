/**
 * The e2e harness: a production build served by `vite preview` on a free
 * 127.0.0.1 port, and Debian's Chromium driven by playwright-core. The
 * tests and tools/bench-browser.ts start and stop both themselves.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build, preview, type PreviewServer } from "vite";

export const ROOT = resolve(import.meta.dirname, "..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Build the app into dist/ (unless told not to), then serve it. */
export async function serveBuild(options: { build?: boolean } = {}): Promise<Served> {
  if (options.build !== false) {
    // Under vitest NODE_ENV is "test", which would bundle React's development build.
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await build({ root: ROOT, mode: "production", logLevel: "warn", configFile: join(ROOT, "vite.config.ts") });
    } finally {
      process.env.NODE_ENV = env;
    }
  }
  const server: PreviewServer = await preview({ root: ROOT, configFile: join(ROOT, "vite.config.ts"), preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false }, logLevel: "warn" });
  const address = server.httpServer.address();
  if (!address || typeof address === "string") throw new Error("vite preview has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}

export interface Launched {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Launched> {
  // playwright gives every launch a fresh temporary profile (user-data-dir).
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run tools/ensure-chromium.sh (apt-get install chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
    },
  };
}

/** A 1280×720 page in a theme, with page errors collected. */
export async function openApp(browser: Browser, url: string, theme: "light" | "dark" = "light", query = ""): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: theme, deviceScaleFactor: 1 });
  // tsx (esbuild keepNames) wraps named functions inside page.evaluate in __name().
  await context.addInitScript({ content: "globalThis.__name = (f) => f;" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(`${url}${query}`);
  await page.waitForSelector(".app[data-health='ready'], .app[data-health='recovered']");
  return { context, page, errors };
}

/** Wait until the snapshot on screen is the cursor's and no load is pending. */
export async function settled(page: Page, step?: number): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const s = (window as unknown as { __skbscope: { state(): { cursor: number; shownStep: number; health: { state: string } } } }).__skbscope.state();
      return s.shownStep === s.cursor && (want === null || s.cursor === want) && (s.health.state === "ready" || s.health.state === "recovered");
    },
    step ?? null,
  );
  // The store is ahead of the screen until React and D3 have drawn the step.
  await page.waitForFunction(() => {
    const s = (window as unknown as { __skbscope: { state(): { cursor: number } } }).__skbscope.state();
    return document.querySelector("svg.graph")?.getAttribute("data-step") === String(s.cursor);
  });
}
