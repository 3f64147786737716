// SPDX-License-Identifier: GPL-2.0-only
/**
 * The editor column's width: dragged by its handle (or its arrow keys),
 * remembered in localStorage, applied as the CSS variable the grid reads.
 * Until the user drags it, it shows 72 columns of code (the language's
 * width), measured once the editor knows its font.
 */
const KEY = "skbscope:editor-width";
export const MIN_EDITOR_PX = 180;

/** The widest the column may be: the graph keeps at least 40% of the window. */
export const maxEditorPx = (windowWidth: number) => Math.max(MIN_EDITOR_PX, Math.round(windowWidth * 0.6));

export function clampWidth(px: number, windowWidth: number): number {
  return Math.round(Math.max(MIN_EDITOR_PX, Math.min(maxEditorPx(windowWidth), px)));
}

export function savedWidth(storage: Pick<Storage, "getItem"> | null = safeStorage()): number | null {
  const v = Number(storage?.getItem(KEY));
  return Number.isFinite(v) && v > 0 ? v : null;
}

/**
 * `chosen`: the user's own width (dragged now or remembered). At 900-1199 px
 * the graph keeps 480 px of the window against the default width, but only
 * 400 px against the user's (styles.css, `data-editor-width`), so a user who
 * wants the whole 72 columns at 1024 px can drag the column that wide.
 */
function apply(px: number, chosen: boolean): void {
  const root = document.documentElement;
  root.style.setProperty("--editor-w", `${px}px`);
  if (chosen) root.dataset.editorWidth = "user";
  else delete root.dataset.editorWidth;
}

/** The user's width: applied and remembered. */
export function setEditorWidth(px: number): number {
  const w = clampWidth(px, window.innerWidth);
  apply(w, true);
  try {
    safeStorage()?.setItem(KEY, String(w));
  } catch {
    // Storage full or denied: the width still applies for this visit.
  }
  return w;
}

/** The default (72 columns), unless the user has a width of their own. */
export function fitDefaultWidth(px: number): void {
  const saved = savedWidth();
  apply(clampWidth(saved ?? px, window.innerWidth), saved !== null);
}

/** The column's width as laid out (the grid may hold it narrower than the width asked for). */
export function currentWidth(): number {
  const el = document.querySelector(".editor");
  if (el) return el.getBoundingClientRect().width;
  const v = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--editor-w"));
  return Number.isFinite(v) ? v : 560;
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
