/**
 * The story gallery: narrated traces from the 2009 debate and beyond.
 * A story is a trace whose comment lines before each operation narrate that
 * step (plain text, never HTML), plus the verdict each policy should reach.
 */
import type { PolicyId, Verdict } from "../core/index";
import tsirkinPskbCopy from "./seed/tsirkin-pskb-copy.trace?raw";

export interface Story {
  readonly id: string;
  /** The trace text, headers included. */
  readonly source: string;
  /** Expected verdict per policy on the story's kernel; "n/a" where the policy does not exist there. */
  readonly expected: Readonly<Record<PolicyId, Verdict | "n/a">>;
}

export const STORIES: readonly Story[] = [
  {
    id: "tsirkin-pskb-copy",
    source: tsirkinPskbCopy,
    expected: {
      "page-refs": "ok",
      destructor: "premature",
      "shinfo-release": "premature",
      "ubuf-orphan": "n/a",
      "msg-zerocopy": "n/a",
    },
  },
];

/** What `npm start` opens: Tsirkin's objection under shinfo-release. */
export const DEFAULT_STORY_ID = "tsirkin-pskb-copy";
