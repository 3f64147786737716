// SPDX-License-Identifier: GPL-2.0-only
/**
 * Time travel: step buttons, play/pause with a speed, the scrubber with a
 * red mark at each violating step, and "next violation". The range input
 * is the accessible scrubber; the marks beside it are drawn once per trace.
 */
import { useMemo } from "react";
import { useSelector } from "@xstate/react";
import { useMachines } from "../context";
import { setSpeed, useScope } from "../store";
import { violationMarks } from "../worker/columns";

const SPEEDS = [0.5, 1, 2, 4, 8, 16];

export function Timeline() {
  const { playback } = useMachines();
  const cursor = useScope((s) => s.cursor);
  const stepCount = useScope((s) => s.stepCount);
  const columns = useScope((s) => s.columns);
  const speed = useScope((s) => s.speed);
  const playing = useSelector(playback, (s) => s.matches("playing"));
  // The marks' elements too, once per trace: the same elements are not
  // compared again when the cursor moves (a drag re-renders per input event).
  const marks = useMemo(
    () =>
      violationMarks(columns.violations, stepCount).map((m) => <span key={m} className="mark" style={{ left: `${(m / Math.max(1, stepCount)) * 100}%` }} />),
    [columns, stepCount],
  );
  // The worker lists the violating steps (StepColumns.violations): no scan of a million steps' flags here.
  const last = columns.violations.at(-1) ?? 0;
  const hasNext = last > cursor;

  return (
    <nav className="timeline" aria-label="time travel">
      <div className="buttons">
        <button type="button" onClick={() => playback.send({ type: "HOME" })} aria-label="first step (Home)" disabled={cursor === 0}>
          <Icon name="first" />
        </button>
        <button
          type="button"
          onClick={() => playback.send({ type: "STEP", delta: -1 })}
          aria-label="step back (←)"
          disabled={cursor === 0}
          data-testid="step-back"
        >
          <Icon name="back" />
        </button>
        <button
          type="button"
          className="play"
          onClick={() => playback.send({ type: "TOGGLE" })}
          aria-label={playing ? "pause (space)" : "play (space)"}
          disabled={stepCount === 0}
        >
          <Icon name={playing ? "pause" : "play"} />
        </button>
        <button
          type="button"
          onClick={() => playback.send({ type: "STEP", delta: 1 })}
          aria-label="step forward (→)"
          disabled={cursor >= stepCount}
          data-testid="step-forward"
        >
          <Icon name="forward" />
        </button>
        <button type="button" onClick={() => playback.send({ type: "END" })} aria-label="last step (End)" disabled={cursor >= stepCount}>
          <Icon name="last" />
        </button>
        <button
          type="button"
          className="next-violation"
          onClick={() => playback.send({ type: "NEXT_VIOLATION" })}
          disabled={!hasNext}
          aria-label="next violation (n)"
        >
          next ⚠
        </button>
        <label className="speed">
          <span>speed</span>
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}/s
              </option>
            ))}
          </select>
        </label>
      </div>
      <output className="step-label" data-testid="step-label" aria-live="off">
        step {cursor} / {stepCount}
      </output>
      <div className="scrubber">
        <div className="marks" aria-hidden="true">
          {marks}
        </div>
        <input
          type="range"
          min={0}
          max={stepCount}
          step={1}
          value={cursor}
          aria-label="step"
          aria-valuetext={`step ${cursor} of ${stepCount}`}
          onChange={(e) => playback.send({ type: "SEEK", step: Number(e.target.value) })}
          data-testid="scrubber"
        />
      </div>
    </nav>
  );
}

const ICONS = {
  first: "M3 2h2v12H3z M14 2v12L6 8z",
  back: "M12 2v12L4 8z",
  play: "M4 2v12l10-6z",
  pause: "M3 2h4v12H3z M9 2h4v12H9z",
  forward: "M4 2v12l8-6z",
  last: "M11 2h2v12h-2z M2 2v12l8-6z",
} as const;

/** Drawn icons: no font on a fresh machine is guaranteed to have ⏮ ⏯ ⏭. */
function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg className="icon" viewBox="0 0 16 16" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}
