// SPDX-License-Identifier: GPL-2.0-only
/**
 * The address bar follows the view: once the view on screen has settled
 * (its trace loaded, its step drawn) and stayed put for a moment, the
 * engine machine is asked for its permalink and the fragment is replaced
 * in place (history.replaceState: no history entry per step). A link the
 * user puts in the address bar (or reaches with back/forward) is opened.
 *
 *   idle ──view changed──▶ waiting ──quiet for DEBOUNCE──▶ asking ──link──▶ idle
 *                            ▲  └──changed again: restart      │
 *                            └──────────── view changed ───────┘
 *
 * Flags after the link in the fragment ("#s...&embed") are kept as they are.
 * A trace with errors gets a draft link (its text as typed, see
 * app/editor/draftLink.ts); a trace that cannot have one (too long) clears
 * it. A link that could not be opened stays in the address bar, to be
 * repaired by hand, until the user dismisses the message or moves on.
 */
import { assign, setup } from "xstate";
import { nameOfKey, useScope, viewKey, viewSettled } from "../store";
import type { ShareView } from "../worker/protocol";

export const URL_DEBOUNCE_MS = 400;
const ASK_TIMEOUT_MS = 5000;

/** The address bar's fragment (a fake one in unit tests). */
export interface UrlPort {
  /** The fragment, without "#". */
  read(): string;
  /** Replaces the fragment without a history entry. */
  write(fragment: string): void;
  /** Calls back when the user changes the fragment; returns the unsubscribe. */
  listen(onChange: () => void): () => void;
}

/** The browser's address bar. */
export function locationPort(win: Window = window): UrlPort {
  return {
    read: () => win.location.hash.replace(/^#/, ""),
    write(fragment) {
      const url = new URL(win.location.href);
      url.hash = fragment;
      win.history.replaceState(win.history.state, "", fragment ? url.href : url.href.replace(/#$/, ""));
    },
    listen(onChange) {
      win.addEventListener("hashchange", onChange);
      return () => win.removeEventListener("hashchange", onChange);
    },
  };
}

/** Words the app reads after the link in a fragment ("#s...&embed"). */
export const FRAGMENT_FLAGS: ReadonlySet<string> = new Set(["embed", "present"]);

/**
 * "sABC&embed" → link "sABC", flags ["embed"]. A fragment of flags only
 * has no link; anything else in the first place is taken for a link (and
 * an unreadable one is reported, not ignored).
 */
export function splitFragment(fragment: string): { link: string; flags: string[] } {
  const parts = percentDecoded(fragment.replace(/^#/, "")).split("&");
  const first = parts[0] ?? "";
  const isLink = first !== "" && !FRAGMENT_FLAGS.has(first);
  return { link: isLink ? first : "", flags: (isLink ? parts.slice(1) : parts).filter((f) => f !== "") };
}

/**
 * The fragment as the user typed it: browsers percent-encode characters
 * such as "<" in location.hash, and an error message should name the "<".
 * A link itself never has a "%" in it.
 */
function percentDecoded(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function joinFragment(link: string, flags: readonly string[]): string {
  return [link, ...flags].filter((p) => p !== "").join("&");
}

export interface UrlSyncInput {
  port: UrlPort;
  /** Ask the engine for the link of the view `key` names; it arrives in the store's `link`. */
  requestLink(key: string, view: ShareView): void;
  /** Open a link the user put in the address bar. */
  openLink(link: string): void;
  debounceMs?: number;
}

interface Context extends UrlSyncInput {
  debounceMs: number;
  /** The view key whose link is in the address bar, and the link itself. */
  writtenKey: string | null;
  written: string | null;
  /** The view key asked for. */
  asked: string | null;
}

export type UrlSyncEvent = { type: "CHANGED" } | { type: "HASH" };

const scope = () => useScope.getState();
const keepAddress = () => scope().notice?.keepAddress === true;

export const urlSyncMachine = setup({
  types: { context: {} as Context, events: {} as UrlSyncEvent, input: {} as UrlSyncInput },
  guards: {
    needsLink: ({ context }) => viewSettled() && !keepAddress() && viewKey() !== context.writtenKey,
    linkArrived: ({ context }) => scope().link?.key === context.asked && context.asked !== null,
    viewMoved: ({ context }) => viewKey() !== context.asked,
  },
  delays: { debounce: ({ context }) => context.debounceMs },
  actions: {
    rememberAsked: assign({ asked: () => viewKey() }),
    ask: ({ context }) => {
      const s = scope();
      context.requestLink(context.asked!, { step: s.cursor, selection: nameOfKey(s.selection), storyId: s.storyId });
    },
    write: ({ context }) => {
      const { flags } = splitFragment(context.port.read());
      const fragment = joinFragment(scope().link!.fragment ?? "", flags);
      if (context.port.read() !== fragment) context.port.write(fragment);
    },
    rememberWritten: assign(() => ({ writtenKey: scope().link!.key, written: scope().link!.fragment ?? "", asked: null })),
    openFromAddressBar: ({ context }) => {
      const { link } = splitFragment(context.port.read());
      if (link !== "" && link !== context.written) context.openLink(link);
    },
  },
}).createMachine({
  id: "urlSync",
  context: ({ input }) => ({ ...input, debounceMs: input.debounceMs ?? URL_DEBOUNCE_MS, writtenKey: null, written: null, asked: null }),
  initial: "idle",
  on: {
    HASH: { actions: "openFromAddressBar" },
  },
  states: {
    idle: {
      on: { CHANGED: { guard: "needsLink", target: "waiting" } },
    },
    waiting: {
      after: {
        debounce: [{ guard: "needsLink", target: "asking" }, { target: "idle" }],
      },
      on: { CHANGED: { target: "waiting", reenter: true } },
    },
    asking: {
      entry: ["rememberAsked", "ask"],
      // A request lost with a crashed worker: ask again.
      after: { [ASK_TIMEOUT_MS]: "waiting" },
      on: {
        CHANGED: [
          { guard: "linkArrived", target: "idle", actions: ["write", "rememberWritten"] },
          { guard: "viewMoved", target: "waiting" },
        ],
      },
    },
  },
});
