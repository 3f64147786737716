// SPDX-License-Identifier: GPL-2.0-only
/**
 * The e2e harness: a production build served by `vite preview` on a free
 * 127.0.0.1 port, and Debian's Chromium driven by playwright-core. The
 * tests and tools/bench-browser.ts start and stop both themselves.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
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
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: join(ROOT, "vite.config.ts"),
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
    logLevel: "warn",
  });
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
export async function openApp(
  browser: Browser,
  url: string,
  theme: "light" | "dark" = "light",
  query = "",
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
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

type Scope = {
  title: string | null;
  shownTitle: string | null;
  matrix: unknown;
  lifetimes: { rows: unknown[] } | null;
};

/**
 * Wait until the trace titled `title` is loaded and drawn: a step of it on
 * screen (not the previous trace's drawing at the same step), its verdict
 * matrix and its lifetime chart too.
 */
export async function traceDrawn(page: Page, title: string, timeout = 300_000): Promise<void> {
  await page.waitForFunction(
    (t) => {
      const s = (window as unknown as { __skbscope: { state(): Scope } }).__skbscope.state();
      if (s.title !== t || s.shownTitle !== t || s.matrix === null || s.lifetimes === null) return false;
      return s.lifetimes.rows.length === 0 || document.querySelector(".lifetimes .row") !== null;
    },
    title,
    { timeout },
  );
  await settled(page);
}

export interface LongTask {
  /** ms since the page's time origin */
  start: number;
  duration: number;
}

type LongTaskWindow = { __longTasks: LongTask[]; __longTaskObserver?: PerformanceObserver };

/**
 * Record the page's long tasks (main-thread tasks over 50 ms) from now on.
 * Chromium does not report a task in which DevTools evaluates a script
 * (page.evaluate): start the work to watch from a task of the page's own,
 * e.g. a setTimeout.
 */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as LongTaskWindow;
    w.__longTaskObserver?.disconnect();
    w.__longTasks = [];
    w.__longTaskObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    });
    w.__longTaskObserver.observe({ type: "longtask" });
  });
}

/** The long tasks since watchLongTasks, the frame in flight included; recording stops. */
export async function takeLongTasks(page: Page): Promise<LongTask[]> {
  return page.evaluate(async () => {
    const w = window as unknown as LongTaskWindow;
    // An entry is queued when its task ends: let the frame in flight be
    // drawn, then read what the observer has not delivered yet.
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100))));
    for (const e of w.__longTaskObserver?.takeRecords() ?? []) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    w.__longTaskObserver?.disconnect();
    return w.__longTasks;
  });
}

type TraceEvent = { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number };

/** A task of the page's main thread: how long it took, and how much of that the thread ran (ms). */
export interface TracedTask {
  wall: number;
  /** Thread CPU time: leaves out the time the thread waited for a core on a busy machine. */
  cpu: number;
}

/**
 * Times every task of the page's main thread with the DevTools protocol's
 * tracing (category "toplevel": one event per task, cheap), for the
 * figures under 50 ms that the longtask observer does not report. Tasks
 * count from the one in which the page sets the performance mark `from`.
 */
export async function traceMainThread(page: Page, from: string): Promise<{ stop(): Promise<TracedTask[]> }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send("Tracing.start", { transferMode: "ReportEvents", traceConfig: { includedCategories: ["toplevel", "blink.user_timing"] } });
  return {
    async stop() {
      const complete = new Promise((done) => cdp.once("Tracing.tracingComplete", done));
      await cdp.send("Tracing.end");
      await complete;
      await cdp.detach();
      const mark = events.find((e) => e.name === from);
      if (!mark) throw new Error(`the trace has no mark ${from}`);
      return events
        .filter((e) => e.name === "ThreadControllerImpl::RunTask" && e.ph === "X" && e.pid === mark.pid && e.tid === mark.tid && e.ts + (e.dur ?? 0) >= mark.ts)
        .map((e) => ({ wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000 }));
    },
  };
}

/** Wait until the snapshot on screen is the cursor's and no load is pending. */
export async function settled(page: Page, step?: number): Promise<void> {
  await page.waitForFunction((want) => {
    const s = (window as unknown as { __skbscope: { state(): { cursor: number; shownStep: number; health: { state: string } } } }).__skbscope.state();
    return s.shownStep === s.cursor && (want === null || s.cursor === want) && (s.health.state === "ready" || s.health.state === "recovered");
  }, step ?? null);
  // The store is ahead of the screen until React and D3 have drawn the step.
  await page.waitForFunction(() => {
    const s = (window as unknown as { __skbscope: { state(): { cursor: number } } }).__skbscope.state();
    return document.querySelector("svg.graph")?.getAttribute("data-step") === String(s.cursor);
  });
}

/**
 * One production build served and one Chromium for a test file: started
 * before its tests and stopped after them.
 */
export function appUnderTest(): { readonly browser: Browser; readonly url: string } {
  let served: Served | undefined;
  let chromium: Launched | undefined;
  beforeAll(async () => {
    served = await serveBuild();
    chromium = await launchChromium();
    mkdirSync(join(ROOT, "e2e", "screenshots"), { recursive: true });
  });
  afterAll(async () => {
    await chromium?.close();
    await served?.close();
  });
  return {
    get browser() {
      return chromium!.browser;
    },
    get url() {
      return served!.url;
    },
  };
}

/** Objects drawn (not fading out) whose box leaves the graph panel, by data-key. */
export function outsidePanel(page: Page): Promise<(string | undefined)[]> {
  return page.evaluate(() => {
    const svg = document.querySelector("svg.graph")!.getBoundingClientRect();
    return [...document.querySelectorAll<SVGGElement>("svg.graph g.node:not(.leaving)")]
      .filter((g) => {
        const r = g.getBoundingClientRect();
        return r.left < svg.left - 1 || r.top < svg.top - 1 || r.right > svg.right + 1 || r.bottom > svg.bottom + 1;
      })
      .map((g) => g.dataset.key);
  });
}
