// SPDX-License-Identifier: GPL-2.0-only
/**
 * Narration: the comment lines of a trace, read as captions.
 *
 * The comment lines before an operation narrate that step; a comment on
 * the operation's own line is added after them. Before the first
 * operation, lines up to an empty comment line ("#" alone) introduce the
 * story; the lines after it narrate step 1. Comments after the last
 * operation close the story. Everything is plain text: it is shown as
 * text, never parsed as markup.
 */
import type { Trace } from "../core/index";

export interface Narration {
  /** Introduction: shown before step 1 (at step 0). */
  readonly intro: readonly string[];
  /** steps[i]: the lines narrating step i + 1, in order. */
  readonly steps: readonly (readonly string[])[];
  /** Comment lines after the last operation. */
  readonly outro: readonly string[];
}

export function narrationOf(trace: Trace): Narration {
  const intro: string[] = [];
  const steps = trace.ops.map((op, i) => {
    let lines = (op.leading ?? []).map((l) => l.trim());
    if (i === 0) {
      const blank = lines.indexOf("");
      if (blank >= 0) {
        intro.push(...lines.slice(0, blank).filter((l) => l !== ""));
        lines = lines.slice(blank + 1);
      }
    }
    const own = op.comment?.trim();
    return [...lines.filter((l) => l !== ""), ...(own ? [own] : [])];
  });
  return { intro, steps, outro: (trace.trailing ?? []).map((l) => l.trim()).filter((l) => l !== "") };
}

/**
 * The caption for a step as one paragraph: step 0 is the introduction,
 * step n the narration of operation n (and, after the last operation,
 * the closing lines too).
 */
export function captionAt(narration: Narration, step: number): string {
  if (step <= 0) return narration.intro.join(" ");
  const lines = narration.steps[Math.min(step, narration.steps.length) - 1] ?? [];
  const closing = step >= narration.steps.length ? narration.outro : [];
  return [...lines, ...closing].join(" ");
}
