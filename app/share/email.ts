// SPDX-License-Identifier: GPL-2.0-only
/**
 * Email glue: a plain-text report with the view's permalink under it, and
 * one importer for whatever a reader pastes back (a report, bare trace
 * lines, or just the link), quoted or not.
 *
 * The report itself is core/report/text.ts (pure, no DOM); this adds the
 * link, which needs the (async) permalink codec.
 */
import { stripPositions, type KernelId, type PolicyId, type Trace } from "../../core/index";
import { importText, textReport, unquote } from "../../core/report/text";
import { decodePermalink, encodePermalink, same, type DecodedLink, type LinkResult, type LinkView, type StoryLookup } from "../../core/permalink";
import { linkLine, permalinkUrl } from "./permalink";

export interface EmailExport {
  /** The report, then (when a base URL was given) a "Link:" line. */
  readonly text: string;
  /** The permalink URL, when one was made. */
  readonly url: string | null;
  /**
   * Why there is no link, or lines over 72 columns: the Link: line itself
   * may be longer (a URL is never wrapped), and a trace's own long lines.
   */
  readonly warnings: readonly string[];
}

/** The text to paste into a mail: report, then the permalink as a Link: line. */
export async function emailText(view: LinkView, options: { base?: string; stories?: StoryLookup } = {}): Promise<EmailExport> {
  const report = textReport({ trace: view.trace, policy: view.policy, kernel: view.kernel, without: view.without, step: view.step, selection: view.selection });
  const warnings = [...report.warnings];
  let text = report.text;
  let url: string | null = null;
  if (options.base !== undefined) {
    const link = await encodePermalink(view, { stories: options.stories });
    if (link.ok) {
      url = permalinkUrl(options.base, link.value);
      const line = linkLine(url);
      if (line.ok) text += `\n${line.value}\n`;
      else warnings.push(line.error.message);
    } else {
      warnings.push(`no link: ${link.error.message}`);
    }
  }
  return { text, url, warnings };
}

export interface Pasted {
  readonly trace: Trace;
  readonly policy?: PolicyId;
  readonly kernel?: KernelId;
  readonly step?: number;
  readonly selection?: string;
  readonly storyId?: string;
  /** Fixes a pasted link's view reverts (a report carries them in its trace's `# without:`). */
  readonly without?: readonly string[];
  /** Where the trace came from. */
  readonly from: "report" | "lines" | "link";
  readonly notes: readonly string[];
}

/** A failure may carry the trace's text as pasted (it has errors): the app opens it with the errors shown. */
export type PastedResult =
  { readonly ok: true; readonly value: Pasted } | { readonly ok: false; readonly error: { readonly message: string; readonly source?: string } };

/**
 * The skbscope fragments in a text ("...#s..."), quoting removed: for a
 * link a mailer wrapped, also the fragment joined with the next one or
 * two lines. Which one is right, the CRC decides.
 */
export function linkCandidates(text: string): string[] {
  const lines = text
    .slice(0, 200_000)
    .split(/\r\n|\r|\n/)
    .map(unquote);
  const out: string[] = [];
  for (let i = 0; i < lines.length && out.length < 12; i++) {
    const m = /#(s[A-Za-z0-9_-]{6,})(=?)$/.exec(lines[i]) ?? /#(s[A-Za-z0-9_-]{6,})/.exec(lines[i]);
    if (!m) continue;
    let joined = m[1];
    out.push(joined);
    // Only a fragment that runs to the end of its line can go on.
    if (m.index + m[0].length !== lines[i].length) continue;
    for (let j = i + 1; j <= i + 2 && j < lines.length; j++) {
      const next = /^\s*([A-Za-z0-9_-]+)/.exec(lines[j]);
      if (!next) break;
      joined += next[1];
      out.push(joined);
      if (next[0].length !== lines[j].length) break;
    }
  }
  return out;
}

/** Decodes the first candidate that opens; else the first one's error. */
async function findLink(text: string, stories: StoryLookup | undefined): Promise<LinkResult<DecodedLink> | null> {
  let first: LinkResult<DecodedLink> | null = null;
  for (const c of linkCandidates(text)) {
    const r = await decodePermalink(c, { stories });
    if (r.ok) return r;
    first ??= r;
  }
  return first;
}

/**
 * Reads what a user pasted: a report or trace lines (the text wins, since
 * a reader may have edited it), else a permalink. A link that agrees with
 * the text still gives the step and selection. Never throws.
 */
export async function importPasted(text: string, options: { stories?: StoryLookup } = {}): Promise<PastedResult> {
  try {
    if (typeof text !== "string") return { ok: false, error: { message: "nothing to import: not text" } };
    const fromText = importText(text);
    const link = await findLink(text, options.stories);
    if (fromText.ok) {
      const t = fromText.value;
      const agrees = link?.ok && same(stripPositions(link.value.trace), stripPositions(t.trace));
      const v = agrees && link?.ok ? link.value : null;
      const policy = t.policy ?? v?.policy;
      const kernel = t.kernel ?? v?.kernel;
      const step = t.step ?? v?.step;
      const selection = t.selection ?? v?.selection ?? undefined;
      return {
        ok: true,
        value: {
          trace: t.trace,
          ...(policy ? { policy } : {}),
          ...(kernel ? { kernel } : {}),
          ...(step !== undefined ? { step } : {}),
          ...(selection ? { selection } : {}),
          ...(v?.storyId ? { storyId: v.storyId } : {}),
          from: t.from,
          notes: v ? v.notes : [],
        },
      };
    }
    if (link?.ok) {
      const v = link.value;
      return {
        ok: true,
        value: {
          trace: v.trace,
          policy: v.policy,
          kernel: v.kernel,
          step: v.step,
          ...(v.selection ? { selection: v.selection } : {}),
          ...(v.storyId ? { storyId: v.storyId } : {}),
          ...(v.without ? { without: v.without } : {}),
          from: "link",
          notes: v.notes,
        },
      };
    }
    if (link && !link.ok) return { ok: false, error: { message: `the pasted link cannot be opened: ${link.error.message}` } };
    return { ok: false, error: { message: fromText.error.message, ...(fromText.error.source !== undefined ? { source: fromText.error.source } : {}) } };
  } catch (e) {
    return { ok: false, error: { message: `the pasted text could not be read: ${e instanceof Error ? e.message : String(e)}` } };
  }
}
