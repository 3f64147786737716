// SPDX-License-Identifier: GPL-2.0-only
/**
 * Playback: where the cursor goes next. Paused or playing; a manual move
 * (step, seek, Home/End, next violation) pauses. The cursor itself lives in
 * the store; the engine machine follows it (see app/machines/index.ts).
 */
import { fromCallback, not, setup } from "xstate";
import { nextViolation, setCursor, useScope } from "../store";

export type PlaybackEvent =
  | { type: "PLAY" }
  | { type: "PAUSE" }
  | { type: "TOGGLE" }
  | { type: "TICK" }
  | { type: "STEP"; delta: number }
  | { type: "SEEK"; step: number }
  | { type: "HOME" }
  | { type: "END" }
  | { type: "NEXT_VIOLATION" };

const scope = () => useScope.getState();
const atEnd = () => scope().cursor >= scope().stepCount;

/** Ticks at the store's speed (steps per second), read afresh each tick. */
const ticker = fromCallback(({ sendBack }) => {
  let timer: ReturnType<typeof setTimeout>;
  const schedule = () => {
    timer = setTimeout(() => {
      sendBack({ type: "TICK" });
      schedule();
    }, 1000 / scope().speed);
  };
  schedule();
  return () => clearTimeout(timer);
});

const move = {
  STEP: { target: ".paused", actions: "step" },
  SEEK: { target: ".paused", actions: "seek" },
  HOME: { target: ".paused", actions: "home" },
  END: { target: ".paused", actions: "end" },
  NEXT_VIOLATION: { target: ".paused", actions: "nextViolation" },
} as const;

export const playbackMachine = setup({
  types: { events: {} as PlaybackEvent },
  actors: { ticker },
  guards: { atEnd, empty: () => scope().stepCount === 0 },
  actions: {
    step: ({ event }) => event.type === "STEP" && setCursor(scope().cursor + event.delta),
    seek: ({ event }) => event.type === "SEEK" && setCursor(event.step),
    home: () => setCursor(0),
    end: () => setCursor(scope().stepCount),
    nextViolation: () => {
      const next = nextViolation(scope().cursor);
      if (next !== null) setCursor(next);
    },
    advance: () => setCursor(scope().cursor + 1),
    // Play from the end starts over, as a media player does.
    rewindIfAtEnd: () => atEnd() && setCursor(0),
  },
}).createMachine({
  id: "playback",
  initial: "paused",
  on: move,
  states: {
    paused: {
      on: {
        PLAY: { guard: not("empty"), target: "playing", actions: "rewindIfAtEnd" },
        TOGGLE: { guard: not("empty"), target: "playing", actions: "rewindIfAtEnd" },
      },
    },
    playing: {
      invoke: { src: "ticker" },
      on: {
        PAUSE: "paused",
        TOGGLE: "paused",
        TICK: [{ guard: "atEnd", target: "paused" }, { actions: "advance" }],
      },
    },
  },
});
