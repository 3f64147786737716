// SPDX-License-Identifier: GPL-2.0-only
/**
 * What this step did, in words: the story's narration for the step (the
 * trace's comments, as plain text), the operation, the kernel's refusal if
 * any, and each checker finding in one sentence. The caption arrives with
 * the step's snapshot, so the words and the graph always show one step.
 * `large` is the presentation-mode caption.
 */
import { useScope } from "../store";

export function Narration({ large = false }: { large?: boolean }) {
  const detail = useScope((s) => s.detail);
  const caption = useScope((s) => s.caption);
  const shownStep = useScope((s) => s.shownStep);
  const stepCount = useScope((s) => s.stepCount);
  const health = useScope((s) => s.health);

  return (
    <section className={`narration${large ? " captions" : ""}`} aria-label="this step" aria-live="polite" data-testid="narration">
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
