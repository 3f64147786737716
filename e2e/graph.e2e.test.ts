// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 17.4 in real Chromium at 1280×720 (editor and lifetime chart
 * open): tall, mixed and wide graphs of 40-60 objects stay inside the
 * panel with every graph text at 10 px or more after every step, and no
 * object that survives a step moves; copies of one skb stack; many frag
 * references into one page are drawn as one counted bundle that opens on
 * focus. Screenshots go to e2e/screenshots/.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { appUnderTest, openApp, outsidePanel, ROOT, settled } from "./harness";
import { mixedTrace, tallTrace, wideTrace } from "./traces";
import { parseTrace } from "../core/trace/parse";

const SHOTS = join(ROOT, "e2e", "screenshots");
const app = appUnderTest();

type Hook = { __skbscope: { state(): { stepCount: number; stoppedAt: number | null }; open(s: string, p: unknown): void; seek(step: number): void } };

const openTrace = (page: Page, source: string, position: unknown) =>
  page.evaluate(([s, p]) => (window as unknown as Hook).__skbscope.open(s as string, p), [source, position] as const);
const stepsOf = (source: string) => parseTrace(source).trace.ops.length;
const seek = (page: Page, step: number) => page.evaluate((n) => (window as unknown as Hook).__skbscope.seek(n), step);

/** The smallest graph text on screen: its font size times the zoom the SVG applies to it. */
const smallestText = (page: Page) =>
  page.evaluate(() => {
    const sizes = [...document.querySelectorAll<SVGTextElement>("svg.graph text")]
      .filter((t) => t.getBoundingClientRect().width > 0)
      .map((t) => ({ text: t.textContent ?? "", px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM()!.a }));
    return sizes.reduce((a, b) => (b.px < a.px ? b : a), { text: "", px: Infinity });
  });

/** Where each object is drawn (its transform), and the level of detail: the same slot has another position in chips and boxes. */
const positions = (page: Page) =>
  page.evaluate(() => ({
    compact: document.querySelector("svg.graph")!.classList.contains("compact"),
    at: Object.fromEntries(
      [...document.querySelectorAll<SVGGElement>("svg.graph g.node:not(.leaving)")].map((g) => [g.dataset.key!, g.getAttribute("transform")!]),
    ),
  }));

/**
 * Steps through a trace, every object inside the panel after each step and
 * no survivor moved (within one level of detail); the smallest text over
 * the steps and after a fit.
 */
async function stepThrough(
  page: Page,
  name: string,
  source: string,
): Promise<{ worst: { text: string; px: number; step: number }; fitted: { text: string; px: number } }> {
  await openTrace(page, source, { step: 0 });
  await settled(page, 0);
  const { stepCount, stoppedAt } = await page.evaluate(() => (window as unknown as Hook).__skbscope.state());
  expect(stoppedAt, `${name} runs whole`).toBeNull();
  let worst = { text: "", px: Infinity, step: 0 };
  let last = await positions(page);
  for (let step = 1; step <= stepCount; step++) {
    await seek(page, step);
    await settled(page, step);
    expect(await outsidePanel(page), `${name} step ${step}`).toEqual([]);
    const now = await positions(page);
    if (now.compact === last.compact)
      for (const [key, at] of Object.entries(now.at)) if (key in last.at) expect(at, `${name}: ${key} moved at step ${step}`).toBe(last.at[key]);
    last = now;
    const small = await smallestText(page);
    if (small.px < worst.px) worst = { ...small, step };
  }
  await page.click("button[aria-label='fit the graph to the panel']");
  expect(await outsidePanel(page), `${name} after fit`).toEqual([]);
  const fitted = await smallestText(page);
  const nodes = await page.locator("svg.graph g.node").count();
  console.log(
    `${name} at 1280×720: ${nodes} nodes drawn; smallest graph text ${worst.px.toFixed(1)} px over all steps (step ${worst.step}, "${worst.text}"), ${fitted.px.toFixed(1)} px after fit`,
  );
  return { worst, fitted };
}

/** Every graph text at 10 px or more, after every step and after a fit. */
async function readableThroughout(page: Page, name: string, source: string): Promise<void> {
  const { worst, fitted } = await stepThrough(page, name, source);
  expect(worst.px, `${name}: "${worst.text}" at step ${worst.step}`).toBeGreaterThanOrEqual(10);
  expect(fitted.px).toBeGreaterThanOrEqual(10);
}

describe("screenshots", () => {
  it("the tall trace after fit at 1280×720, light and dark", async () => {
    for (const theme of ["light", "dark"] as const) {
      const { page, context } = await openApp(app.browser, app.url, theme, "?reduced=1");
      await page.emulateMedia({ reducedMotion: "reduce" });
      await settled(page);
      await openTrace(page, tallTrace(), "end");
      // The trace's own step count: the store's may still be the story's until the worker has the new trace.
      await settled(page, stepsOf(tallTrace()));
      await page.click("button[aria-label='fit the graph to the panel']");
      expect(await outsidePanel(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `graph-tall-1280x720-${theme}.png`) });
      await context.close();
    }
  });
});

describe("sockets", () => {
  it("a tap's socket is drawn as an AF_PACKET sock, and the inspector says a splice of it copies; sk_eat_skb on a socket defaults to its queued skb", async () => {
    const source = `# title: a tap and a local socket\n# kernel: 6.1\n# policy: msg-zerocopy\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nk = sock_create()\nt = dev_queue_xmit_nit(k, a)\nj = sock_create()\nb = alloc_skb(256)\nsock_queue_rcv_skb(j, b)\n`;
    for (const theme of ["light", "dark"] as const) {
      const { page, context, errors } = await openApp(app.browser, app.url, theme, "?reduced=1");
      await page.emulateMedia({ reducedMotion: "reduce" });
      await settled(page);
      await openTrace(page, source, "end");
      await settled(page, stepsOf(source));
      expect(await page.locator('svg.graph g.node[data-key="sock:k"] .subtitle').textContent()).toBe("AF_PACKET sock");
      expect(await page.locator('svg.graph g.node[data-key="sock:j"] .subtitle').textContent()).toBe("inet sock");
      await page.click('svg.graph g.node[data-key="sock:k"]');
      await page.waitForSelector('svg.graph g.node[data-key="sock:k"].selected');
      await expect
        .poll(() => page.locator("[data-testid=inspector]").textContent())
        .toContain("AF_PACKET: a tap's (packet_rcv); no splice_read, so a splice() copies");
      await page.screenshot({ path: join(SHOTS, `sockets-packet-inspector-1280x720-${theme}.png`) });
      // The reader's side of the inet socket: sk_eat_skb takes the skb on
      // j's queue (b), not the first skb (a), and the dry run accepts it.
      await page.click('svg.graph g.node[data-key="sock:j"]');
      await page.waitForSelector('svg.graph g.node[data-key="sock:j"].selected');
      await page.selectOption("[data-testid=op-select]", "sk_eat_skb");
      expect(await page.locator("[data-testid=arg-skb]").inputValue()).toBe("b");
      await page.waitForSelector("[data-testid=dry-run][data-state=ok]");
      await page.screenshot({ path: join(SHOTS, `sockets-eat-dry-run-1280x720-${theme}.png`) });
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});

describe("a graph of 40-60 objects at 1280×720 (issue 17.4)", () => {
  it("23 pskb_copy Datas sharing 4 pages: every object inside the panel and every text at 10 px or more after every step", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    await readableThroughout(page, "tall (50 objects)", tallTrace());
    // The copies are one stack of skbs and one of Datas; each page takes one counted edge from it.
    const stack = page.locator('svg.graph g.node[data-key^="stack:copies:skb:"]');
    expect(await stack.locator(".title").textContent()).toBe("a..k21 ×22");
    expect(await page.locator('svg.graph g.node[data-key^="stack:copies:data:"]').getAttribute("aria-label")).toMatch(
      /^22 Datas whose frags map pages p0,p1,p2,p3/,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it("23 Datas' references into each page are one trunk counted ×23; selecting the page draws them one by one", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    await openTrace(page, tallTrace(), "end");
    await settled(page, stepsOf(tallTrace()));
    const bundles = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<SVGGElement>("svg.graph g.bundle")].map((b) => ({ page: b.dataset.page, count: b.dataset.count, text: b.textContent })),
      );
    const all = [0, 1, 2, 3].map((i) => ({ page: `page:p${i}`, count: "23", text: "×23" }));
    // Stacked: the stack's counted edge (22 copies) and the newest copy's, into one trunk per page.
    expect(await bundles()).toEqual(all);
    expect(await page.locator("svg.graph path.trunk").count()).toBe(4);
    // Unstacked: 23 edges into each page, still one trunk each.
    await page.click('svg.graph g.node[data-key^="stack:copies:skb:"]');
    await page.waitForFunction(() => document.querySelectorAll("svg.graph g.node.data").length === 23);
    expect(await bundles()).toEqual(all);
    expect(await page.locator('svg.graph path.edge.bundled[data-to="page:p0"]').count()).toBe(23);
    expect(await outsidePanel(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, "graph-bundles-1280x720.png") });
    // Selecting a page opens its bundle: its 23 edges end at the page, with their arrows.
    await page.click('svg.graph g.node[data-key="page:p0"]');
    await page.waitForFunction(() => document.querySelectorAll("svg.graph g.bundle").length === 3);
    expect((await bundles()).map((b) => b.page)).toEqual(["page:p1", "page:p2", "page:p3"]);
    const p0 = page.locator('svg.graph path.edge[data-to="page:p0"]');
    expect(await p0.count()).toBe(23);
    expect(await page.locator('svg.graph path.edge.bundled[data-to="page:p0"]').count()).toBe(0);
    expect(await p0.first().getAttribute("marker-end")).toBe("url(#arrow)");
    await context.close();
  });

  it("a mixed trace of 60 objects (clones, copies of two skbs, splits, a socket, a pipe): the same", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    await readableThroughout(page, "mixed (60 objects)", mixedTrace());
    expect(await page.locator('svg.graph g.node[data-key="pipe:q"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("ten skbs with a page and a clone each (40 objects): clone pairs stack when the panel needs it, the next group fills the rows their clones left; tidy packs them", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    await readableThroughout(page, "wide (40 objects)", wideTrace(10).replace(/^# title: .*$/m, "# title: wide: 40 objects"));
    expect(await page.locator('svg.graph g.node[data-key="stack:h3"] .title').textContent()).toBe("a2, b2 ×2");
    // The last group sits in rows the stacked clones left (nothing moved): 17 rows, the Datas' gaps included.
    const ys = () =>
      page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll<SVGGElement>("svg.graph g.node")].map((g) => [g.dataset.key!, g.transform.baseVal.consolidate()!.matrix.f]),
        ),
      );
    const row = (y: number) => (y - 22) / 18;
    const stable = await ys();
    expect(row(Math.max(...Object.values(stable)))).toBe(16);
    expect(row(stable["data:h10"])).toBeLessThan(row(stable["data:h9"]));
    // Tidy packs them: nine pairs, a9 and its new clone b9 (apart until the next step) take eleven rows.
    await page.click("[data-testid=tidy]");
    await page.waitForFunction(() => !document.querySelector('svg.graph g.node[transform="translate(0,310)"]'));
    expect(row(Math.max(...Object.values(await ys())))).toBe(10);
    expect(await outsidePanel(page)).toEqual([]);
    const tidied = await smallestText(page);
    console.log(`wide (40 objects) after tidy: smallest graph text ${tidied.px.toFixed(1)} px ("${tidied.text}")`);
    expect(tidied.px).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(SHOTS, "graph-wide-tidy-1280x720.png") });
    expect(errors).toEqual([]);
    await context.close();
  });
  it("with motion on, a node fading out never shares its place with another: clones folding into their stack leave at once, and the next group takes their rows", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, wideTrace(10).replace(/^# title: .*$/m, "# title: wide: 40 objects"), { step: 0 });
    await settled(page, 0);
    type Box = { key: string; leaving: boolean; x: number; y: number; w: number; h: number };
    // Each step's drawing as it lands (a mutation observer on its step attribute, before any frame of a fade runs).
    const drawn = (step: number) =>
      page.evaluate(
        (n) =>
          new Promise<Box[]>((resolve) => {
            const svg = document.querySelector("svg.graph")!;
            const observer = new MutationObserver(() => {
              if (svg.getAttribute("data-step") !== String(n)) return;
              observer.disconnect();
              resolve(
                [...svg.querySelectorAll<SVGGElement>("g.node")].map((g) => {
                  const m = g.transform.baseVal.consolidate()!.matrix;
                  const body = g.querySelector("rect.body")!;
                  return {
                    key: g.dataset.key!,
                    leaving: g.classList.contains("leaving"),
                    x: m.e,
                    y: m.f,
                    w: +body.getAttribute("width")!,
                    h: +body.getAttribute("height")!,
                  };
                }),
              );
            });
            observer.observe(svg, { attributes: true, attributeFilter: ["data-step"] });
            (window as unknown as Hook).__skbscope.seek(n);
          }),
        step,
      );
    const overlap = (a: Box, b: Box) => a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
    let folds = 0;
    for (let step = 1; step <= 40; step++) {
      const boxes = await drawn(step);
      if (boxes.some((b) => b.key.startsWith("stack:"))) folds++;
      const clashes = boxes.flatMap((a, i) =>
        boxes
          .slice(i + 1)
          .filter((b) => overlap(a, b))
          .map((b) => `${a.key}${a.leaving ? " (leaving)" : ""} / ${b.key}${b.leaving ? " (leaving)" : ""}`),
      );
      expect(clashes, `step ${step}`).toEqual([]);
      await settled(page, step);
    }
    // The pairs did fold while the motion was on (the case this test is about).
    expect(folds).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
