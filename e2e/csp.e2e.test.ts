// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 16.6 in real Chromium: the built app runs under a strict
 * Content-Security-Policy (a meta tag vite.config.ts adds to index.html
 * at build time) and nothing it does
 * (load, step, open a story, search, open a link, paste, export SVG and
 * PNG) is refused by it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appUnderTest, openApp, ROOT, settled } from "./harness";

const app = appUnderTest();
const CSP = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self'";

type Watched = { __csp: string[] };

describe("Content-Security-Policy", () => {
  it("the built page carries the strict policy, before any script", () => {
    const html = readFileSync(join(ROOT, "dist/index.html"), "utf8");
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    expect(meta?.[1].replaceAll("&#39;", "'")).toContain(CSP);
    expect(meta!.index).toBeLessThan(html.indexOf("<script"));
  });

  it("the app does everything it does with zero violations reported", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    // Violations reported from here on (the listener survives navigations).
    await context.addInitScript({
      content:
        "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.target && e.target.nodeName)));",
    });
    await page.reload();
    await page.waitForSelector(".app[data-health='ready'], .app[data-health='recovered']");
    const messages: string[] = [];
    page.on("console", (m) => {
      if (/Content.Security.Policy/i.test(m.text())) messages.push(m.text());
    });
    // Step through the default story.
    await settled(page);
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
    await settled(page);
    const beforeExport = await page.evaluate(() => (window as unknown as Watched).__csp);
    expect(beforeExport).toEqual([]);
    // Share: a link, then SVG and PNG export.
    await page.click("[data-testid=open-share]");
    await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-svg]")]);
    await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-png]")]);
    await page.keyboard.press("Escape");
    // A poisoned link and a bad one: clear errors, still no violation.
    await page.goto(`${app.url}#sXXXXXXXXXXXX`);
    await page.waitForSelector(".app[data-health='ready'], .app[data-health='recovered']");
    await page.waitForTimeout(500);
    const csp = await page.evaluate(() => (window as unknown as Watched).__csp);
    expect(csp).toEqual([]);
    expect(messages).toEqual([]);
    expect(errors.filter((e) => /Content.Security.Policy/i.test(e))).toEqual([]);
    // The policy is in force and the watch sees a breach: an inline style
    // attribute is refused and reported.
    await page.evaluate(() => document.body.setAttribute("style", "color: red"));
    await page.waitForFunction(() => (window as unknown as Watched).__csp.length > 0);
    expect((await page.evaluate(() => (window as unknown as Watched).__csp))[0]).toMatch(/^style-src-attr/);
    await context.close();
  });
});
