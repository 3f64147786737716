// SPDX-License-Identifier: GPL-2.0-only
/**
 * Permalinks: a whole view (trace, policy, kernel, step, selection) in a
 * URL fragment, with no server. The codec is pure engine code, shared by
 * the app (app/share/permalink.ts adds the URL glue) and the CLI
 * (`skbscope link` and `skbscope open`).
 *
 *   format.ts    the format's layout, version, limits, fixed tables, types
 *   opcodes.ts   the op codes; policies.ts the policy codes (append-only)
 *   bits.ts      bit writer/reader, Exp-Golomb, base64url, LEB128, CRC-24
 *   content.ts   a view <-> the content bit stream
 *   frame.ts     content bytes <-> the "s..." fragment
 *
 * Decoding never throws: any input gives a value or a clear error.
 */
import { SEMANTICS_CHANGES, SEMANTICS_VERSION } from "../version";
import { stripPositions, type Trace } from "../trace/ast";
import { hasErrors, parseTrace } from "../trace/parse";
import { printTrace } from "../trace/print";
import { Malformed } from "./bits";
import { CannotEncode, decodeContent, encodeContent, hasFixExtension, same, sameOps, storyTrace, type Content } from "./content";
import { FORMAT_VERSION, LIMITS, fail, type DecodedLink, type LinkResult, type LinkView, type StoryLookup } from "./format";
import { cleanFragment, openFragment, sealContent } from "./frame";

export * from "./format";
export { OPCODES, SHORT_OPS } from "./opcodes";

export { decodeContent, encodeContent, same } from "./content";
export { sealContent } from "./frame";

// --- public API -------------------------------------------------------------

/** The fragment (without "#") for a view. */
export async function encodePermalink(
  view: LinkView,
  options: { stories?: StoryLookup; comments?: boolean; deflate?: "auto" | "never" | "always" } = {},
): Promise<LinkResult<string>> {
  let content: Uint8Array;
  try {
    content = encodeContent(view, options);
    // Whatever we write must read back as the same view.
    const back = finish(decodeContent(content), options.stories);
    const want = expectedBack(view, options);
    if (!back.ok) return fail("cannot-encode", back.error.message);
    if (!same(stripPositions(back.value.trace), want))
      return fail("cannot-encode", "the trace does not survive the link format (a comment or title that does not print back as itself?)");
  } catch (e) {
    if (e instanceof CannotEncode || e instanceof Malformed || e instanceof RangeError) return fail("cannot-encode", e.message);
    return fail("cannot-encode", `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fragment = await sealContent(content, { ...options, version: hasFixExtension(view) ? 2 : 1 });
  if (fragment.length > LIMITS.fragmentChars) {
    return fail("cannot-encode", `the link would be ${fragment.length} characters (limit ${LIMITS.fragmentChars}); share the trace as text instead`);
  }
  return { ok: true, value: fragment };
}

/** What decoding the link must give back: the trace, less its comments if left out. */
function expectedBack(view: LinkView, options: { comments?: boolean }): Trace {
  const t = stripPositions(view.trace);
  if (options.comments !== false) return t;
  const ops = t.ops.map(({ leading: _l, comment: _c, ...op }) => op);
  const { trailing: _t, ...rest } = t;
  return { ...rest, ops };
}

/** Decodes a fragment (with or without "#", or a whole URL). Never throws. */
export async function decodePermalink(raw: string, options: { stories?: StoryLookup } = {}): Promise<LinkResult<DecodedLink>> {
  try {
    const opened = await openFragment(raw);
    if (!opened.ok) return opened;
    let content: Content;
    try {
      content = decodeContent(opened.value);
    } catch (e) {
      if (e instanceof Malformed) return fail("malformed", `the link is damaged: ${e.message}`);
      throw e;
    }
    return finish(content, options.stories);
  } catch (e) {
    return fail("malformed", `the link could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Story text, semantics notes and the final check that the trace is one the language can say. */
function finish(content: Content, stories: StoryLookup | undefined): LinkResult<DecodedLink> {
  const notes: string[] = [];
  let trace = content.view.trace;
  const storyId = content.view.storyId ?? null;
  if (storyId && (content.titleFromStory || content.commentsFromStory)) {
    const story = storyTrace(stories, storyId);
    if (story && sameOps(story, trace)) {
      trace = {
        ...(content.titleFromStory ? (story.title !== undefined ? { title: story.title } : {}) : trace.title !== undefined ? { title: trace.title } : {}),
        ...(trace.policy ? { policy: trace.policy } : {}),
        ...(trace.kernel ? { kernel: trace.kernel } : {}),
        ...(trace.without ? { without: trace.without } : {}),
        ops: content.commentsFromStory ? story.ops : trace.ops,
        ...(content.commentsFromStory ? (story.trailing ? { trailing: story.trailing } : {}) : trace.trailing ? { trailing: trace.trailing } : {}),
      };
    } else if (stories) {
      notes.push(
        story
          ? `The story "${storyId}" has changed since this link was made; showing the linked operations without the story's narration.`
          : `This link was made from the story "${storyId}", which this skbscope does not have; showing its operations without narration.`,
      );
    }
  }
  const printed = printTrace(trace);
  const reparsed = parseTrace(printed);
  if (hasErrors(reparsed) || !same(stripPositions(reparsed.trace), stripPositions(trace))) {
    return fail("invalid-trace", "the link decodes to something that is not a valid trace");
  }
  const changes = SEMANTICS_CHANGES.filter((c) => c.version > content.semantics && c.version <= SEMANTICS_VERSION);
  if (content.semantics < SEMANTICS_VERSION) {
    notes.push(
      `This link was made under engine semantics ${content.semantics}; this skbscope uses ${SEMANTICS_VERSION}. It replays with today's semantics. What changed: ${changes.map((c) => `${c.version}: ${c.summary}`).join("; ")}.`,
    );
  } else if (content.semantics > SEMANTICS_VERSION) {
    notes.push(
      `This link was made by a newer skbscope (engine semantics ${content.semantics}; this one has ${SEMANTICS_VERSION}); the replay may differ from what its author saw.`,
    );
  }
  return {
    ok: true,
    value: {
      ...content.view,
      trace,
      storyId,
      formatVersion: FORMAT_VERSION,
      semantics: { link: content.semantics, engine: SEMANTICS_VERSION, changes },
      notes,
    },
  };
}

/** Is this (fragment or URL) an skbscope permalink, at first sight? */
export function isPermalinkFragment(raw: string): boolean {
  return /^s[A-Za-z0-9_-]{6,}$/.test(cleanFragment(raw));
}
