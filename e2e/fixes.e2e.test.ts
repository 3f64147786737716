// SPDX-License-Identifier: GPL-2.0-only
/**
 * The fixes panel in real Chromium: on a fix story, switching its fix off
 * re-runs the trace with the code before the fix; the verdict matrix
 * changes, the with/without table appears, the address bar's link keeps
 * the choice, and a screenshot shows the panel (e2e/screenshots/).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { storyById } from "../stories/index";
import { appUnderTest, openApp, ROOT, settled } from "./harness";

const app = appUnderTest();
const story = storyById("fix-split-zerocopy-clone")!;
const FIX = story.fix!.id;

type Seen = {
  without: string[];
  withoutChoice: string[] | null;
  matrix: { policy: string; verdict: string }[] | null;
  matrixShipped: unknown;
  link: { fragment: string | null } | null;
  storyId: string | null;
};
type Hook = { __skbscope: { state(): Seen; open(s: string, p: unknown): void } };
const seen = (page: Page) => page.evaluate(() => (window as unknown as Hook).__skbscope.state());

/** The verdict matrix as drawn: policy -> verdict. */
async function drawnMatrix(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const tr of document.querySelectorAll("[data-testid=matrix] tr"))
      out[tr.querySelector("th")!.textContent!] = tr.querySelector("td.verdict")!.textContent!;
    return out;
  });
}

describe("the fixes panel", () => {
  it("switches a story's fix off and on: the matrix changes, the link keeps it", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, { step: 5 }), story.source);
    await settled(page, 5);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().matrix !== null);
    expect(await drawnMatrix(page)).toEqual(story.expected);
    const panel = page.locator("[data-testid=fixes-panel]");
    expect(await panel.getAttribute("open")).not.toBeNull(); // a fix story opens it
    expect(await panel.locator("li").first().textContent()).toContain(`${FIX} (this story's fix)`);

    await panel.locator(`input[data-fix="${FIX}"]`).check();
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return s.without.length === 1 && s.matrix !== null && s.matrixShipped !== null;
    });
    await settled(page);
    expect(await drawnMatrix(page)).toEqual(story.fix!.without);
    const table = page.locator("[data-testid=fix-matrix]");
    expect(await table.locator('tr[data-policy="msg-zerocopy"]').textContent()).toBe("msg-zerocopyokpremature≠");
    expect(await table.locator('tr[data-policy="page-refs"]').textContent()).toBe("page-refsokok");
    // The story's expectations are for the code as shipped: not claimed now.
    expect(await page.locator("[data-testid=story-check]").count()).toBe(0);
    expect((await seen(page)).withoutChoice).toEqual([FIX]);
    await page.screenshot({ path: join(ROOT, "e2e", "screenshots", "fixes-panel.png") });

    // The address bar's link carries the choice: a fresh context reopens it.
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return !!s.link?.fragment && location.hash === `#${s.link.fragment}`;
    });
    const url = page.url();
    const second = await app.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page2 = await second.newPage();
    await page2.goto(url);
    await page2.waitForSelector(".app[data-health='ready']");
    await page2.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return s.without.length === 1 && s.matrix !== null;
    });
    await settled(page2);
    expect((await seen(page2)).storyId).toBe(story.id);
    expect(await drawnMatrix(page2)).toEqual(story.fix!.without);
    await second.close();

    // Back on: the story's own verdicts again, and the table goes.
    await panel.locator(`input[data-fix="${FIX}"]`).uncheck();
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return s.without.length === 0 && s.matrix !== null;
    });
    await settled(page);
    expect(await drawnMatrix(page)).toEqual(story.expected);
    expect(await table.count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a SKBFL_SHARED_FRAG story: without its fix every row is a shared write, linked to esp_input's step", async () => {
    const sf = storyById("fix-pskb-copy-shared-frag")!;
    const id = sf.fix!.id;
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await page.evaluate((s) => (window as unknown as Hook).__skbscope.open(s, { step: 9 }), sf.source);
    await settled(page, 9);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().matrix !== null);
    expect(await drawnMatrix(page)).toEqual(sf.expected);
    await page.locator(`[data-testid=fixes-panel] input[data-fix="${id}"]`).check();
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return s.without.length === 1 && s.matrix !== null && s.matrixShipped !== null;
    });
    await settled(page);
    expect(await drawnMatrix(page)).toEqual(sf.fix!.without);
    // Every row links to the step of esp_input(c), the 9th operation.
    const links = await page.locator("[data-testid=verdict-link]").allTextContents();
    expect(links.length).toBeGreaterThan(0);
    for (const text of links) expect(text).toMatch(/^step 9\b/);
    expect(errors).toEqual([]);
    await context.close();
  });
});
