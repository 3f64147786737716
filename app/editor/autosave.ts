// SPDX-License-Identifier: GPL-2.0-only
/**
 * Saves what is on screen after every change (debounced), whether or not
 * it parses, and once more when the page is hidden or unloaded. A text the
 * user edits (or a link, paste or draft they open) is their own work and
 * gets an entry in the recent list; a story opened as shipped does not.
 */
import { isOwnWork, nameOfKey, useScope, type ScopeData } from "../store";
import type { Drafts } from "./persist";

export const AUTOSAVE_MS = 400;
/**
 * localStorage writes on the main thread: a 2 MB text costs ~70 ms. A text
 * this large is saved only once the user edits it (an opened one came from
 * a file or a link), and after a longer pause.
 */
export const LARGE_TEXT = 256 * 1024;
export const LARGE_AUTOSAVE_MS = 2000;

export interface Autosave {
  /** The next opened text continues this recent entry (reopening it from the list, restoring a session). */
  adopt(id: string | null): void;
  /** Save now (tests, and the page going away). */
  flush(): void;
  stop(): void;
}

const WATCHED: readonly (keyof ScopeData)[] = ["sourceRev", "policyChoice", "kernelChoice", "cursor", "storyId", "selection"];

export function startAutosave(drafts: Drafts, fragment: () => string, debounceMs = AUTOSAVE_MS): Autosave {
  let id: string | null = null;
  let adopted: string | null | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  /** A large text opened and not edited since: not written. */
  let skip = false;

  const write = (s: ScopeData) =>
    drafts.save({
      id,
      source: s.source,
      policyChoice: s.policyChoice,
      kernelChoice: s.kernelChoice,
      cursor: s.cursor,
      storyId: s.storyId,
      selection: nameOfKey(s.selection),
      fragment: fragment(),
    });

  const save = () => {
    clearTimeout(timer);
    if (!dirty || skip) return;
    dirty = false;
    write(useScope.getState());
  };

  const unsubscribe = useScope.subscribe((now, before) => {
    if (!WATCHED.some((k) => now[k] !== before[k])) return;
    if (now.sourceRev !== before.sourceRev) {
      // Another text replaces this one before the pause is over: its last
      // change goes to its own entry now, or it would be saved under the
      // next text's id, or never.
      if (now.sourceOrigin !== "edit" && dirty && !skip) {
        clearTimeout(timer);
        dirty = false;
        write(before);
      }
      if (now.sourceOrigin === "edit") id ??= drafts.newId();
      else if (adopted !== undefined) id = adopted;
      else id = isOwnWork(now.source) ? drafts.newId() : null;
      adopted = undefined;
      skip = now.sourceOrigin === "open" && now.source.length > LARGE_TEXT;
    }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, now.source.length > LARGE_TEXT ? Math.max(debounceMs, LARGE_AUTOSAVE_MS) : debounceMs);
  });
  const onHide = () => {
    if (document.visibilityState === "hidden") save();
  };
  addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", onHide);

  return {
    adopt(next) {
      adopted = next;
    },
    flush: save,
    stop() {
      save();
      unsubscribe();
      removeEventListener("pagehide", save);
      document.removeEventListener("visibilitychange", onHide);
    },
  };
}
