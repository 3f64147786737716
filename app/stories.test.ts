// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { STORIES } from "../stories/index";
import { APP_STORIES, DEFAULT_STORY_ID, defaultStory, storyCheck, storyOfSource } from "./stories";

describe("the app's stories (no engine on the UI thread)", () => {
  it("are the stories, with the same text, titles and headers read without parsing", () => {
    expect(APP_STORIES.map((s) => s.id)).toEqual(STORIES.map((s) => s.id));
    for (const s of APP_STORIES) {
      const full = STORIES.find((x) => x.id === s.id)!;
      expect(s.source).toBe(full.source);
      expect(s.title).toBe(/^# title: (.*)$/m.exec(full.source)![1]);
      expect(s.kernel === "6.1" || s.kernel === "2.6.32").toBe(true);
    }
    expect(defaultStory().id).toBe(DEFAULT_STORY_ID);
    expect(storyOfSource(defaultStory().source)?.id).toBe(DEFAULT_STORY_ID);
  });

  it("compares a story's expected verdicts with the worker's matrix", () => {
    const story = defaultStory();
    const rows = Object.entries(story.expected).map(([policy, verdict]) => ({ policy: policy as never, verdict }));
    expect(storyCheck(story, rows)).toEqual([]);
    rows[0] = { ...rows[0], verdict: "premature" };
    expect(storyCheck(story, rows)).toEqual([`${rows[0].policy}: expected ${story.expected[rows[0].policy]}, the engine says premature`]);
  });
});
