/**
 * Issue 17 in real Chromium: the CodeMirror editor (typing, marks at
 * line:column with hover messages and a list, completion, the step's line,
 * the resizable column, 72 columns at 1280×720), nothing lost (reload,
 * links with errors, broken links, recent traces), the layout at 1024×768
 * and 800×900, and presentation mode's keys and scale. Screenshots go to
 * e2e/screenshots/.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { appUnderTest, openApp, ROOT, settled } from "./harness";

const SHOTS = join(ROOT, "e2e", "screenshots");
const app = appUnderTest();

type Hook = { __skbscope: { state(): { source: string; cursor: number; stepCount: number; stoppedAt: number | null; title: string | null }; open(s: string, p: unknown): void; seek(step: number): void } };
const scope = (page: Page) => page.evaluate(() => (window as unknown as Hook).__skbscope.state()).then((s) => ({ source: s.source, cursor: s.cursor, stepCount: s.stepCount, stoppedAt: s.stoppedAt, title: s.title }));
const openTrace = (page: Page, source: string, position: unknown = "end") => page.evaluate(([s, p]) => (window as unknown as Hook).__skbscope.open(s as string, p), [source, position] as const);

const BASE = "# title: workspace test\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\n";

async function editor(page: Page) {
  await page.waitForSelector(".cm-content");
  return page.locator(".cm-content");
}

describe("the trace editor", () => {
  it("types with the keyboard, marks parse and run-time errors at line:column with hover and a list, and runs up to the first error", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE);
    await settled(page, 3);
    const content = await editor(page);
    await content.click();
    await page.keyboard.press("Control+End");
    // A run-time error (skb_put past the end of a 256-byte head) on line 5, then an unclosed call on line 6.
    await page.keyboard.type("skb_put(a, 100000)");
    await page.keyboard.press("Enter");
    await page.keyboard.type("kfree_skb(a");
    // The completion list is open on "a": Escape closes it (and leaves the editor focused).
    await page.waitForSelector(".cm-tooltip-autocomplete");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Enter");
    await page.keyboard.type("kfree_skb(a)");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stoppedAt === 6);
    await settled(page);
    const s = await scope(page);
    // Lines 2-5 ran (4 steps); line 7 is not run while line 6 has an error.
    expect(s.stepCount).toBe(4);
    expect(await page.locator("[data-testid=stopped]").textContent()).toBe("runs up to line 6: fix line 6 to continue");
    const list = page.locator("[data-testid=diagnostic]");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=diagnostic]").length === 2);
    expect(await list.nth(0).textContent()).toMatch(/^5:1 step 4: .*/);
    expect(await list.nth(1).textContent()).toMatch(/^6:\d+ error: /);
    // Both are marked in the text, and hovering one shows its message.
    // A mark at the end of a line (the missing ")") is a point; others underline their text.
    await page.waitForSelector(".cm-lintRange-error");
    expect(await page.locator(".cm-lintRange-error, .cm-lintPoint-error").count()).toBe(2);
    await page.locator(".cm-lintRange-error").first().hover();
    const tip = page.locator(".cm-tooltip-lint");
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/skb_put|tail|over/i);
    // The list jumps to the mark.
    await list.nth(1).locator("button").click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("trace-editor");
    // Fixing line 6 runs the whole trace.
    await page.keyboard.press("End");
    await page.keyboard.type(")");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stoppedAt === null);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 6);
    expect(await page.locator("[data-testid=stopped]").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("completes operation names with their signature and summary, and names of the right kind", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE);
    await settled(page, 3);
    await (await editor(page)).click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("b = skb_clo");
    const box = page.locator(".cm-tooltip-autocomplete");
    await box.waitFor();
    expect(await box.locator("li").first().textContent()).toMatch(/skb_clone.*skb = skb_clone\(skb skb\)/);
    // CodeMirror ignores Enter in the first 75 ms of a list (a key meant for the text).
    await page.waitForTimeout(150);
    await page.keyboard.press("Enter");
    await page.keyboard.type("a");
    // Inside skb_clone( the names offered are skbs (a), not pages (g).
    await box.waitFor();
    const labels = await box.locator(".cm-completionLabel").allTextContents();
    expect(labels).toContain("a");
    expect(labels).not.toContain("g");
    await page.keyboard.press("Escape");
    await page.keyboard.type(")");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().source.endsWith("b = skb_clone(a)"));
    // Undo takes the edit back.
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => !(window as unknown as Hook).__skbscope.state().source.includes("skb_clone"));
    await context.close();
  });

  it("highlights the current step's line, shows 72 columns at 1280×720, and keeps a dragged width across a reload", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE, { step: 2 });
    await settled(page, 2);
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "a = alloc_skb(256)");
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(3));
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "skb_fill_page_desc(a, 0, g, 0, 4096)");
    const columns = await page.evaluate(() => {
      const content = document.querySelector(".cm-content")!.getBoundingClientRect();
      const scroller = document.querySelector(".cm-scroller")!.getBoundingClientRect();
      const probe = document.querySelector(".cm-line")!;
      const range = document.createRange();
      range.selectNodeContents(probe);
      const text = probe.textContent ?? "";
      const charW = range.getBoundingClientRect().width / Math.max(1, text.length);
      return Math.floor((scroller.right - content.left) / charW);
    });
    expect(columns).toBeGreaterThanOrEqual(72);
    const handle = page.locator("[data-testid=editor-resize]");
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x - 150, box.y + 200, { steps: 5 });
    await page.mouse.up();
    const width = await page.evaluate(() => document.querySelector(".editor")!.getBoundingClientRect().width);
    expect(width).toBeLessThan(box.x - 100);
    await page.reload();
    await page.waitForSelector(".cm-content");
    const after = await page.evaluate(() => document.querySelector(".editor")!.getBoundingClientRect().width);
    expect(Math.abs(after - width)).toBeLessThan(2);
    await context.close();
  });

  it("edits a 100,000-line trace", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const lines = ["# title: long", "g = alloc_page(guest)"];
    for (let i = 0; i < 99_998; i++) lines.push(i % 2 ? "put_page(g)" : "get_page(g)");
    await openTrace(page, `${lines.join("\n")}\n`, "keep");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 99_999, null, { timeout: 60_000 });
    await (await editor(page)).click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("put_page(g)");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 100_000, null, { timeout: 60_000 });
    expect(await page.locator(".cm-gutterElement", { hasText: /^100001$/ }).count()).toBe(1);
    await context.close();
  });
});
