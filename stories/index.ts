// SPDX-License-Identifier: GPL-2.0-only
/**
 * The story gallery: narrated traces from the 2009 debate and beyond.
 * A story is a trace whose comment lines before each operation narrate that
 * step (plain text, never HTML), plus the verdict each policy should reach.
 * The metadata lives in catalog.ts; this module attaches the trace files
 * (through Vite, so the app, the worker and vitest can all load them).
 */
import { hasErrors, parseTrace, type Trace } from "../core/index";
import { CATALOG, DEFAULT_STORY_ID, type StoryMeta } from "./catalog";
import { captionAt, narrationOf, type Narration } from "./narration";

export type { Narration } from "./narration";
export { CATALOG, DEFAULT_STORY_ID };

export interface Story extends StoryMeta {
  /** The trace text, headers included. */
  readonly source: string;
}

const SOURCES = import.meta.glob<string>("./**/*.trace", { query: "?raw", import: "default", eager: true });

export const STORIES: readonly Story[] = CATALOG.map((meta) => {
  const source = SOURCES[`./${meta.file}`];
  if (source === undefined) throw new Error(`stories: ${meta.id}: no trace file ${meta.file}`);
  return { ...meta, source };
});

export function storyById(id: string): Story | undefined {
  return STORIES.find((s) => s.id === id);
}

const parsed = new Map<string, Trace>();

/** The story's trace (parsed once; the stories test checks it parses cleanly). */
export function storyTrace(story: Story): Trace {
  let trace = parsed.get(story.id);
  if (!trace) {
    const p = parseTrace(story.source);
    if (hasErrors(p)) throw new Error(`stories: ${story.id} does not parse`);
    trace = p.trace;
    parsed.set(story.id, trace);
  }
  return trace;
}

/** The story's narration: introduction, one entry per step, closing lines. */
export function storyNarration(story: Story): Narration {
  return narrationOf(storyTrace(story));
}

/** The caption at a step (0: the introduction). */
export function storyCaption(story: Story, step: number): string {
  return captionAt(storyNarration(story), step);
}
