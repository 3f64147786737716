// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetStore, setSource } from "../store";
import { appStory } from "../stories";
import { DEFAULT_STORY_ID } from "../../stories/index";
import { AUTOSAVE_MS, LARGE_AUTOSAVE_MS, LARGE_TEXT, startAutosave } from "./autosave";
import { Drafts, type KeyValue } from "./persist";

function memory(): KeyValue & { writes: string[] } {
  const map = new Map<string, string>();
  const writes: string[] = [];
  return { writes, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => (writes.push(k), void map.set(k, v)), removeItem: (k) => void map.delete(k) };
}

describe("autosave", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("document", { visibilityState: "visible", addEventListener() {}, removeEventListener() {} });
    vi.stubGlobal("addEventListener", () => {});
    vi.stubGlobal("removeEventListener", () => {});
    resetStore();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("saves an edit after a pause, errors and all, as the user's own trace", () => {
    const storage = memory();
    const drafts = new Drafts(storage);
    const auto = startAutosave(drafts, () => "");
    setSource("a = alloc_skb(256)\nkfree_skb(a\n", "edit");
    expect(drafts.session()).toBeNull();
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(drafts.session()).toMatchObject({ source: "a = alloc_skb(256)\nkfree_skb(a\n" });
    expect(drafts.recent()).toHaveLength(1);
    auto.stop();
  });

  it("keeps a story opened as shipped out of the recent list; an edit of it starts an entry", () => {
    const drafts = new Drafts(memory());
    const auto = startAutosave(drafts, () => "");
    const story = appStory(DEFAULT_STORY_ID)!;
    setSource(story.source, "open");
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(drafts.recent()).toEqual([]);
    expect(drafts.session()!.source).toBe(story.source);
    setSource(`${story.source}kfree_skb(c)\n`, "edit");
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(drafts.recent()).toHaveLength(1);
    auto.stop();
  });

  it("does not write a large opened text (a 2 MB write blocks the page), but saves it once edited, after a longer pause", () => {
    const storage = memory();
    const drafts = new Drafts(storage);
    const auto = startAutosave(drafts, () => "");
    const big = "get_page(g)\n".repeat(Math.ceil(LARGE_TEXT / 12) + 10);
    setSource(big, "open");
    vi.advanceTimersByTime(LARGE_AUTOSAVE_MS * 2);
    expect(storage.writes).toEqual([]);
    setSource(`${big}put_page(g)\n`, "edit");
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(storage.writes).toEqual([]);
    vi.advanceTimersByTime(LARGE_AUTOSAVE_MS);
    expect(drafts.session()!.source).toBe(`${big}put_page(g)\n`);
    auto.stop();
  });
  it("an edit followed at once by another trace is saved under its own entry, not lost", () => {
    const drafts = new Drafts(memory());
    const auto = startAutosave(drafts, () => "");
    setSource("# title: mine\na = alloc_skb(256)\n", "edit");
    setSource("# title: mine\na = alloc_skb(256)\nkfree_skb(a)\n", "edit");
    // "new trace" before the pause is over: the edit is not waited for.
    setSource("# title: new trace\n", "open");
    expect(drafts.recent().map((e) => e.title)).toEqual(["mine"]);
    expect(drafts.source(drafts.recent()[0].id)).toBe("# title: mine\na = alloc_skb(256)\nkfree_skb(a)\n");
    setSource("# title: new trace\nx = alloc_skb(64)\n", "edit");
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(drafts.recent().map((e) => e.title)).toEqual(["new trace", "mine"]);
    expect(drafts.session()!.source).toBe("# title: new trace\nx = alloc_skb(64)\n");
    auto.stop();
  });
});
