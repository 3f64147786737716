/**
 * The main screen in real Chromium: the default story at its violation,
 * operations through the forms with the drawn counters checked against
 * the engine run in Node, time travel, worker crash recovery, the editor's
 * diagnostics, the presentation screenshots (e2e/screenshots/), and a
 * 100,000-step trace loading with no long task on the UI thread.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { parseTrace, runTrace, stateView, type StateView } from "../core/index";
import { DEFAULT_STORY_ID, STORIES } from "../stories/index";
import { datarefText } from "../app/graph/format";
import { appUnderTest, openApp, ROOT, settled, takeLongTasks, traceDrawn, traceMainThread, watchLongTasks, type LongTask, type TracedTask } from "./harness";
import { LONG_TRACE_TITLE, longTrace, wideTrace } from "./traces";

const SHOTS = join(ROOT, "e2e", "screenshots");
const app = appUnderTest();

type Hook = { __skbscope: { state(): { source: string; cursor: number; selection: string | null; stepCount: number; detail: { error: unknown } | null }; open(s: string, p: string): void; crash(how: string): void } };
const state = (page: Page) => page.evaluate(() => (window as unknown as Hook).__skbscope.state()).then((s) => ({ source: s.source, cursor: s.cursor, selection: s.selection, stepCount: s.stepCount, error: s.detail?.error ?? null }));

/** What the graph draws, read off the SVG: counters by object key. */
async function drawnCounters(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.evaluate(() => {
    const out: Record<string, Record<string, string>> = {};
    for (const g of document.querySelectorAll<SVGGElement>("svg.graph g.node:not(.leaving)")) {
      const fields: Record<string, string> = {};
      for (const t of g.querySelectorAll<SVGTSpanElement>("tspan.counter")) {
        // The text itself: "users 1" or "users 1→2" (old → new); the value is the last number.
        const text = t.textContent ?? "";
        fields[t.dataset.field!] = text.slice(text.lastIndexOf(text.includes("→") ? "→" : " ") + 1);
      }
      out[g.dataset.key!] = fields;
    }
    return out;
  });
}

/** The engine's own numbers for the same trace and step, in the graph's terms. */
function engineCounters(view: StateView): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of view.skbs) out[`skb:${s.name}`] = { users: String(s.users), cloned: s.cloned ? "1" : "0", nohdr: s.nohdr ? "1" : "0", len: String(s.len) };
  for (const d of view.datas) out[`data:${d.head}`] = { dataref: datarefText(d.dataref), nr_frags: String(d.nr_frags) };
  for (const p of view.pages) if (!p.freed) out[`page:${p.name}`] = { refcount: String(p.refcount) };
  for (const q of view.pipes) out[`pipe:${q.name}`] = { bufs: String(q.bufs.length) };
  return out;
}

function engineAt(source: string, step: number): StateView {
  return stateView(runTrace(parseTrace(source).trace).snapshotAt(step));
}

async function expectCountersMatchEngine(page: Page): Promise<void> {
  const s = await state(page);
  const drawn = await drawnCounters(page);
  const want = engineCounters(engineAt(s.source, s.cursor));
  for (const [key, fields] of Object.entries(want)) expect(drawn[key], `${key} at step ${s.cursor}; drawn: ${Object.keys(drawn).join(" ")}`).toMatchObject(fields);
}

async function apply(page: Page, target: string, fn: string, args: Record<string, string> = {}): Promise<void> {
  const before = (await state(page)).stepCount;
  await page.click(`svg.graph g.node[data-key="${target}"]`);
  await page.waitForSelector(`svg.graph g.node[data-key="${target}"].selected`);
  await page.selectOption("[data-testid=op-select]", fn);
  for (const [name, value] of Object.entries(args)) {
    const el = page.locator(`[data-testid=arg-${name}]`);
    if ((await el.evaluate((e) => e.tagName)) === "SELECT") await el.selectOption(value);
    else await el.fill(value);
  }
  await page.click("[data-testid=apply]");
  await page.waitForFunction((n) => (window as unknown as Hook).__skbscope.state().stepCount === n, before + 1);
  await settled(page, before + 1);
}

describe("skbscope main screen", () => {
  const story = STORIES.find((s) => s.id === DEFAULT_STORY_ID)!;
  const violation = runTrace(parseTrace(story.source).trace).findings.find((f) => f.kind === "premature")!.step;

  it("opens the default story at its premature completion, drawn and explained", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await settled(page, violation);
    expect(await page.locator("[data-testid=finding]").first().textContent()).toMatch(/premature/);
    expect(await page.locator("svg.graph g.node.flagged").count()).toBeGreaterThan(0);
    expect(await page.locator("[data-testid=matrix] tr.bad").count()).toBeGreaterThan(0);
    await expectCountersMatchEngine(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("saves presentation screenshots at 1280×720 in light and dark at the violating step", async () => {
    for (const theme of ["light", "dark"] as const) {
      const { page, context } = await openApp(app.browser, app.url, theme, "?reduced=1");
      await settled(page, violation);
      await page.emulateMedia({ reducedMotion: "reduce" });
      await page.waitForFunction(() => document.querySelectorAll("svg.graph g.node.leaving").length === 0);
      await page.waitForSelector(".lifetimes .row");
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await page.screenshot({ path: join(SHOTS, `default-story-${theme}.png`) });
      await context.close();
    }
  });

  it("clone, expand head, split, deliver and splice through the forms; counters match the engine; step back and forward", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await page.evaluate(() => (window as unknown as Hook).__skbscope.open("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\ns = sock_create()\n", "end"));
    await settled(page, 4);
    await apply(page, "skb:a", "skb_clone");
    await expectCountersMatchEngine(page);
    expect(await page.locator('g.node[data-key="data:h1"] tspan[data-field=dataref]').textContent()).toBe("dataref 1→2");
    await apply(page, "skb:a", "pskb_expand_head", { nhead: "64", ntail: "0" });
    await expectCountersMatchEngine(page);
    await apply(page, "skb:a", "skb_split", { len: "1000" });
    await expectCountersMatchEngine(page);
    // Splice reads only a received skb (caller contract read-from-receive-queue).
    await apply(page, "skb:b", "sock_queue_rcv_skb", { sk: "s" });
    await apply(page, "skb:b", "skb_splice_bits", { offset: "0", len: "4096" });
    await expectCountersMatchEngine(page);
    const s = await state(page);
    expect(s.source.trim().split("\n").slice(4)).toEqual([
      "b = skb_clone(a)",
      "pskb_expand_head(a, 64, 0)",
      "c = skb_split(a, 1000)",
      "sock_queue_rcv_skb(s, b)",
      "q = skb_splice_bits(b, 0, 4096)",
    ]);
    expect(s.error).toBeNull();
    expect(await page.locator('g.node[data-key="pipe:q"]').count()).toBe(1);

    // Time travel by keyboard: the graph follows the engine at every step.
    await page.locator("body").click({ position: { x: 5, y: 700 } });
    await page.keyboard.press("ArrowLeft");
    await settled(page, 8);
    await expectCountersMatchEngine(page);
    await page.keyboard.press("ArrowLeft");
    await settled(page, 7);
    await expectCountersMatchEngine(page);
    await page.keyboard.press("ArrowRight");
    await settled(page, 8);
    await expectCountersMatchEngine(page);
    await page.keyboard.press("Home");
    await settled(page, 0);
    await page.keyboard.press("End");
    await settled(page, 9);
    await page.click("[data-testid=step-back]");
    await settled(page, 8);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows inconclusive plainly, never as ok, and a broken caller contract as a precondition (issue 11.1, 11.3)", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    const source = "# policy: msg-zerocopy\n# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nt = alloc_skb(256)\nskb_frag_add_head(t, a)\nsegs = skb_segment(t, 1448)\nq = skb_splice_bits(t, 0, 100)\nkfree_skb(t)\n";
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "end"), source);
    await settled(page, 9);
    const row = page.locator("[data-testid=matrix] tr", { hasText: "msg-zerocopy" });
    await row.waitFor();
    expect(await row.getAttribute("class")).toMatch(/\binconclusive\b/);
    expect(await row.getAttribute("class")).not.toMatch(/\bok\b/);
    expect(await row.locator(".verdict").textContent()).toMatch(/inconclusive/);
    expect(await row.locator("button").textContent()).toBe("step 7");
    expect(await row.locator("button").getAttribute("title")).toMatch(/^not judged: skb_segment: .*not modelled/);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=matrix] tr").length === 5);
    await page.screenshot({ path: join(SHOTS, "inconclusive-light.png") });
    // Step 7 says why; step 8 (a splice of an skb no socket received) names the contract.
    await row.locator("button").click();
    await settled(page, 7);
    expect((await state(page)).error).toMatchObject({ kind: "unsupported" });
    await page.locator("body").click({ position: { x: 5, y: 700 } });
    await page.keyboard.press("ArrowRight");
    await settled(page, 8);
    expect((await state(page)).error).toMatchObject({ kind: "precondition" });
    expect(await page.locator(".narration").textContent()).toMatch(/caller contract read-from-receive-queue/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("draws the device queue holding a transmitted skb (issue 11.4)", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    const story = STORIES.find((s) => s.id === "vhost-head-of-line")!;
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "end"), story.source);
    await settled(page, 11);
    await page.locator("body").click({ position: { x: 5, y: 700 } });
    await page.keyboard.press("ArrowLeft");
    await settled(page, 10);
    await page.waitForSelector('svg.graph g.node[data-key="sock:@dev"]');
    expect(await page.locator("[data-testid=matrix] tr.bad").count()).toBe(5);
    await page.screenshot({ path: join(SHOTS, "device-queue-light.png") });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("recovers from a worker that throws and from one that hangs, losing no step", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?watchdog=1500");
    await settled(page, violation);
    await page.keyboard.press("ArrowLeft");
    await settled(page, violation - 1);
    await page.click('svg.graph g.node[data-key="page:g"]');
    const before = await state(page);
    for (const how of ["throw", "hang"]) {
      await page.evaluate((h) => (window as unknown as Hook).__skbscope.crash(h), how);
      await page.waitForSelector(".app[data-health='recovered']", { timeout: 20_000 });
      await settled(page, before.cursor);
      expect(await page.locator("[data-testid=health]").textContent()).toMatch(/new one replayed the trace/);
      const after = await state(page);
      expect(after).toMatchObject({ cursor: before.cursor, source: before.source, selection: "page:g" });
      await expectCountersMatchEngine(page);
      await page.click("[data-testid=health] button");
    }
    await context.close();
  });

  it("marks parse errors at line:column while typing, and re-runs on edit", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page, violation);
    const steps = (await state(page)).stepCount;
    await page.click("#trace-editor");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("b = skb_clone(c\n");
    const diag = page.locator("[data-testid=diagnostic]").first();
    await diag.waitFor();
    expect(await diag.textContent()).toMatch(/^\d+:\d+ error/);
    await page.keyboard.press("Backspace");
    await page.keyboard.type(")\n");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=diagnostic]").length === 0);
    await page.waitForFunction((n) => (window as unknown as Hook).__skbscope.state().stepCount === n, steps + 1);
    await context.close();
  });
});

describe("a 100,000-step trace", () => {
  /** Issue 4: the UI stays responsive while a long trace loads (no main-thread task over 50 ms). */
  const LONG_TASK_MS = 50;
  /**
   * The same tasks' main-thread CPU time, traced: a busy machine stretches
   * a task's duration while the thread waits for a core, not its CPU time,
   * so this bound can be tighter and still hold on a loaded CI machine.
   * It is what makes the test fail on the app before the fix, whose longest
   * tasks took 30-35 ms of CPU (40-68 ms in all: the 50 ms bound alone let
   * it pass on a quiet 2-core machine about half the time); the fix needs
   * 9-15 ms, on an idle machine or with one core kept busy by another process.
   */
  const CPU_MS = 25;
  const source = longTrace();

  /**
   * One attempt, in a fresh page: a 300-object graph on screen (the worst
   * case: all of it leaves when the long trace is drawn), then the long
   * trace opened over it and watched until it is drawn with its verdict
   * matrix and lifetime chart. What is counted is the app's own work: the
   * 2 MB text reaches the page before the clock starts (moving it through
   * the DevTools protocol is the harness's work), and the test only polls
   * a store getter once a frame meanwhile. The open itself runs in a task
   * of the page's own (a timer): Chromium leaves the tasks in which
   * DevTools evaluates a script out of the longtask entries.
   */
  async function attempt(): Promise<{ long: LongTask[]; tasks: TracedTask[] }> {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "end"), wideTrace());
    await traceDrawn(page, "bench: 300 objects");
    expect(await page.locator("svg.graph g.node").count()).toBeGreaterThanOrEqual(300);
    await page.evaluate((s) => Object.assign(window, { __trace: s }), source);

    // The observer works here: a task we make long is reported.
    await watchLongTasks(page);
    await page.evaluate(() => {
      setTimeout(() => {
        const t = performance.now();
        while (performance.now() - t < 80);
      });
    });
    expect((await takeLongTasks(page)).some((t) => t.duration >= 75)).toBe(true);

    await watchLongTasks(page);
    const tracing = await traceMainThread(page, "skbscope:open");
    await page.evaluate(() => {
      setTimeout(() => {
        performance.mark("skbscope:open");
        (window as unknown as Hook).__skbscope.open((window as unknown as { __trace: string }).__trace, "keep");
      });
    });
    await traceDrawn(page, LONG_TRACE_TITLE, 100_000);
    const long = await takeLongTasks(page);
    const tasks = await tracing.stop();
    // The trace has the load's tasks, with their CPU time.
    expect(tasks.filter((t) => t.cpu > 0).length).toBeGreaterThan(10);
    expect((await state(page)).stepCount).toBe(100_000);
    expect(await page.locator("svg.graph g.node").count()).toBeLessThan(300);
    expect(errors).toEqual([]);
    await context.close();
    return { long, tasks };
  }

  it("loads and is drawn with no main-thread task over 50 ms", async () => {
    // Headless Chromium on a busy 2-core CI machine has stray long tasks
    // (a collection, a task that waited for a core): an attempt over a
    // bound fails the test only if a second attempt is over one too.
    const over = (a: { long: LongTask[]; tasks: TracedTask[] }) => ({
      long: a.long.map((t) => t.duration).filter((ms) => ms > LONG_TASK_MS),
      cpu: a.tasks.map((t) => Math.round(t.cpu)).filter((ms) => ms > CPU_MS),
    });
    let result = over({ long: [], tasks: [] });
    for (let i = 1; i <= 2; i++) {
      const a = await attempt();
      result = over(a);
      const longest = a.tasks.reduce((m, t) => (t.wall > m.wall ? t : m), { wall: 0, cpu: 0 });
      console.log(
        `100,000-step trace, attempt ${i}: long tasks ${a.long.length ? a.long.map((t) => `${t.duration} ms`).join(", ") : "none"}; longest task ${longest.wall.toFixed(1)} ms (${longest.cpu.toFixed(1)} ms CPU), most CPU in a task ${Math.max(...a.tasks.map((t) => t.cpu)).toFixed(1)} ms`,
      );
      if (result.long.length === 0 && result.cpu.length === 0) break;
    }
    expect(result).toEqual({ long: [], cpu: [] });
  }, 240_000);
});
