// SPDX-License-Identifier: GPL-2.0-only
/**
 * The main screen in real Chromium: the default story at its violation,
 * operations through the forms with the drawn counters checked against
 * the engine run in Node, time travel, worker crash recovery, the editor's
 * diagnostics, the presentation screenshots (e2e/screenshots/), and a
 * 100,000-step trace loading (its timing is in npm run bench:browser).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { POLICIES, parseTrace, runTrace, stateView, type StateView } from "../core/index";
import { DEFAULT_STORY_ID, STORIES } from "../stories/index";
import { datarefText } from "../app/graph/format";
import { appUnderTest, openApp, ROOT, settled, traceDrawn } from "./harness";
import { LONG_TRACE_TITLE, longTrace, wideTrace } from "./traces";

const SHOTS = join(ROOT, "e2e", "screenshots");
const app = appUnderTest();

type Hook = {
  __skbscope: {
    state(): { source: string; cursor: number; selection: string | null; stepCount: number; detail: { error: unknown } | null };
    open(s: string, p: string): void;
    crash(how: string): void;
  };
};
const state = (page: Page) =>
  page
    .evaluate(() => (window as unknown as Hook).__skbscope.state())
    .then((s) => ({ source: s.source, cursor: s.cursor, selection: s.selection, stepCount: s.stepCount, error: s.detail?.error ?? null }));

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
  for (const [key, fields] of Object.entries(want))
    expect(drawn[key], `${key} at step ${s.cursor}; drawn: ${Object.keys(drawn).join(" ")}`).toMatchObject(fields);
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

  it("the form acts where you stand: its line goes after the step on screen, and that step opens (issue 17.3)", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await page.evaluate(() =>
      (window as unknown as Hook).__skbscope.open("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nkfree_skb(a)\n", "end"),
    );
    await settled(page, 4);
    // Back to step 3, where a is still alive: a clone of it there is no use after free.
    await page.locator("body").click({ position: { x: 5, y: 700 } });
    await page.keyboard.press("ArrowLeft");
    await settled(page, 3);
    await page.click('svg.graph g.node[data-key="skb:a"]');
    await page.waitForSelector('svg.graph g.node[data-key="skb:a"].selected');
    await page.selectOption("[data-testid=op-select]", "skb_clone");
    expect(await page.locator("[data-testid=apply]").textContent()).toBe("insert after step 3: skb_clone");
    await page.click("[data-testid=apply]");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 5);
    await settled(page, 4);
    const s = await state(page);
    expect(s.source.trim().split("\n")).toEqual([
      "g = alloc_page(guest)",
      "a = alloc_skb(256)",
      "skb_fill_page_desc(a, 0, g, 0, 4096)",
      "b = skb_clone(a)",
      "kfree_skb(a)",
    ]);
    expect(s.cursor).toBe(4);
    expect(s.error).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("clone, expand head, split, deliver and splice through the forms; counters match the engine; step back and forward", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await page.evaluate(() =>
      (window as unknown as Hook).__skbscope.open(
        "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\ns = sock_create()\n",
        "end",
      ),
    );
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
    const source =
      "# policy: msg-zerocopy\n# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nt = alloc_skb(256)\nskb_frag_add_head(t, a)\nsegs = skb_segment(t, 1448)\nq = skb_splice_bits(t, 0, 100)\nkfree_skb(t)\n";
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "end"), source);
    await settled(page, 9);
    const row = page.locator("[data-testid=matrix] tr", { hasText: "msg-zerocopy" });
    await row.waitFor();
    expect(await row.getAttribute("class")).toMatch(/\binconclusive\b/);
    expect(await row.getAttribute("class")).not.toMatch(/\bok\b/);
    expect(await row.locator(".verdict").textContent()).toMatch(/inconclusive/);
    expect(await row.locator("button").textContent()).toBe("step 7");
    expect(await row.locator("button").getAttribute("title")).toMatch(/^not judged: skb_segment: .*not modelled/);
    // One row per policy.
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=matrix] tr").length === n, POLICIES.length);
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
    // Every policy but page-pool (no pool page here: nothing to judge) waits on the device: late.
    const late = POLICIES.filter((p) => story.expected[p] === "late");
    expect(late.length).toBe(POLICIES.length - 1);
    expect(await page.locator("[data-testid=matrix] tr.bad").count()).toBe(late.length);
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
    await page.keyboard.type("b = skb_clone(c");
    // The editor offers the names of skbs after "("; Escape closes the list, then Enter ends the line.
    await page.waitForSelector(".cm-tooltip-autocomplete");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Enter");
    const diag = page.locator("[data-testid=diagnostic]").first();
    await diag.waitFor();
    expect(await diag.textContent()).toMatch(/^\d+:\d+ error/);
    await page.keyboard.press("Backspace");
    await page.keyboard.type(")\n");
    // No parse error is left (cloning c after the story freed it is a run-time error, marked too).
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=diagnostic][data-source=parse]").length === 0);
    await page.waitForFunction((n) => (window as unknown as Hook).__skbscope.state().stepCount === n, steps + 1);
    await context.close();
  });
});

describe("a 100,000-step trace", () => {
  /**
   * Functional only: the trace loads over a 300-object graph and is drawn
   * with its verdict matrix and lifetime chart. How long its main-thread
   * tasks take (goal: none over 50 ms) depends on the machine's load, so it
   * is measured and printed by `npm run bench:browser`, not asserted here:
   * a timed assertion failed under CPU load and could block a landing.
   */
  it("loads over a 300-object graph and is drawn, with its verdicts and lifetimes", async () => {
    const { page, errors, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "end"), wideTrace());
    await traceDrawn(page, "bench: 300 objects");
    // Every object drawn, one a node or inside a stack (clone pairs stack in a crowded panel).
    const objects = await page.evaluate(() =>
      [...document.querySelectorAll<SVGGElement>("svg.graph g.node")].reduce((n, g) => n + Number(g.dataset.members ?? 1), 0),
    );
    expect(objects).toBeGreaterThanOrEqual(300);
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, "keep"), longTrace());
    await traceDrawn(page, LONG_TRACE_TITLE, 100_000);
    expect((await state(page)).stepCount).toBe(100_000);
    expect(await page.locator("svg.graph g.node").count()).toBeLessThan(300);
    expect(await page.locator(".lifetimes .row").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
