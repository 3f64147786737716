// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { history, redo, undo } from "@codemirror/commands";
import { EditorState, type TransactionSpec } from "@codemirror/state";
import { insertAfterStep } from "../machines/engine";
import { diffText, fromStore, historyCommand, routesToTrace, storeChange } from "./history";

/** An editor state with CodeMirror's history, and the commands run on it as a view would. */
function editor(doc: string) {
  let state = EditorState.create({ doc, extensions: [history()] });
  const target = () => ({ state, dispatch: (tr: { state: EditorState }) => void (state = tr.state) });
  return {
    text: () => state.doc.toString(),
    apply: (spec: TransactionSpec) => void (state = state.update(spec).state),
    type: (at: number, insert: string) => void (state = state.update({ changes: { from: at, insert }, userEvent: "input.type" }).state),
    undo: () => undo(target()),
    redo: () => redo(target()),
    get state() {
      return state;
    },
  };
}

const TRACE = "g = alloc_page(guest)\na = alloc_skb(256)\nkfree_skb(a)\n";
const LINES = Int32Array.from([1, 2, 3]);

describe("one undo history for the editor and the operation form (issue 17.3)", () => {
  it("undoes the form's inserted line, then the typing before it, and redoes both in order", () => {
    const ed = editor(TRACE);
    // Typed at the start of line 3, where the form's line then goes: adjacent
    // changes within 500 ms, which CodeMirror would join into one undo step.
    ed.type(TRACE.indexOf("kfree"), "# mine\n");
    const typed = ed.text();
    const placed = insertAfterStep(typed, LINES, 2, 3, "b = skb_clone(a)");
    ed.apply(storeChange(ed.state, placed.source)!);
    expect(ed.text()).toBe("g = alloc_page(guest)\na = alloc_skb(256)\nb = skb_clone(a)\n# mine\nkfree_skb(a)\n");
    expect(ed.undo()).toBe(true);
    expect(ed.text()).toBe(typed);
    expect(ed.undo()).toBe(true);
    expect(ed.text()).toBe(TRACE);
    expect(ed.redo()).toBe(true);
    expect(ed.text()).toBe(typed);
    expect(ed.redo()).toBe(true);
    expect(ed.text()).toBe(placed.source);
  });

  it("two form inserts in a row, one right after the other's line, are two undo steps", () => {
    const ed = editor(TRACE);
    const one = insertAfterStep(TRACE, LINES, 2, 3, "b = skb_clone(a)").source;
    ed.apply(storeChange(ed.state, one)!);
    // Right after the line just inserted: adjacent changes CodeMirror would otherwise join.
    const two = insertAfterStep(one, Int32Array.from([1, 2, 3, 4]), 3, 4, "kfree_skb(b)").source;
    ed.apply(storeChange(ed.state, two)!);
    ed.undo();
    expect(ed.text()).toBe(one);
    ed.undo();
    expect(ed.text()).toBe(TRACE);
    expect(ed.undo()).toBe(false);
  });

  it("brings the store's text in as the smallest change, marked as the store's", () => {
    const ed = editor(TRACE);
    expect(storeChange(ed.state, TRACE)).toBeNull();
    const spec = storeChange(ed.state, TRACE.replace("256", "1024"))!;
    expect(spec.changes).toEqual({ from: TRACE.indexOf("256"), to: TRACE.indexOf("256") + 3, insert: "1024" });
    expect(ed.state.update(spec).annotation(fromStore)).toBe(true);
    expect(diffText("abc", "abc")).toBeNull();
    expect(diffText("abXc", "abc")).toEqual({ from: 2, to: 3, insert: "" });
  });

  it("reads Ctrl+Z as undo, Ctrl+Shift+Z and Ctrl+Y as redo (Cmd too), and nothing else", () => {
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
      historyCommand({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(key("z", { ctrlKey: true })).toBe("undo");
    expect(key("Z", { ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(key("y", { ctrlKey: true })).toBe("redo");
    expect(key("z", { metaKey: true })).toBe("undo");
    expect(key("z")).toBeNull();
    expect(key("z", { ctrlKey: true, altKey: true })).toBeNull();
    expect(key("x", { ctrlKey: true })).toBeNull();
  });

  it("leaves the key to the editor itself and to fields with typing of their own; a button or a menu passes it to the trace", () => {
    const el = (tagName: string, type?: string, inEditor = false) => ({
      tagName,
      type,
      closest: (sel: string) => (inEditor && sel === ".cm-editor" ? {} : null),
    });
    expect(routesToTrace(el("BUTTON"))).toBe(true);
    expect(routesToTrace(el("SELECT"))).toBe(true);
    expect(routesToTrace(el("BODY"))).toBe(true);
    expect(routesToTrace(el("INPUT", "checkbox"))).toBe(true);
    expect(routesToTrace(el("INPUT", "number"))).toBe(false);
    expect(routesToTrace(el("INPUT", "search"))).toBe(false);
    expect(routesToTrace(el("TEXTAREA"))).toBe(false);
    expect(routesToTrace(el("DIV", undefined, true))).toBe(false);
  });
});
