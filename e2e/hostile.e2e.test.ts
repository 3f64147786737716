// SPDX-License-Identifier: GPL-2.0-only
/**
 * Issue 16.1 in real Chromium: the trace that hung the engine (and made
 * the app restart workers without end) now gives a prompt, clear answer
 * from one worker; a worker that exits silently is noticed at once
 * (a Web Lock the worker holds for its life).
 */
import { describe, expect, it } from "vitest";
import { parseTrace } from "../core/index";
import { encodePermalink } from "../core/permalink";
import { appUnderTest, openApp, settled } from "./harness";

const app = appUnderTest();
type Hook = {
  __skbscope: {
    state(): { stepCount: number; health: { state: string; reason?: string }; detail: { error: { message: string } | null } | null; cursor: number };
    open(s: string, p: unknown): void;
    crash(how: string): void;
    engineWorkersStarted(): number;
  };
};

describe("a hostile trace in the app", () => {
  it("pskb_expand_head(a, 1073741824, 0) answers -ENOMEM from the first worker, within seconds", async () => {
    const { page, context, errors } = await openApp(app.browser, app.url, "light");
    await settled(page);
    const before = await page.evaluate(() => (window as unknown as Hook).__skbscope.engineWorkersStarted());
    await page.evaluate(() =>
      (window as unknown as Hook).__skbscope.open("a = alloc_skb(256)\nskb_put(a, 100)\npskb_expand_head(a, 1073741824, 0)\nkfree_skb(a)\n", { step: 3 }),
    );
    await page.waitForFunction(() => {
      const s = (window as unknown as Hook).__skbscope.state();
      return s.stepCount === 4 && s.cursor === 3 && s.detail?.error;
    });
    await settled(page, 3);
    const s = await page.evaluate(() => {
      const st = (window as unknown as Hook).__skbscope.state();
      return { error: st.detail!.error!.message, health: st.health.state };
    });
    expect(s.error).toMatch(/-ENOMEM/);
    expect(s.health).toBe("ready");
    expect(await page.evaluate(() => (window as unknown as Hook).__skbscope.engineWorkersStarted())).toBe(before);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the poisoned permalink opens at once: one worker, the step's -ENOMEM shown, never a restart loop", async () => {
    const trace = parseTrace("a = alloc_skb(256)\npskb_expand_head(a, 1073741824, 0)\n").trace;
    const link = await encodePermalink({ trace, policy: "page-refs", kernel: "6.1", step: 2, selection: null });
    expect(link.ok).toBe(true);
    const fragment = link.ok ? link.value : "";
    expect(fragment.length).toBeLessThan(60);
    const { page, context, errors } = await openApp(app.browser, app.url, "light", `#${fragment}`);
    // Within the 30 s, in one worker (checked below), never a restart loop.
    await page.waitForFunction(() => (window as unknown as Hook).__skbscope.state().detail?.error, undefined, { timeout: 30_000 });
    const s = await page.evaluate(() => {
      const st = (window as unknown as Hook).__skbscope;
      return { error: st.state().detail!.error!.message, cursor: st.state().cursor, started: st.engineWorkersStarted() };
    });
    expect(s).toMatchObject({ cursor: 2, started: 1 });
    expect(s.error).toMatch(/pskb_expand_head: kmalloc_reserve\(\) returned NULL .*-ENOMEM/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a worker that exits silently is noticed at once, not at the watchdog", async () => {
    const { page, context } = await openApp(app.browser, app.url, "light", "?watchdog=60000");
    await settled(page);
    await page.evaluate(() => (window as unknown as Hook).__skbscope.crash("exit"));
    // Well before the 60 s watchdog, and named as an exit (below), not a hang.
    await page.waitForSelector(".app[data-health='recovered']", { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as Hook).__skbscope.state().health.reason)).toBe("the engine worker exited");
    expect(await page.evaluate(() => (window as unknown as Hook).__skbscope.engineWorkersStarted())).toBe(2);
    await context.close();
  });
});
