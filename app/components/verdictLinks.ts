// SPDX-License-Identifier: GPL-2.0-only
/**
 * What the verdict matrix links to, worked out without React (tested):
 * a row's link is the finding its verdict rests on (an `ok` row has none),
 * named by kind and step so two links never read the same; memory-safety
 * findings (a double free, a use after free ...) are not a policy's verdict
 * and are listed once under the table.
 */
import type { Verdict } from "../../core/index";
import { appStory } from "../stories";
import type { MatrixRow } from "../worker/protocol";

export interface VerdictLink {
  readonly kind: string;
  readonly step: number;
  readonly message: string;
  /** The visible text: "premature at step 6". */
  readonly text: string;
}

const VERDICT_KINDS: ReadonlySet<string> = new Set<Verdict>(["kernel-bug", "premature", "duplicate", "missed", "late", "shared-write"]);

export function rowLink(row: MatrixRow): VerdictLink | null {
  if (row.verdict === "ok" || row.verdict === "n/a") return null;
  // An inconclusive row points at the step that was not judged.
  const unjudged = row.verdict === "inconclusive" ? row.unjudged[0] : undefined;
  if (unjudged) return { kind: "inconclusive", step: unjudged.step, message: `not judged: ${unjudged.message}`, text: `not judged at step ${unjudged.step}` };
  const f = row.findings.find((x) => x.kind === row.verdict) ?? row.findings.find((x) => VERDICT_KINDS.has(x.kind));
  return f ? { kind: f.kind, step: f.step, message: f.message, text: `${f.kind} at step ${f.step}` } : null;
}

/** Findings that are no policy's verdict (memory safety), once each, by step. */
export function otherFindings(matrix: readonly MatrixRow[]): VerdictLink[] {
  const seen = new Map<string, VerdictLink>();
  for (const row of matrix) {
    for (const f of row.findings) {
      if (VERDICT_KINDS.has(f.kind) || f.kind === "ok") continue;
      const key = `${f.kind}@${f.step}`;
      if (!seen.has(key)) seen.set(key, { kind: f.kind, step: f.step, message: f.message, text: `${f.kind} at step ${f.step}` });
    }
  }
  return [...seen.values()].sort((a, b) => a.step - b.step);
}

/**
 * Whether the story check ("✓ as the story expects") applies: the text on
 * screen is the story's own, as shipped and loaded, on its own kernel.
 * An edited or replaced trace is no longer the story.
 */
export function storyCheckApplies(s: { storyId: string | null; source: string; loaded: { source: string } | null; kernelChoice: string | null }): boolean {
  const story = appStory(s.storyId);
  return story !== undefined && story.source === s.source && s.loaded?.source === s.source && s.kernelChoice === null;
}
