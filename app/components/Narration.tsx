// SPDX-License-Identifier: GPL-2.0-only
/**
 * What this step did, in words: the story's narration for the step (the
 * trace's comments, as plain text), the operation, the kernel's refusal if
 * any, and each checker finding in one sentence. The caption arrives with
 * the step's snapshot, so the words and the graph always show one step.
 * `large` is the presentation-mode caption.
 */
import { useEffect, useRef } from "react";
import { useScope } from "../store";

/**
 * The narration shares the stage's column with the graph: while one trace
 * is shown it keeps the tallest height it has had (up to NO_SHRINK_MAX), so
 * a step whose words take one line fewer does not give the graph a new size
 * (which costs Chromium a layout of every object of the graph, 11 ms at 300
 * objects). A longer narration (findings) still grows and shrinks.
 */
const NO_SHRINK_MAX = 100;

function useNoShrink(key: string) {
  const ref = useRef<HTMLElement>(null);
  const tallest = useRef(0);
  useEffect(() => {
    const el = ref.current!;
    el.style.minHeight = "";
    tallest.current = 0;
    const observer = new ResizeObserver(([entry]) => {
      const h = entry.borderBoxSize[0]?.blockSize ?? 0;
      if (h > tallest.current && h <= NO_SHRINK_MAX) {
        tallest.current = h;
        el.style.minHeight = `${h}px`;
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [key]);
  return ref;
}

export function Narration({ large = false }: { large?: boolean }) {
  const detail = useScope((s) => s.detail);
  const caption = useScope((s) => s.caption);
  const shownStep = useScope((s) => s.shownStep);
  const stepCount = useScope((s) => s.stepCount);
  const health = useScope((s) => s.health);
  // The trace on screen (its title), not the one being loaded: the old narration is still shown then.
  const shownTitle = useScope((s) => s.shownTitle);
  const ref = useNoShrink(`${shownTitle}\n${large}`);

  return (
    <section ref={ref} className={`narration${large ? " captions" : ""}`} aria-label="this step" aria-live="polite" data-testid="narration">
      {shownStep <= 0 || !detail ? (
        <>
          {caption && (
            <p className="story" data-testid="caption">
              {caption}
            </p>
          )}
          <p className="quiet">
            {stepCount
              ? large
                ? "Before the first operation."
                : "Before the first operation. Step forward (→) to run it."
              : health.state === "starting"
                ? "Starting the engine…"
                : "An empty trace: add an operation."}
          </p>
        </>
      ) : (
        <>
          <p className="op-line">
            <span className="step-no">step {detail.step}</span> <span className="line-no">line {detail.line}</span> <code>{detail.op}</code>
          </p>
          {caption && (
            <p className="story" data-testid="caption">
              {caption}
            </p>
          )}
          {detail.error && (
            <p className="error-line" role="alert">
              <strong>{detail.error.kind}:</strong> {detail.error.message} — the state is unchanged.
            </p>
          )}
          {detail.findings.map((f, i) => (
            <p key={i} className="finding-line" data-testid="finding">
              <strong>⚠ {f.kind}:</strong> {f.message}
            </p>
          ))}
          {!large && detail.events.length > 0 && <p className="events">{detail.events.join(" · ")}</p>}
        </>
      )}
    </section>
  );
}
