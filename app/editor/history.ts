// SPDX-License-Identifier: GPL-2.0-only
/**
 * One undo history for the trace, the editor's (CodeMirror's `history()`):
 * a line the operation form inserts comes into the editor as a transaction
 * of its own, so Ctrl+Z takes it out again, and Ctrl+Shift+Z (or Ctrl+Y)
 * puts it back, wherever the keyboard focus is, except in a field that
 * undoes its own typing (a number, the op filter).
 */
import { isolateHistory } from "@codemirror/commands";
import { Annotation, type EditorState, type TransactionSpec } from "@codemirror/state";

/** Marks a transaction that brings the store's text in (not the user's typing). */
export const fromStore = Annotation.define<boolean>();

/** The smallest change turning `a` into `b`: one replaced middle. */
export function diffText(a: string, b: string): { from: number; to: number; insert: string } | null {
  if (a === b) return null;
  let start = 0;
  const min = Math.min(a.length, b.length);
  while (start < min && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  return { from: start, to: endA, insert: b.slice(start, endB) };
}

/**
 * The store's new text as one undoable step of the editor's history: the
 * smallest change, isolated, so it never merges with typing just before
 * or after it (CodeMirror groups changes closer than 500 ms).
 */
export function storeChange(state: EditorState, text: string): TransactionSpec | null {
  const change = diffText(state.doc.toString(), text);
  if (!change) return null;
  return { changes: change, annotations: [fromStore.of(true), isolateHistory.of("full")] };
}

export type HistoryCommand = "undo" | "redo";

/** Ctrl+Z undoes; Ctrl+Shift+Z and Ctrl+Y redo (Cmd on a Mac). */
export function historyCommand(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }): HistoryCommand | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const key = e.key.toLowerCase();
  if (key === "z") return e.shiftKey ? "redo" : "undo";
  if (key === "y" && !e.shiftKey) return "redo";
  return null;
}

/** Fields whose own undo the key belongs to: text they take typed in. */
const OWN_UNDO = new Set(["text", "search", "number", "url", "email", "password", "tel"]);

/**
 * Whether the key goes to the trace's history: not from inside the editor
 * (CodeMirror's keymap has it), nor from a field with typing of its own.
 */
export function routesToTrace(target: { tagName: string; type?: string; isContentEditable?: boolean; closest?(sel: string): unknown } | null): boolean {
  if (!target) return true;
  if (target.closest?.(".cm-editor")) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA") return false;
  if (target.tagName === "INPUT") return !OWN_UNDO.has((target.type ?? "text").toLowerCase());
  return true;
}
