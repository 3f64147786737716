// SPDX-License-Identifier: GPL-2.0-only
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
import { appUnderTest, openApp, outsidePanel, ROOT, settled } from "./harness";

const SHOTS = join(ROOT, "e2e", "screenshots");
const app = appUnderTest();

type Hook = {
  __skbscope: {
    state(): { source: string; cursor: number; stepCount: number; stoppedAt: number | null; title: string | null; stepErrors: readonly unknown[] };
    open(s: string, p: unknown): void;
    seek(step: number): void;
  };
};
const scope = (page: Page) =>
  page
    .evaluate(() => (window as unknown as Hook).__skbscope.state())
    .then((s) => ({ source: s.source, cursor: s.cursor, stepCount: s.stepCount, stoppedAt: s.stoppedAt, title: s.title }));
const openTrace = (page: Page, source: string, position: unknown = "end") =>
  page.evaluate(([s, p]) => (window as unknown as Hook).__skbscope.open(s as string, p), [source, position] as const);

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
    // Undo takes the edit back: CodeMirror groups typing by pauses (500 ms),
    // so a slow machine may need a press per group; never more than the edits made.
    for (let i = 0; i < 6 && (await scope(page)).source.includes("skb_clo"); i++) {
      const before = (await scope(page)).source;
      await page.keyboard.press("Control+z");
      await page.waitForFunction((b) => (window as unknown as Hook).__skbscope.state().source !== b, before);
    }
    expect((await scope(page)).source).toBe(BASE);
    await context.close();
  });

  it("highlights the current step's line, shows 72 columns at 1280×720, and keeps a dragged width across a reload; dragged right it widens", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE, { step: 2 });
    await settled(page, 2);
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "a = alloc_skb(256)");
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(3));
    await page.waitForFunction(() => document.querySelector(".cm-step-line")?.textContent === "skb_fill_page_desc(a, 0, g, 0, 4096)");
    // From where a line's text starts to the scroller's inner right edge (its scrollbar excluded).
    const columns = await page.evaluate(() => {
      const scroller = document.querySelector<HTMLElement>(".cm-scroller")!;
      const probe = document.querySelector(".cm-line")!;
      const range = document.createRange();
      range.selectNodeContents(probe);
      const text = range.getBoundingClientRect();
      const charW = text.width / Math.max(1, (probe.textContent ?? "").length);
      const right = scroller.getBoundingClientRect().left + scroller.clientLeft + scroller.clientWidth;
      return Math.floor((right - text.left) / charW);
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
    // And it widens: dragged right, the column grows by what was dragged.
    const again = (await handle.boundingBox())!;
    await page.mouse.move(again.x + 3, again.y + 200);
    await page.mouse.down();
    await page.mouse.move(again.x + 103, again.y + 200, { steps: 5 });
    await page.mouse.up();
    const wider = await page.evaluate(() => document.querySelector(".editor")!.getBoundingClientRect().width);
    expect(wider - after).toBeGreaterThan(90);
    await context.close();
  });

  it("draws its squiggles (a wavy underline, not a border style) and they follow the text when it scrolls sideways", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    // The mistake starts at column 111, beyond the column's right edge.
    await openTrace(page, `${BASE}${" ".repeat(110)}kfree_skb(nope)\n`);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stoppedAt === 5);
    await page.waitForSelector(".cm-lintRange-error");
    const seen = await page.evaluate(async () => {
      const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      const mark = () => document.querySelector(".cm-lintRange-error")!;
      // Where the undefined name's text is drawn: the mark must sit on it.
      const word = () => {
        const line = [...document.querySelectorAll(".cm-line")].find((l) => (l.textContent ?? "").includes("kfree_skb(nope)"))!;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const i = (n.textContent ?? "").indexOf("nope");
          if (i >= 0) {
            const r = document.createRange();
            r.setStart(n, i);
            r.setEnd(n, i + 4);
            return r.getBoundingClientRect();
          }
        }
        return mark().getBoundingClientRect();
      };
      const scroller = document.querySelector<HTMLElement>(".cm-scroller")!;
      const style = getComputedStyle(mark());
      const box = mark().getBoundingClientRect();
      const before = { mark: box.left, word: word().left };
      scroller.scrollLeft = 200;
      await frame();
      const after = { mark: mark().getBoundingClientRect().left, word: word().left, scrolled: scroller.scrollLeft };
      return { image: style.backgroundImage, repeat: style.backgroundRepeat, height: box.height, width: box.width, before, after };
    });
    // CodeMirror draws the squiggle as a repeated wavy SVG under the text.
    expect(seen.image).toMatch(/^url\("data:image\/svg\+xml/);
    expect(seen.width).toBeGreaterThan(0);
    expect(seen.height).toBeGreaterThan(0);
    expect(seen.after.scrolled).toBeGreaterThan(100);
    // It moved with the text, and is still on the word it marks.
    expect(seen.before.mark - seen.after.mark).toBeCloseTo(seen.after.scrolled, 0);
    expect(Math.abs(seen.after.mark - seen.after.word)).toBeLessThan(2);
    await context.close();
  });

  it("marks each kind of mistake at its line: an undefined name, skb_put past the end, a double free", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, `${BASE}b = skb_clone(a)\nkfree_skb(b)\nkfree_skb(b)\nc = alloc_skb(256)\nskb_put(c, 100000)\nkfree_skb(zz)\n`);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stoppedAt === 10);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=diagnostic]").length === 3);
    const list = await page.locator("[data-testid=diagnostic]").allTextContents();
    expect(list[0]).toMatch(/^7:1 step 6: double-free: kfree_skb: b was freed at step 5 \(double free\)/);
    expect(list[1]).toMatch(/^9:1 step 8: kernel-check: skb_put: /);
    expect(list[2]).toMatch(/^10:11 error: "zz" is not defined/);
    // Each is marked in the text too.
    await page.waitForFunction(() => document.querySelectorAll(".cm-lintRange-error").length === 3);
    const marked = await page.locator(".cm-lintRange-error").allTextContents();
    expect(marked).toEqual(["kfree_skb(b)", "skb_put(c, 100000)", "zz"]);
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

describe("nothing is lost", () => {
  const BROKEN = `${BASE}b = skb_clone(a)\nkfree_skb(a\n`;

  it("keeps four new lines ending in an unclosed call across a reload, in the address bar and locally", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE);
    await settled(page, 3);
    await (await editor(page)).click();
    await page.keyboard.press("Control+End");
    for (const line of ["b = skb_clone(a)", "pskb_expand_head(a, 64, 0)", "c = pskb_copy(b)"]) {
      await page.keyboard.type(line);
      await page.keyboard.press("Escape");
      await page.keyboard.press("Enter");
      await page.locator(".cm-content").click();
      await page.keyboard.press("Control+End");
    }
    await page.keyboard.type("kfree_skb(a");
    const typed = (await scope(page)).source;
    expect(typed.endsWith("kfree_skb(a")).toBe(true);
    // The address bar carries the text, errors and all (a draft link).
    await page.waitForFunction(() => location.hash.startsWith("#d"));
    await page.reload();
    await page.waitForSelector(".cm-content");
    await page.waitForFunction((t) => (window as unknown as Hook).__skbscope.state().source === t, typed);
    await page.waitForSelector("[data-testid=stopped]");
    expect(await page.locator("[data-testid=stopped]").textContent()).toBe("runs up to line 8: fix line 8 to continue");
    expect(await page.locator(".cm-content").textContent()).toContain("kfree_skb(a");
    // A new visit (no fragment) restores it from local storage.
    await page.goto(app.url);
    await page.waitForFunction((t) => (window as unknown as Hook).__skbscope.state().source === t, typed);
    // And the link alone, in a fresh browser, opens the same text.
    await page.waitForFunction(() => location.hash.startsWith("#d"));
    const link = await page.evaluate(() => location.hash);
    const other = await app.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const fresh = await other.newPage();
    await fresh.goto(`${app.url}${link}`);
    await fresh.waitForFunction((t) => (window as unknown as Hook).__skbscope?.state().source === t, typed);
    await other.close();
    await context.close();
  });

  it("a trace with several mistakes comes back as itself after a reload, not as the default story", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE);
    await settled(page, 3);
    await (await editor(page)).click();
    await page.keyboard.press("Control+End");
    for (const line of ["b = skb_clone(", "kfree_skb(zz)", "skb_put(a, )"]) {
      await page.keyboard.type(line);
      await page.keyboard.press("Escape");
      await page.keyboard.press("Enter");
    }
    const typed = (await scope(page)).source;
    expect(typed.endsWith("skb_put(a, )\n")).toBe(true);
    await page.waitForFunction(() => location.hash.startsWith("#d"));
    await page.reload();
    await page.waitForSelector(".cm-content");
    await page.waitForFunction((t) => (window as unknown as Hook).__skbscope.state().source === t, typed);
    expect((await scope(page)).title).toBe("workspace test");
    await page.waitForSelector("[data-testid=stopped]");
    expect(await page.locator("[data-testid=stopped]").textContent()).toBe("runs up to line 5: fix line 5 to continue");
    expect(await page.locator("[data-testid=diagnostic]").count()).toBeGreaterThanOrEqual(3);
    await context.close();
  });

  it("a broken link keeps its address, and the banner offers what could be read", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, `${BROKEN}${"# a long comment to make the link long\n".repeat(4)}`);
    await page.waitForFunction(() => location.hash.startsWith("#d"));
    const link = await page.evaluate(() => location.hash);
    const cut = link.slice(0, Math.floor(link.length * 0.75));
    const other = await app.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const fresh = await other.newPage();
    await fresh.goto(`${app.url}${cut}`);
    const notice = fresh.locator("[data-testid=notice]");
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/cannot be opened.*cut short or altered/);
    // The app shows the default story meanwhile, but the address is the one given, to repair.
    await fresh.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount > 0);
    await fresh.waitForTimeout(1500);
    expect(await fresh.evaluate(() => location.hash)).toBe(cut);
    await fresh.click("[data-testid=open-recovered]");
    await fresh.waitForFunction(() => (window as unknown as Hook).__skbscope.state().source.startsWith("# title: workspace test\ng = alloc_page(guest)"));
    await other.close();
    await context.close();
  });

  it("lists recent traces with their title, starts a new trace, and reopens an old one", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, BASE);
    await settled(page, 3);
    await (await editor(page)).click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("kfree_skb(a)");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 4);
    await page.click("[data-testid=open-recent]");
    await page.click("[data-testid=new-trace]");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().source === "# title: new trace\n");
    await page.waitForFunction(() => document.activeElement?.id === "trace-editor");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("x = alloc_skb(64)");
    // The list is read when it opens: wait until the debounced save has put both traces in it.
    await page.waitForFunction(() => (JSON.parse(localStorage.getItem("skbscope:recent") ?? "[]") as unknown[]).length === 2);
    await page.click("[data-testid=open-recent]");
    const entries = page.locator("[data-testid=recent-entry]");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=recent-entry]").length === 2);
    expect(await entries.allTextContents()).toEqual(["new trace", "workspace test"]);
    await entries.nth(1).click();
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().source.endsWith("kfree_skb(a)"));
    await context.close();
  });

  it("pasted text with a bad line opens whole, with its error shown", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const mail = "Hi,\n\n> g = alloc_page(guest)\n> a = alloc_skb(256)\n> skb_fill_page_desc(a, 0, g, 0, 4096)\n> b = skb_clone(a\n> kfree_skb(a)\n\nThanks\n";
    await page.evaluate((t) => (window as unknown as { __skbscope: { openText(t: string, as: string): void } }).__skbscope.openText(t, "paste"), mail);
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stoppedAt === 4);
    const s = await scope(page);
    expect(s.source).toBe("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a\nkfree_skb(a)\n");
    expect(await page.locator("[data-testid=notice]").textContent()).toMatch(/has errors/);
    expect(await page.locator("[data-testid=diagnostic]").count()).toBeGreaterThan(0);
    await context.close();
  });
});

/** The first freed object's counter: its opacity down the tree, and its contrast against the graph's panel. */
async function ghostContrast(page: Page): Promise<{ opacity: number; ratio: number } | null> {
  return page.evaluate(() => {
    const ghost = document.querySelector("svg.graph g.node.ghost tspan.counter, svg.graph g.node.ghost .counters text");
    if (!ghost) return null;
    let opacity = 1;
    for (let e: Element | null = ghost; e && e.tagName !== "svg"; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const rgb = (c: string) =>
      c
        .match(/\d+(\.\d+)?/g)!
        .slice(0, 3)
        .map(Number);
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fg = lum(rgb(getComputedStyle(ghost).fill));
    const bg = lum(
      rgb(
        getComputedStyle(document.querySelector(".stage")!).backgroundColor === "rgba(0, 0, 0, 0)"
          ? getComputedStyle(document.body).backgroundColor
          : getComputedStyle(document.querySelector(".stage")!).backgroundColor,
      ),
    );
    return { opacity, ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05) };
  });
}

/** How many characters of a line fit between its start and the editor's right edge. */
async function editorColumns(page: Page): Promise<number> {
  return page.evaluate(() => {
    const scroller = document.querySelector<HTMLElement>(".cm-scroller")!;
    const probe = [...document.querySelectorAll(".cm-line")].find((l) => (l.textContent ?? "").length > 8)!;
    const range = document.createRange();
    range.selectNodeContents(probe);
    const text = range.getBoundingClientRect();
    const charW = text.width / (probe.textContent ?? "").length;
    const right = scroller.getBoundingClientRect().left + scroller.clientLeft + scroller.clientWidth;
    return Math.floor((right - text.left) / charW);
  });
}

/** No sideways page scroll, and the scrubber's width. */
async function layoutFacts(page: Page) {
  return page.evaluate(() => ({
    sideways: document.documentElement.scrollWidth > window.innerWidth,
    scrubber: document.querySelector("[data-testid=scrubber]")!.getBoundingClientRect().width,
    toolbarRight: Math.max(...[...document.querySelectorAll(".toolbar button, .toolbar select")].map((e) => e.getBoundingClientRect().right)),
  }));
}

describe("operate where you stand (issue 17.3)", () => {
  const src = (s: Awaited<ReturnType<typeof scope>>) => s.source.trim().split("\n");
  const waitSource = (page: Page, lines: number) =>
    page.waitForFunction((n) => (window as unknown as Hook).__skbscope.state().source.trim().split("\n").length === n, lines);

  it("filters the picker, hides skb_split on a clone, dry-runs the line, holds a refused one back until insisted, and undoes and redoes with the keyboard", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    const trace = "g = alloc_page(guest)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 200)\nb = skb_clone(a)\n";
    await openTrace(page, trace, "end");
    await settled(page, 5);
    // On the cloned skb: no skb_split (tcp_fragment() unclones first), and the filter says so.
    await page.click('svg.graph g.node[data-key="skb:a"]');
    await page.waitForSelector('svg.graph g.node[data-key="skb:a"].selected');
    await page.fill("[data-testid=op-filter]", "split");
    await page.waitForSelector("[data-testid=op-none]");
    await page.fill("[data-testid=op-filter]", "clone");
    expect(await page.locator("[data-testid=op-select] option").allTextContents()).toEqual(["skb_clone"]);
    // Step 4, before the clone: a is a's Data's only user.
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(4));
    await settled(page, 4);
    await page.click('svg.graph g.node[data-key="skb:a"]');
    await page.fill("[data-testid=op-filter]", "fill page");
    await page.waitForSelector("[data-testid=op-select] option[value=skb_fill_page_desc]", { state: "attached" });
    expect(await page.locator("[data-testid=op-select]").inputValue()).toBe("skb_fill_page_desc");
    // Defaults the kernel takes: frags[0], and the dry run says it runs there.
    expect(await page.locator("[data-testid=arg-i]").inputValue()).toBe("0");
    await page.waitForSelector("[data-testid=dry-run][data-state=ok]");
    expect(await page.locator("[data-testid=dry-run]").textContent()).toMatch(/^after step 4 it runs/);
    // frags[1] with nr_frags 0 would be refused: shown before anything is committed.
    await page.fill("[data-testid=arg-i]", "1");
    await page.waitForSelector("[data-testid=dry-run][data-state=refused]");
    expect(await page.locator("[data-testid=dry-run]").textContent()).toMatch(/^would be refused: skb_fill_page_desc: .*nr_frags/);
    // Applying it holds it back: the text stays as it was.
    await page.click("[data-testid=apply]");
    await page.waitForSelector("[data-testid=dry-run][data-state=held-back]");
    expect(src(await scope(page))).toHaveLength(5);
    // Insisting puts it in, after step 4, as written.
    await page.click("[data-testid=insist]");
    await waitSource(page, 6);
    expect(src(await scope(page))[4]).toBe("skb_fill_page_desc(a, 1, g, 0, 4096)");
    await settled(page, 5);
    // Ctrl+Z from outside the editor takes it out; Ctrl+Shift+Z puts it back.
    await page.focus("[data-testid=apply]");
    await page.keyboard.press("Control+z");
    await waitSource(page, 5);
    expect((await scope(page)).source).toBe(trace);
    await page.keyboard.press("Control+Shift+z");
    await waitSource(page, 6);
    expect(src(await scope(page))[4]).toBe("skb_fill_page_desc(a, 1, g, 0, 4096)");
    // The same history as the editor's typing: typed text, then undone from the editor.
    const cm = await editor(page);
    await cm.click();
    await page.keyboard.press("Control+End");
    // The text ends with a newline: the last line is empty, and typing fills it.
    await page.keyboard.type("kfree_skb(b)");
    await page.keyboard.press("Escape");
    await waitSource(page, 7);
    await page.keyboard.press("Control+z");
    await waitSource(page, 6);
    await page.keyboard.press("Control+z");
    await waitSource(page, 5);
    expect((await scope(page)).source).toBe(trace);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("proposes what the kernel takes (the next frag, an unused page), groups the picker, and puts skb_clone of c after step 7, not at the end after c's free", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    const trace =
      "g = alloc_page(guest)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a)\nc = skb_copy(a)\nkfree_skb(a)\nkfree_skb(b)\nskb_put(c, 10)\nkfree_skb(c)\n";
    await openTrace(page, trace, { step: 5 });
    await settled(page, 5);
    await page.click('svg.graph g.node[data-key="skb:a"]');
    await page.waitForSelector('svg.graph g.node[data-key="skb:a"].selected');
    // The picker is grouped (allocate / reference / copy / reshape / leave the stack / zero-copy).
    const groups = await page.locator("[data-testid=op-select] optgroup").evaluateAll((els) => els.map((e) => e.getAttribute("label")));
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups) expect(["allocate", "reference", "copy", "reshape", "leave the stack", "zero-copy"]).toContain(g);
    // A second skb_fill_page_desc: frags[1] and h, not frags[0] and the page g just handed over.
    await page.fill("[data-testid=op-filter]", "fill page");
    await page.selectOption("[data-testid=op-select]", "skb_fill_page_desc");
    expect(await page.locator("[data-testid=arg-i]").inputValue()).toBe("1");
    expect(await page.locator("[data-testid=arg-page]").inputValue()).toBe("h");
    await page.waitForSelector("[data-testid=dry-run][data-state=ok]");
    // c at step 7: skb_clone goes in after step 7, before kfree_skb(c), so nothing fails.
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(7));
    await settled(page, 7);
    await page.click('svg.graph g.node[data-key="skb:c"]');
    await page.fill("[data-testid=op-filter]", "skb_clone");
    await page.selectOption("[data-testid=op-select]", "skb_clone");
    await page.waitForSelector("[data-testid=dry-later][data-state=unchanged]");
    expect(await page.locator("[data-testid=apply]").textContent()).toBe("insert after step 7: skb_clone");
    await page.click("[data-testid=apply]");
    await waitSource(page, 12);
    expect(src(await scope(page))[7]).toBe("d = skb_clone(c)");
    await settled(page, 8);
    expect(await page.evaluate(() => (window as unknown as Hook).__skbscope.state().stepErrors.length)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the dry run re-runs the later steps: kfree_skb(c) selected at step 6 would make the old step 9 a use-after-free; a skb_put(c) leaves them running", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    const trace =
      "g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 100)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nb = skb_clone(a)\nc = skb_copy(a)\nkfree_skb(a)\nkfree_skb(b)\nskb_put(c, 10)\n";
    await openTrace(page, trace, { step: 6 });
    await settled(page, 6);
    await page.click('svg.graph g.node[data-key="skb:c"]');
    await page.waitForSelector('svg.graph g.node[data-key="skb:c"].selected');
    await page.fill("[data-testid=op-filter]", "kfree_skb");
    await page.selectOption("[data-testid=op-select]", "kfree_skb");
    await page.waitForSelector("[data-testid=dry-run][data-state=ok]");
    await page.waitForSelector("[data-testid=dry-later][data-state=breaks]");
    const fail = page.locator("[data-testid=dry-later-fail]");
    expect(await fail.count()).toBe(1);
    expect(await fail.first().textContent()).toMatch(/^step 10 \(now 9\) skb_put\(c, 10\) would then fail: skb_put: c was freed at step 7 \(use after free\)/);
    // Inserted as it stands, the old step 9 (now 10) fails in the run too, marked in the editor.
    await page.click("[data-testid=apply]");
    await waitSource(page, 10);
    expect(src(await scope(page))[6]).toBe("kfree_skb(c)");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=diagnostic]")].some((d) => /^10:1 step 10: /.test(d.textContent ?? "")));
    // A line the later steps do not read leaves them running.
    await page.keyboard.press("Control+z");
    await waitSource(page, 9);
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(6));
    await settled(page, 6);
    await page.click('svg.graph g.node[data-key="skb:c"]');
    await page.fill("[data-testid=op-filter]", "skb_put");
    await page.selectOption("[data-testid=op-select]", "skb_put");
    await page.waitForSelector("[data-testid=dry-later][data-state=unchanged]");
    expect(await page.locator("[data-testid=dry-later]").textContent()).toBe("later steps still run as before");
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("the layout", () => {
  for (const [w, h] of [
    [1024, 768],
    [800, 900],
    [1280, 720],
    [1920, 1080],
  ] as const) {
    it(`at ${w}×${h}: no sideways scroll, the whole toolbar on screen, a scrubber of at least 150 px, the panels reachable`, async () => {
      const { page, context } = await openApp(app.browser, app.url, "light");
      await page.setViewportSize({ width: w, height: h });
      await settled(page);
      await page.waitForTimeout(300);
      const facts = await layoutFacts(page);
      expect(facts.sideways).toBe(false);
      expect(facts.toolbarRight).toBeLessThanOrEqual(w);
      expect(facts.scrubber).toBeGreaterThanOrEqual(150);
      // The graph keeps a usable share of the window.
      const stage = await page.evaluate(() => document.querySelector(".stage")!.getBoundingClientRect());
      expect(stage.width).toBeGreaterThanOrEqual(w < 900 ? w - 2 : 360);
      if (w < 1200) {
        // The editor and the details are tabs of one panel.
        await page.click("[data-testid=panel-tab-details]");
        await page.waitForSelector("[data-testid=matrix]", { state: "visible" });
        await page.click("[data-testid=panel-tab-editor]");
        await page.waitForSelector(".cm-content", { state: "visible" });
      }
      // The editor is no 205 px box at any size: the language's 72 columns from 1280 px up, most of them at 1024.
      await page.waitForSelector(".cm-line", { state: "visible" });
      expect(await editorColumns(page)).toBeGreaterThanOrEqual(w >= 1280 ? 72 : 64);
      if (w === 1024) await page.screenshot({ path: join(SHOTS, "workspace-1024x768.png") });
      if (w === 800) await page.screenshot({ path: join(SHOTS, "workspace-800x900.png") });
      await context.close();
    });
  }

  it("at 1024×768 the editor column can be dragged out to the language's 72 columns, the graph keeping 400 px", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await page.setViewportSize({ width: 1024, height: 768 });
    await settled(page);
    await page.waitForSelector(".cm-line", { state: "visible" });
    const before = await editorColumns(page);
    const handle = page.locator("[data-testid=editor-resize]");
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 203, box.y + 200, { steps: 5 });
    await page.mouse.up();
    expect(await editorColumns(page)).toBeGreaterThanOrEqual(Math.max(72, before));
    const stage = await page.evaluate(() => document.querySelector(".stage")!.getBoundingClientRect().width);
    expect(stage).toBeGreaterThanOrEqual(399);
    expect((await layoutFacts(page)).sideways).toBe(false);
    await context.close();
  });

  it("resizing the window from 1280 to 1024 and back keeps the page from scrolling sideways", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    for (const w of [1180, 1024, 900, 820, 1280]) {
      await page.setViewportSize({ width: w, height: 760 });
      await page.waitForTimeout(200);
      expect((await layoutFacts(page)).sideways, `at ${w} px`).toBe(false);
    }
    await context.close();
  });
});

describe("presentation", () => {
  it("scales the graph to the stage, addresses nothing to the audience, and steps with a clicker's keys", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    await openTrace(page, BASE, { step: 1 });
    await settled(page, 1);
    await page.keyboard.press("p");
    await page.waitForSelector(".app[data-mode=presenting]");
    await page.waitForTimeout(400);
    const sizes = await page.evaluate(() => {
      const px = (sel: string) => Math.min(...[...document.querySelectorAll(`svg.graph ${sel}`)].map((e) => e.getBoundingClientRect().height));
      return { title: px("g.node .title"), counter: px("g.node tspan.counter") };
    });
    expect(sizes.title).toBeGreaterThanOrEqual(28 * 0.8); // a glyph box is ~0.8-1.2 em
    expect(sizes.counter).toBeGreaterThanOrEqual(20 * 0.8);
    // What is on screen (closed dialogs are not).
    const words = await page.locator(".app").innerText();
    expect(words).not.toMatch(/Hover over|Tab to it|Step forward \(→\)|\(Esc\)/);
    for (const [key, step] of [
      ["PageDown", 2],
      ["PageDown", 3],
      ["PageUp", 2],
      [" ", 3],
      ["ArrowLeft", 2],
      ["ArrowRight", 3],
    ] as const) {
      await page.keyboard.press(key === " " ? "Space" : key);
      await settled(page, step);
    }
    // At step 3 (skb, Data, page) the drawing fills the stage's width (it used ~670 of 960 px), every object inside it.
    const used = await page.evaluate(() => {
      const svg = document.querySelector("svg.graph")!.getBoundingClientRect();
      const nodes = [...document.querySelectorAll("svg.graph g.node")].map((n) => n.getBoundingClientRect());
      const left = Math.min(...nodes.map((n) => n.left));
      const right = Math.max(...nodes.map((n) => n.right));
      return { share: (right - left) / svg.width, inside: left >= svg.left - 1 && right <= svg.right + 1 };
    });
    expect(used.share).toBeGreaterThan(0.8);
    expect(used.inside).toBe(true);
    await page.screenshot({ path: join(SHOTS, "workspace-presenting-1280x720.png") });
    await page.keyboard.press("Escape");
    await page.waitForSelector(".app[data-mode=normal]");
    await context.close();
  });

  it("an optional split view shows the step's trace line and its narration large beside the graph (issue 17.6)", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    await openTrace(page, `# title: split\n${BASE.split("\n").slice(1).join("\n")}# the clone shares a's Data\nb = skb_clone(a)\n`, { step: 4 });
    await settled(page, 4);
    await page.keyboard.press("p");
    await page.waitForSelector(".app[data-mode=presenting]");
    expect(await page.locator("[data-testid=present-talk]").count()).toBe(0);
    await page.click("[data-testid=present-split]");
    await page.waitForSelector("[data-testid=present-talk]");
    const current = page.locator(".talk-lines li.current");
    expect(await current.textContent()).toBe("b = skb_clone(a)");
    expect(await page.locator("[data-testid=talk-caption]").textContent()).toMatch(/the clone shares a's Data/);
    const px = await page.evaluate(() => ({
      line: parseFloat(getComputedStyle(document.querySelector(".talk-lines li.current")!).fontSize),
      caption: parseFloat(getComputedStyle(document.querySelector("[data-testid=talk-caption]")!).fontSize),
    }));
    expect(px.line).toBeGreaterThanOrEqual(24);
    expect(px.caption).toBeGreaterThanOrEqual(22);
    // The graph stays beside it, every object in the panel.
    const outside = await page.evaluate(() => {
      const svg = document.querySelector("svg.graph")!.getBoundingClientRect();
      return [...document.querySelectorAll("svg.graph g.node")].filter((g) => g.getBoundingClientRect().right > svg.right + 1).length;
    });
    expect(outside).toBe(0);
    await page.screenshot({ path: join(SHOTS, "workspace-presenting-split-1280x720.png") });
    // A clicker's key steps the text with the graph.
    await page.keyboard.press("PageUp");
    await settled(page, 3);
    expect(await current.textContent()).toBe("skb_fill_page_desc(a, 0, g, 0, 4096)");
    await context.close();
  });

  it("n jumps to the next finding while presenting", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await openTrace(page, `${BASE}b = skb_clone(a)\nkfree_skb(a)\nkfree_skb(a)\n`, { step: 0 });
    await settled(page, 0);
    await page.keyboard.press("p");
    await page.waitForSelector(".app[data-mode=presenting]");
    await page.keyboard.press("n");
    await settled(page);
    const s = await scope(page);
    expect(s.cursor).toBeGreaterThan(0);
    expect(await page.locator("[data-testid=finding]").count()).toBeGreaterThan(0);
    await context.close();
  });
});

describe("small items", () => {
  it("the story check goes when the trace is replaced; verdict links name their finding; a link of another policy says it switched", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light");
    await settled(page);
    await page.waitForSelector("[data-testid=story-check]");
    const names = await page.locator("[data-testid=verdict-link]").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
    expect(new Set(names).size).toBe(names.length);
    // Following another policy's link switches the policy, and says so.
    const other = page.locator("tr:not(.current) [data-testid=verdict-link]").first();
    expect(await other.count()).toBe(1);
    await other.click();
    await page.waitForSelector("[data-testid=notice]");
    expect(await page.locator("[data-testid=notice]").textContent()).toMatch(/The policy is now/);
    await openTrace(page, `${BASE}kfree_skb(a)\nkfree_skb(a)\n`);
    await settled(page);
    await page.waitForSelector("[data-testid=matrix]");
    expect(await page.locator("[data-testid=story-check]").count()).toBe(0);
    // A double free is no policy's verdict: an ok row has no link to it; it is listed apart.
    expect(await page.locator("tr.ok [data-testid=verdict-link]").count()).toBe(0);
    expect(await page.locator("[data-testid=other-findings]").textContent()).toMatch(/double-free at step 5/);
    await context.close();
  });

  it("←/→ on a focused menu step the trace; labels never say 'owner owner'; '1 pipe buffer'; freed counters readable; the legend covers nothing", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await settled(page);
    // The skb was never received: this trace is about the wording, so it asks to run the misuse flagged.
    await openTrace(page, `# contracts: flag\n${BASE}q = skb_splice_bits(a, 0, 4096)\nkfree_skb(a)\n`, { step: 3 });
    await settled(page, 3);
    await page.focus("[data-testid=policy]");
    const policy = await page.locator("[data-testid=policy]").inputValue();
    await page.keyboard.press("ArrowRight");
    await settled(page, 4);
    expect(await page.locator("[data-testid=policy]").inputValue()).toBe(policy);
    expect(await page.locator("[data-testid=narration]").textContent()).toMatch(/4096 bytes in 1 pipe buffer(?!s)/);
    await page.keyboard.press("ArrowRight");
    await settled(page, 5);
    // The freed skb's counters: full opacity, 4.5:1 against the panel.
    // The ghost may still be fading in (250 ms): wait for it to arrive, not for a fixed time.
    await expect.poll(async () => (await ghostContrast(page))?.opacity, { timeout: 3000 }).toBe(1);
    const contrast = await ghostContrast(page);
    expect(contrast).not.toBeNull();
    expect(contrast!.ratio).toBeGreaterThanOrEqual(4.5);
    // The legend sits above the graph, not over it.
    const overlap = await page.evaluate(() => {
      const legend = document.querySelector(".legend")!.getBoundingClientRect();
      const svg = document.querySelector("svg.graph")!.getBoundingClientRect();
      return legend.bottom > svg.top;
    });
    expect(overlap).toBe(false);
    // The operation form's labels.
    await page.click('svg.graph g.node[data-key="page:g"]');
    await page.waitForSelector("[data-testid=op-select]");
    const labels = await page.locator(".field-row > span").allTextContents();
    for (const l of labels) expect(l.trim()).not.toMatch(/^(\w+) \1$/);
    await context.close();
  });

  it("freed counters are readable in the dark theme too (4.5:1, full opacity)", async () => {
    const { page, context } = await openApp(app.browser, app.url, "dark", "?reduced=1");
    await settled(page);
    await openTrace(page, `${BASE}b = skb_clone(a)\nkfree_skb(b)\n`, { step: 5 });
    await settled(page, 5);
    // The ghost may still be fading in (250 ms): wait for it to arrive, not for a fixed time.
    await expect.poll(async () => (await ghostContrast(page))?.opacity, { timeout: 3000 }).toBe(1);
    const contrast = await ghostContrast(page);
    expect(contrast).not.toBeNull();
    expect(contrast!.ratio).toBeGreaterThanOrEqual(4.5);
    await context.close();
  });
});

describe("a trace opened over another (issue 17, layout)", () => {
  const at = (page: Page, key: string) => page.locator(`svg.graph g.node[data-key="${key}"]`).getAttribute("transform");
  const OLD = "# title: the old trace\nx = alloc_skb(64)\ny = alloc_skb(64)\na = alloc_skb(256)\ng = alloc_page(guest)\n";
  const NEW = "# title: the new trace\ng = alloc_page(host)\na = alloc_skb(128)\n";

  it("starts its layout fresh (same-named objects take the rows a first opening gives them); edits of the same trace keep every position", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    // Where the new trace's objects go when it is the first thing opened.
    await openTrace(page, NEW, "end");
    await settled(page, 2);
    const fresh = { a: await at(page, "skb:a"), g: await at(page, "page:g") };
    // The old trace puts a and g elsewhere (a under x and y).
    await openTrace(page, OLD, "end");
    await settled(page, 4);
    expect(await at(page, "skb:a")).not.toBe(fresh.a);
    // Opened over it, the new trace is laid out as if opened first.
    await openTrace(page, NEW, "end");
    await settled(page, 2);
    expect({ a: await at(page, "skb:a"), g: await at(page, "page:g") }).toEqual(fresh);
    // An edit of the same trace (a line typed above a's) moves nothing that survives.
    const cm = await editor(page);
    await cm.click();
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("z = alloc_skb(64)");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().stepCount === 3);
    await page.evaluate(() => (window as unknown as Hook).__skbscope.seek(3));
    await settled(page, 3);
    expect({ a: await at(page, "skb:a"), g: await at(page, "page:g") }).toEqual(fresh);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe("screenshots", () => {
  it("1280×720 light and dark with an error marked, and 1024×768", async () => {
    for (const theme of ["light", "dark"] as const) {
      const { page, context } = await openApp(app.browser, app.url, theme, "?reduced=1");
      await page.emulateMedia({ reducedMotion: "reduce" });
      await settled(page);
      await openTrace(page, `${BASE}b = skb_clone(a)\nskb_put(b, 100000)\nkfree_skb(a\n`, { step: 4 });
      await page.waitForSelector(".cm-lintRange-error");
      await settled(page, 4);
      await page.waitForFunction(() => document.querySelectorAll("svg.graph g.node.leaving").length === 0);
      await page.click("button[aria-label='fit the graph to the panel']");
      await page.screenshot({ path: join(SHOTS, `workspace-1280x720-${theme}.png`) });
      await context.close();
    }
  });
});

describe("a graph that scales", () => {
  const MANY = [
    "# title: many objects",
    "g = alloc_page(guest)",
    "a = alloc_skb(256)",
    "skb_fill_page_desc(a, 0, g, 0, 4096)",
    ...Array.from({ length: 10 }, (_, i) => `c${i + 1} = skb_clone(a)`),
    ...Array.from({ length: 5 }, (_, i) => `k${i + 1} = pskb_copy(a)`),
    ...Array.from({ length: 3 }, (_, i) => `s${i + 1} = skb_split(k${i + 1}, 100)`),
    // Splice reads a received skb (caller contract read-from-receive-queue).
    "sk = sock_create()",
    "sock_queue_rcv_skb(sk, k4)",
    "q = skb_splice_bits(k4, 0, 4096)",
  ].join("\n");

  it("keeps every object in view after every step, stacks the clones (expandable), and focuses on a selection", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?reduced=1");
    await page.emulateMedia({ reducedMotion: "reduce" });
    await settled(page);
    await openTrace(page, `${MANY}\n`, { step: 0 });
    await settled(page, 0);
    const outside = () => outsidePanel(page);
    const { stepCount } = await scope(page);
    // The trace runs whole: the pipe is there.
    expect(
      await page.evaluate(() => (window as unknown as { __skbscope: { state(): { stoppedAt: number | null; error?: unknown } } }).__skbscope.state().stoppedAt),
    ).toBeNull();
    for (let step = 1; step <= stepCount; step++) {
      await page.evaluate((n) => (window as unknown as Hook).__skbscope.seek(n), step);
      await settled(page, step);
      expect(await outside(), `step ${step}`).toEqual([]);
    }
    expect(await page.locator('svg.graph g.node[data-key="pipe:q"]').count()).toBe(1);
    expect(await page.locator("[data-testid=stopped]").count()).toBe(0);
    // Ten quiet clones of a's Data are one stack (the copies and split-offs k1..k3, k5, s1..s3, each with a Data of its own mapping g, another).
    const stack = page.locator('svg.graph g.node[data-key^="stack:"]:not([data-key^="stack:copies:"])');
    expect(await stack.count()).toBe(1);
    expect(await page.locator('svg.graph g.node[data-key="stack:copies:skb:g"] .title').textContent()).toBe("k1..s3 ×7");
    expect(await stack.locator(".title").textContent()).toMatch(/×1[01]$/);
    // Every graph text on screen at 10 px or more: its font size times the zoom the SVG applies to it.
    const smallest = await page.evaluate(() => {
      const sizes = [...document.querySelectorAll<SVGTextElement>("svg.graph text")]
        .filter((t) => t.getBoundingClientRect().width > 0)
        .map((t) => ({ text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM()!.a }));
      return sizes.reduce((a, b) => (b.px < a.px ? b : a));
    });
    console.log(`many objects at 1280×720: smallest graph text ${smallest.px.toFixed(1)} px ("${smallest.text}")`);
    expect(smallest.px).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: join(SHOTS, "workspace-many-objects-1280x720.png") });
    // Zoomed in past the panel: a minimap shows where the view is; a click there moves the view.
    expect(await page.locator("[data-testid=minimap]").isVisible()).toBe(false);
    const box = (await page.locator("svg.graph").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -300);
    await page.waitForSelector("[data-testid=minimap]:not([display=none])");
    const viewAt = () => page.locator("svg.graph g.viewport").getAttribute("transform");
    const before = await viewAt();
    const map = (await page.locator("svg.graph .minimap-bg").boundingBox())!;
    await page.mouse.click(map.x + 4, map.y + map.height - 4);
    await page.waitForFunction((t) => document.querySelector("svg.graph g.viewport")!.getAttribute("transform") !== t, before);
    await page.screenshot({ path: join(SHOTS, "workspace-minimap-1280x720.png") });
    await page.click("button[aria-label='fit the graph to the panel']");
    await page.waitForSelector("[data-testid=minimap][display=none]", { state: "attached" });
    await stack.click();
    await page.waitForFunction(() => document.querySelectorAll('svg.graph g.node[data-key^="stack:"]:not([data-key^="stack:copies:"])').length === 0);
    expect(await page.locator('svg.graph g.node[data-key^="skb:c"]').count()).toBe(10);
    expect(await outside()).toEqual([]);
    await page.click("[data-testid=restack]");
    await page.waitForSelector('svg.graph g.node[data-key^="stack:"]:not([data-key^="stack:copies:"])');
    // Focus: open the copies' stack, select a copy; it and the chain it holds stay lit, the rest fades.
    await page.click('svg.graph g.node[data-key="stack:copies:skb:g"]');
    await page.click('svg.graph g.node[data-key="skb:k5"]');
    await page.click("[data-testid=focus-mode]");
    await page.mouse.move(2, 710);
    await page.waitForSelector("svg.graph.pointing");
    expect(await page.locator("svg.graph g.node.dim").count()).toBeGreaterThan(0);
    expect(await page.locator('svg.graph g.node[data-key="skb:k5"].dim').count()).toBe(0);
    expect(await page.locator('svg.graph g.node[data-key="page:g"].dim').count()).toBe(0);
    await context.close();
  });
});
