// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 12.3 in real Chromium: a long trace opened from a file (the
 * toolbar's open… button, and a file dropped on the page) is drawn and
 * scrubbed to any step, a fast drag ending on its last step. Functional
 * assertions only; the 1,000,000-step figures (load, scrub p95, longest
 * task) are printed by tools/bench-browser.ts.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appUnderTest, openApp, settled, traceDrawn } from "./harness";
import { longTrace } from "./traces";

const app = appUnderTest();

type Hook = { __skbscope: { state(): { stepCount: number; cursor: number; title: string | null; notice: { text: string } | null } } };
const scope = (page: Page) => page.evaluate(() => (window as unknown as Hook).__skbscope.state());

/** longTrace(steps) under a title of its own. */
function titled(steps: number, title: string): string {
  return longTrace(steps).replace(/^# title: .*$/m, `# title: ${title}`);
}

/** Move the scrubber (the range input) to `step`, as a user dragging it would, and wait until that step is drawn. */
async function scrubTo(page: Page, step: number): Promise<void> {
  await page.getByRole("slider", { name: "step" }).fill(String(step));
  await settled(page, step);
}

describe("opening a trace from a file", () => {
  it("open… reads a 20,000-step file, draws it, and the scrubber reaches any step", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const title = "file: 20,000 steps";
    await page.getByTestId("open-file-input").setInputFiles({ name: "long.trace", mimeType: "text/plain", buffer: Buffer.from(titled(20_000, title)) });
    await traceDrawn(page, title, 120_000);
    const loaded = await scope(page);
    expect(loaded.stepCount).toBe(20_000);
    expect(loaded.title).toBe(title);
    // Opened at its last step: the editor marks that line and brings it into view (a text of
    // over 20,000 lines does both after the load's frame, CodeEditor's LONG_TEXT_LINES).
    expect(loaded.cursor).toBe(20_000);
    await page.waitForFunction(() => {
      const line = document.querySelector(".cm-step-line");
      const box = line?.getBoundingClientRect();
      const view = document.querySelector(".cm-scroller")!.getBoundingClientRect();
      return line?.textContent === "a3333 = alloc_skb(256)" && box!.top >= view.top && box!.bottom <= view.bottom;
    });
    for (const step of [12_345, 1, 20_000, 9_999]) {
      await scrubTo(page, step);
      expect(await page.getByTestId("step-label").textContent()).toBe(`step ${step} / 20000`);
      expect(await page.locator("svg.graph").getAttribute("data-step")).toBe(String(step));
    }
    // Step 9,999 is the third line of a group: a skb_fill_page_desc of a fresh page.
    await expect.poll(() => page.locator("svg.graph").textContent()).toContain(`p${Math.floor((9_999 - 1) / 6)}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a fast drag of the scrubber over a 200,000-step file, right after it is drawn, ends on the step it stopped at, its line marked in the editor", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const title = "file: 200,000 steps";
    const steps = 200_000;
    await page.getByTestId("open-file-input").setInputFiles({ name: "long.trace", mimeType: "text/plain", buffer: Buffer.from(titled(steps, title)) });
    // Drawn (not yet charted): the worker still judges the other policies in slices.
    await page.waitForFunction(
      (t) => (window as unknown as { __skbscope: { state(): { shownTitle: string | null } } }).__skbscope.state().shownTitle === t,
      title,
      {
        timeout: 180_000,
      },
    );
    await settled(page);
    // A fast drag: 60 input events in one go, far across the trace; the last one wins.
    const last = 187_657;
    const path = Array.from({ length: 60 }, (_, i) => Math.round(((i + 1) / 60) * last));
    await page.evaluate((ns) => {
      const input = document.querySelector<HTMLInputElement>("input[type=range][aria-label=step]")!;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
      for (const n of ns) {
        setValue.call(input, String(n));
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }, path);
    await settled(page, last);
    expect(await page.getByTestId("step-label").textContent()).toBe(`step ${last} / ${steps}`);
    expect(await page.locator("svg.graph").getAttribute("data-step")).toBe(String(last));
    // Step 187,657 opens group 31,276 (six lines a group, after two header lines): its page is drawn, its line marked.
    await expect.poll(() => page.locator("svg.graph").textContent()).toContain("p31276");
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "p31276 = alloc_page(host)");
    // Back to the start, one step in: the editor follows.
    await scrubTo(page, 2);
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "a0 = alloc_skb(256)");
    await traceDrawn(page, title, 300_000);
    expect((await scope(page)).stepCount).toBe(steps);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a file dropped on the page opens; a file over the size limit is refused with a notice", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const title = "file: dropped";
    await page.evaluate(
      ([text, name]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: "text/plain" }));
        document.querySelector("main, .app")!.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      [titled(60, title), "dropped.trace"] as const,
    );
    await traceDrawn(page, title, 60_000);
    expect((await scope(page)).stepCount).toBe(60);
    // Over MAX_TRACE_BYTES (64 MiB): refused before it is read; the trace on screen stays.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      const big = new File([new Uint8Array(64 * 1024 * 1024 + 1)], "huge.trace");
      dt.items.add(big);
      document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().notice !== null);
    const after = await scope(page);
    expect(after.notice?.text).toMatch(/huge\.trace is 64\.0 MiB; a trace file may be at most 64 MiB/);
    expect(after.title).toBe(title);
    expect(errors).toEqual([]);
    await context.close();
  });
});
