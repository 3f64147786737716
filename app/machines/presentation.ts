// SPDX-License-Identifier: GPL-2.0-only
/**
 * Presentation mode: off or on. Entering it collapses the editor and the
 * lifetime chart (the graph gets the width), asks the browser for full
 * screen, and shows the narration as large captions; leaving it (the
 * button, Escape, `p`, or the browser leaving full screen) puts the panels
 * back as they were. Full screen is a wish: a browser may refuse it (no
 * user gesture, an iframe without allowfullscreen) and the mode still works.
 */
import { assign, setup } from "xstate";
import { setPanels, setPresenting, useScope, type ScopeData } from "../store";

/** What the machine needs of the Fullscreen API (a fake one in unit tests). */
export interface FullscreenPort {
  enter(): void;
  exit(): void;
  active(): boolean;
}

export const NO_FULLSCREEN: FullscreenPort = { enter() {}, exit() {}, active: () => false };

/** The browser's Fullscreen API on the whole document. */
export function documentFullscreen(doc: Document = document): FullscreenPort {
  return {
    enter() {
      const el = doc.documentElement;
      if (!doc.fullscreenElement && el.requestFullscreen) el.requestFullscreen({ navigationUI: "hide" }).catch(() => {});
    },
    exit() {
      if (doc.fullscreenElement && doc.exitFullscreen) doc.exitFullscreen().catch(() => {});
    },
    active: () => doc.fullscreenElement !== null && doc.fullscreenElement !== undefined,
  };
}

export type PresentationEvent =
  | { type: "ENTER"; fullscreen?: boolean }
  | { type: "LEAVE" }
  | { type: "TOGGLE" }
  /** The browser left full screen (its own Escape, F11): leave the mode too. */
  | { type: "FULLSCREEN_LEFT" };

/** The panels while presenting: only the side panel (verdicts, what is pointed at) stays. */
export const PRESENTING_PANELS: ScopeData["panels"] = { editor: false, side: true, lifetimes: false };

interface Context {
  fullscreen: FullscreenPort;
  /** The panels to restore on leaving. */
  saved: ScopeData["panels"] | null;
}

export const presentationMachine = setup({
  types: {
    context: {} as Context,
    events: {} as PresentationEvent,
    input: {} as { fullscreen?: FullscreenPort },
  },
  actions: {
    save: assign(() => ({ saved: useScope.getState().panels })),
    collapse: () => {
      setPanels(PRESENTING_PANELS);
      setPresenting(true);
    },
    restore: ({ context }) => {
      if (context.saved) setPanels(context.saved);
      setPresenting(false);
    },
    enterFullscreen: ({ context, event }) => {
      if (event.type === "ENTER" && event.fullscreen === false) return;
      context.fullscreen.enter();
    },
    exitFullscreen: ({ context }) => {
      if (context.fullscreen.active()) context.fullscreen.exit();
    },
  },
}).createMachine({
  id: "presentation",
  context: ({ input }) => ({ fullscreen: input.fullscreen ?? NO_FULLSCREEN, saved: null }),
  initial: "off",
  states: {
    off: {
      on: {
        ENTER: { target: "on", actions: "enterFullscreen" },
        TOGGLE: { target: "on", actions: "enterFullscreen" },
      },
    },
    on: {
      entry: ["save", "collapse"],
      exit: ["restore", "exitFullscreen"],
      on: {
        LEAVE: "off",
        TOGGLE: "off",
        FULLSCREEN_LEFT: "off",
      },
    },
  },
});
