// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace editor column: CodeMirror (app/editor/CodeEditor, a lazy chunk
 * so the first screen does not wait for it), every diagnostic under it as
 * a list (parse, static and run-time errors, each a link to its
 * line:column), "runs up to line N" when the trace stops at a mistake, and
 * a drag handle on its right edge that resizes the column (remembered).
 */
import { lazy, Suspense, useMemo, useRef, type KeyboardEvent, type PointerEvent } from "react";
import { traceMarks, stoppedMessage } from "../editor/marks";
import { currentWidth, setEditorWidth } from "../editor/width";
import { useScope } from "../store";

const CodeEditor = lazy(() => import("../editor/CodeEditor"));

/** The list shows this many marks; the editor's gutter has them all. */
const LIST_MAX = 200;

export function TraceEditor() {
  const diagnostics = useScope((s) => s.diagnostics);
  const stepErrors = useScope((s) => s.stepErrors);
  const stoppedAt = useScope((s) => s.stoppedAt);
  const marks = useMemo(() => traceMarks(diagnostics, stepErrors), [diagnostics, stepErrors]);
  const host = useRef<HTMLDivElement>(null);
  const stopped = stoppedMessage(stoppedAt);
  const jump = (line: number, column: number) =>
    host.current?.querySelector(".cm-host")?.dispatchEvent(new CustomEvent("skbscope-jump", { detail: { line, column } }));

  return (
    <section className="editor" aria-label="trace editor">
      <div className="editor-frame" ref={host}>
        <Suspense fallback={<PlainView />}>
          <CodeEditor />
        </Suspense>
      </div>
      <div id="trace-diagnostics" className="diagnostics" role="status" aria-live="polite">
        {stopped && (
          <p className="stopped" data-testid="stopped">
            {stopped}
          </p>
        )}
        {marks.length === 0 ? (
          <span className="ok">no errors</span>
        ) : (
          <ul aria-label={`${marks.length} problems`}>
            {marks.slice(0, LIST_MAX).map((m, i) => (
              <li key={i} className={m.severity} data-testid="diagnostic" data-source={m.source}>
                <button type="button" className="link" onClick={() => jump(m.line, m.column)}>
                  {m.line}:{m.column}
                </button>{" "}
                {m.source === "parse" ? m.severity : m.source}: {m.message}
              </li>
            ))}
            {marks.length > LIST_MAX && <li>… {marks.length - LIST_MAX} more (marked in the editor)</li>}
          </ul>
        )}
      </div>
      <ResizeHandle />
    </section>
  );
}

/** The text as plain lines while the editor's chunk loads (the first screenful only). */
function PlainView() {
  const source = useScope((s) => s.source);
  const head = useMemo(() => source.split("\n", 80).join("\n"), [source]);
  return (
    <pre className="plain-view" aria-busy="true" aria-label="trace source (loading the editor)">
      {head}
    </pre>
  );
}

/** A vertical separator: drag it, or focus it and press ←/→ (20 px; Shift: 80 px). */
function ResizeHandle() {
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const startW = currentWidth();
    const move = (ev: globalThis.PointerEvent) => setEditorWidth(startW + ev.clientX - startX);
    const up = () => {
      el.removeEventListener("pointermove", move);
      el.removeEventListener("pointerup", up);
      window.dispatchEvent(new Event("resize"));
    };
    el.addEventListener("pointermove", move);
    el.addEventListener("pointerup", up);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 80 : 20;
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    e.stopPropagation();
    setEditorWidth(currentWidth() + (e.key === "ArrowRight" ? step : -step));
    window.dispatchEvent(new Event("resize"));
  };
  return (
    <div
      className="resize-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label="editor width (drag, or ← →)"
      tabIndex={0}
      data-testid="editor-resize"
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
