// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace editor proper: CodeMirror 6, loaded as a chunk of its own
 * (TraceEditor shows a plain view until it arrives). The store's text is
 * the truth: typing sends it to the machines (which re-run after a pause),
 * a text changed from the operation form is patched in as the smallest change (undo and
 * the scroll position survive an appended line); another trace opened gets
 * a state of its own.
 */
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, redo, undo } from "@codemirror/commands";
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  type DecorationSet,
} from "@codemirror/view";
import { useEffect, useRef } from "react";
import { useMachines } from "../context";
import { useScope, type ScopeData } from "../store";
import { completionAt, definedNames } from "./complete";
import { fitDefaultWidth } from "./width";
import { fromStore, historyCommand, routesToTrace, storeChange } from "./history";
import { markRange, traceMarks } from "./marks";
import { traceHighlighting } from "./traceLanguage";

/** The line of the step on screen (0: none). */
const setStepLine = StateEffect.define<number>();
/** A text this long has its step line followed after the frame on a load too (see sync). */
const LONG_TEXT_LINES = 20_000;
const stepLineMark = Decoration.line({ class: "cm-step-line", attributes: { "data-testid": "step-line" } });

const stepLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setStepLine)) continue;
      deco = e.value > 0 && e.value <= tr.state.doc.lines ? Decoration.set([stepLineMark.range(tr.state.doc.line(e.value).from)]) : Decoration.none;
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function completions(context: CompletionContext): CompletionResult | null {
  const { ops } = useScope.getState();
  const line = context.state.doc.lineAt(context.pos);
  const table = new Map(ops.map((o) => [o.fn, o]));
  const above = context.state.doc.iterLines(1, line.number);
  const at = completionAt(line.text, context.pos - line.from, ops, definedNames(iterate(above), table));
  if (!at) return null;
  const from = line.from + at.from;
  if (from === context.pos && !context.explicit) return null;
  return {
    from,
    options: at.options.map((o) => ({ label: o.label, type: o.type, detail: o.detail, info: o.info, apply: o.apply })),
    validFor: /^[A-Za-z_][A-Za-z0-9_]*$/,
  };
}

function* iterate(it: Iterator<string>): Generator<string> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "12.5px", backgroundColor: "var(--panel)", color: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "18px" },
  ".cm-gutters": { backgroundColor: "var(--panel-2)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  ".cm-step-line": { backgroundColor: "var(--accent-bg)", boxShadow: "inset 3px 0 0 var(--accent)" },
  ".cm-cursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": { backgroundColor: "var(--changed-bg) !important" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--text)", border: "1px solid var(--border)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent-bg)", color: "var(--text)" },
  ".cm-completionDetail": { fontFamily: "var(--mono)", color: "var(--muted)", fontStyle: "normal" },
});

/**
 * The default width shows 72 columns (and one to spare): the gutters to the
 * left of the text, the line's padding, a scrollbar and the border. Measured
 * again when the gutters change (a longer trace has wider line numbers).
 */
function fitColumns(view: EditorView): void {
  view.requestMeasure({
    key: "skbscope-fit-columns",
    read: (v) => v.contentDOM.getBoundingClientRect().left - v.dom.getBoundingClientRect().left,
    write: (left, v) => fitDefaultWidth(Math.ceil(v.defaultCharacterWidth * 73 + left + 8 + 16 + 2)),
  });
}

function extensions(onEdit: (text: string) => void): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    drawSelection(),
    history(),
    traceHighlighting,
    lintGutter(),
    stepLine,
    autocompletion({ override: [completions], icons: false }),
    keymap.of([...completionKeymap, ...lintKeymap, ...historyKeymap, ...defaultKeymap]),
    EditorView.contentAttributes.of({
      id: "trace-editor",
      "aria-label": "trace source",
      "aria-describedby": "trace-diagnostics",
      spellcheck: "false",
      autocapitalize: "off",
      autocorrect: "off",
    }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged && u.transactions.some((tr) => !tr.annotation(fromStore))) onEdit(u.state.doc.toString());
      if (u.geometryChanged) fitColumns(u.view);
    }),
    theme,
  ];
}

function stepLineOf(s: ScopeData): number {
  return s.cursor > 0 && s.cursor <= s.columns.lines.length ? s.columns.lines[s.cursor - 1] : 0;
}

function cmDiagnostics(view: EditorView, s: ScopeData): CmDiagnostic[] {
  const doc = view.state.doc;
  const out: CmDiagnostic[] = [];
  for (const m of traceMarks(s.diagnostics, s.stepErrors)) {
    const range = markRange(m, m.line >= 1 && m.line <= doc.lines ? doc.line(m.line) : null);
    if (range) out.push({ ...range, severity: m.severity, source: m.source, message: m.message });
  }
  return out;
}

export default function CodeEditor() {
  const machines = useMachines();
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // The text the view holds, as the store last knew it.
    let text = useScope.getState().source;
    const onEdit = (t: string) => {
      text = t;
      machines.edit(t);
    };
    const fresh = (doc: string) => EditorState.create({ doc, extensions: extensions(onEdit) });
    const view = new EditorView({ parent: host.current!, state: fresh(text) });
    // The cursor alone moved (a step, a drag of the scrubber): the step's
    // line is marked and scrolled to after the next frame, when the UI thread
    // is idle (within 200 ms), once for any number of moves, at the latest
    // cursor. Done at once, each input event of a drag paid for CodeMirror's
    // update and the layout it forces (~30 ms on a 1,000,000-line text)
    // before the graph could draw the step.
    let following = 0;
    let timer: ReturnType<typeof setTimeout> | number | undefined;
    const whenIdle = (task: () => void) => (typeof requestIdleCallback === "function" ? requestIdleCallback(task, { timeout: 200 }) : setTimeout(task));
    let shownLine = -1;
    const markStep = (line: number) => {
      shownLine = line;
      const effects: StateEffect<unknown>[] = [setStepLine.of(line)];
      if (line > 0 && line <= view.state.doc.lines) effects.push(EditorView.scrollIntoView(view.state.doc.line(line).from, { y: "nearest", yMargin: 40 }));
      view.dispatch({ effects });
    };
    const followStep = () => {
      if (following || timer !== undefined) return;
      following = requestAnimationFrame(() => {
        following = 0;
        timer = whenIdle(() => {
          timer = undefined;
          const line = stepLineOf(useScope.getState());
          if (line !== shownLine) markStep(line);
        });
      });
    };
    const sync = (s: ScopeData, before: ScopeData | null) => {
      const effects: StateEffect<unknown>[] = [];
      if (s.source !== text) {
        text = s.source;
        if (s.sourceOrigin === "open") {
          // Another trace: a state of its own (its own undo history; no 2 MB change to record and compare).
          view.setState(fresh(text));
          before = null;
        } else {
          // The user's trace changed from outside (the operation form): one undoable step of the editor's history.
          const change = storeChange(view.state, s.source);
          if (change) view.dispatch(change);
        }
      }
      const line = stepLineOf(s);
      if (!before || line !== stepLineOf(before) || s.sourceRev !== before.sourceRev) {
        const cursorOnly = before !== null && s.cursor !== before.cursor && s.sourceRev === before.sourceRev && s.columns === before.columns;
        // A load of a long text that lands the cursor elsewhere (its end, its first violation) also
        // marks and scrolls in a task of its own: CodeMirror's jump to line 1,000,000 took half of
        // the load's 70 ms task (issue 12: no main-thread task over 50 ms).
        const longJump = before !== null && s.cursor !== before.cursor && s.sourceRev === before.sourceRev && view.state.doc.lines > LONG_TEXT_LINES;
        if (cursorOnly || longJump) followStep();
        else {
          shownLine = line;
          effects.push(setStepLine.of(line));
          // Stepping brings the step's line into view; typing does not move the view.
          if (line > 0 && line <= view.state.doc.lines && (!before || s.cursor !== before.cursor))
            effects.push(EditorView.scrollIntoView(view.state.doc.line(line).from, { y: "nearest", yMargin: 40 }));
        }
      }
      if (effects.length) view.dispatch({ effects });
      if (!before || s.diagnostics !== before.diagnostics || s.stepErrors !== before.stepErrors)
        view.dispatch(setDiagnostics(view.state, cmDiagnostics(view, s)));
    };
    sync(useScope.getState(), null);
    // 72 columns of code, measured in this font, unless the user chose a width.
    fitColumns(view);
    const unsubscribe = useScope.subscribe((s, before) => sync(s, before));
    // For the diagnostics list: jump to a line:column.
    const jump = (e: Event) => {
      const { line, column } = (e as CustomEvent<{ line: number; column: number }>).detail;
      if (line < 1 || line > view.state.doc.lines) return;
      const l = view.state.doc.line(line);
      const pos = Math.min(l.to, l.from + column - 1);
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      view.focus();
    };
    host.current!.addEventListener("skbscope-jump", jump);
    // Ctrl+Z / Ctrl+Shift+Z outside the editor (after the form's "insert", say) undo and redo the trace too.
    const onKey = (e: KeyboardEvent) => {
      const command = historyCommand(e);
      if (!command || e.defaultPrevented || !routesToTrace(e.target as HTMLElement | null)) return;
      if (document.querySelector("dialog[open]")) return;
      e.preventDefault();
      (command === "undo" ? undo : redo)(view);
    };
    window.addEventListener("keydown", onKey);
    const el = host.current!;
    return () => {
      window.removeEventListener("keydown", onKey);
      el.removeEventListener("skbscope-jump", jump);
      unsubscribe();
      cancelAnimationFrame(following);
      if (typeof requestIdleCallback === "function" && typeof timer === "number") cancelIdleCallback(timer);
      else clearTimeout(timer);
      view.destroy();
    };
  }, [machines]);

  return <div className="cm-host" ref={host} data-testid="code-editor" />;
}
