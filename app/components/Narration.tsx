/**
 * What this step did, in words: the operation, the story's narration, the
 * kernel's refusal if any, and each checker finding in one sentence.
 */
import { useScope } from "../store";

export function Narration() {
  const detail = useScope((s) => s.detail);
  const shownStep = useScope((s) => s.shownStep);
  const stepCount = useScope((s) => s.stepCount);
  const health = useScope((s) => s.health);

  return (
    <section className="narration" aria-label="this step" aria-live="polite" data-testid="narration">
      {shownStep <= 0 || !detail ? (
        <p className="quiet">{stepCount ? `Before the first operation. Step forward (→) to run it.` : health.state === "starting" ? "Starting the engine…" : "An empty trace: add an operation."}</p>
      ) : (
        <>
          <p className="op-line">
            <span className="step-no">step {detail.step}</span> <span className="line-no">line {detail.line}</span> <code>{detail.op}</code>
          </p>
          {detail.narration.length > 0 && <p className="story">{detail.narration.join(" ")}</p>}
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
          {detail.events.length > 0 && <p className="events">{detail.events.join(" · ")}</p>}
        </>
      )}
    </section>
  );
}
