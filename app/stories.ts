// SPDX-License-Identifier: GPL-2.0-only
/**
 * The stories as the UI thread needs them: catalog metadata and trace
 * text, with no engine code. stories/index.ts attaches the same files but
 * also parses them (parseTrace), which would pull the engine into the main
 * bundle; the UI reads titles and headers with a regex instead, and leaves
 * parsing, narration and verdicts to the worker.
 */
import { CATALOG, DEFAULT_STORY_ID, type StoryMeta } from "../stories/catalog";
import type { KernelId, PolicyId } from "../core/model/types";

export type { StoryMeta } from "../stories/catalog";
export { DEFAULT_STORY_ID };

export interface AppStory extends StoryMeta {
  /** The trace text, headers included, exactly as in the file. */
  readonly source: string;
  /** The `# title:` header (the id when there is none). */
  readonly title: string;
  /** The `# policy:` and `# kernel:` headers. */
  readonly policy: PolicyId | null;
  readonly kernel: KernelId | null;
}

const SOURCES = import.meta.glob<string>("../stories/**/*.trace", { query: "?raw", import: "default", eager: true });

const header = (source: string, key: string): string | null => new RegExp(`^#\\s*${key}:\\s*(.*?)\\s*$`, "m").exec(source)?.[1] ?? null;

export const APP_STORIES: readonly AppStory[] = CATALOG.flatMap((meta) => {
  const source = SOURCES[`../stories/${meta.file}`];
  // stories.test.ts checks every file exists; a missing one is left out, not fatal.
  if (source === undefined) return [];
  return [
    {
      ...meta,
      source,
      title: header(source, "title") ?? meta.id,
      policy: header(source, "policy") as PolicyId | null,
      kernel: header(source, "kernel") as KernelId | null,
    },
  ];
});

export function appStory(id: string | null | undefined): AppStory | undefined {
  return id ? APP_STORIES.find((s) => s.id === id) : undefined;
}

/** The story whose file text this is, if any. */
export function storyOfSource(source: string): AppStory | undefined {
  return APP_STORIES.find((s) => s.source === source);
}

export function defaultStory(): AppStory {
  return appStory(DEFAULT_STORY_ID) ?? APP_STORIES[0];
}

/** For the permalink codec: a story's text by id. */
export const storySource = (id: string): string | undefined => appStory(id)?.source;

/** Which side of the 2009 debate, in words for the gallery. */
export const SIDE_LABEL: Record<StoryMeta["side"], string> = {
  haskins: "supports Haskins (release() works here)",
  objection: "supports the objection (Tsirkin, and the earlier one he quotes)",
  merged: "what Linux merged instead",
  neutral: "how the kernel works; no side",
};

/**
 * The story's expected verdicts against the worker's matrix: one line per
 * policy that differs (empty: the engine agrees with the story).
 */
export function storyCheck(story: Pick<StoryMeta, "expected">, matrix: readonly { policy: PolicyId; verdict: string }[]): string[] {
  const out: string[] = [];
  for (const [policy, want] of Object.entries(story.expected) as [PolicyId, string][]) {
    const got = matrix.find((r) => r.policy === policy)?.verdict ?? "missing";
    if (got !== want) out.push(`${policy}: expected ${want}, the engine says ${got}`);
  }
  return out;
}
