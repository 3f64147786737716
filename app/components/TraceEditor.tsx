/**
 * The trace editor: a plain textarea under a line-number gutter and an
 * overlay marking the current step's line and parse errors (line:column).
 * Only the visible lines are drawn, so a 100,000-line trace stays cheap.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { useMachines } from "../context";
import { useScope } from "../store";

const LINE_H = 18;
/**
 * Above this size a <textarea> costs the main thread seconds of layout on
 * every load, so a trace this large is shown read-only, drawing only the
 * visible lines (edit such traces in a file and open them).
 */
export const LARGE_TRACE_CHARS = 200_000;

export function TraceEditor() {
  const machines = useMachines();
  const source = useScope((s) => s.source);
  const diagnostics = useScope((s) => s.diagnostics);
  const cursor = useScope((s) => s.cursor);
  const columns = useScope((s) => s.columns);
  const [scroll, setScroll] = useState({ top: 0, height: 400 });
  const area = useRef<HTMLTextAreaElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const lineCount = useMemo(() => countLines(source), [source]);
  const currentLine = cursor > 0 && cursor <= columns.lines.length ? columns.lines[cursor - 1] : 0;

  // Keep the current step's line in view while stepping.
  useEffect(() => {
    const el = area.current;
    if (!el || !currentLine) return;
    const y = (currentLine - 1) * LINE_H;
    if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - LINE_H * 2) el.scrollTop = Math.max(0, y - el.clientHeight / 3);
  }, [currentLine]);

  useEffect(() => {
    const el = body.current!;
    const observer = new ResizeObserver(() => setScroll((s) => ({ top: s.top, height: el.clientHeight })));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(1, Math.floor(scroll.top / LINE_H) + 1 - 2);
  const last = Math.min(lineCount, first + Math.ceil(scroll.height / LINE_H) + 4);
  const visible: number[] = [];
  for (let l = first; l <= last; l++) visible.push(l);
  const errorsByLine = useMemo(() => {
    const m = new Map<number, typeof diagnostics>();
    for (const d of diagnostics) m.set(d.line, [...(m.get(d.line) ?? []), d]);
    return m;
  }, [diagnostics]);

  return (
    <section className="editor" aria-label="trace editor">
      <div className="editor-frame">
        <div className="gutter" aria-hidden="true">
          <div style={{ transform: `translateY(${-scroll.top}px)`, height: lineCount * LINE_H + 8 }}>
            {visible.map((l) => (
              <div key={l} className={`gutter-line${l === currentLine ? " current" : ""}${errorsByLine.has(l) ? " error" : ""}`} style={{ top: (l - 1) * LINE_H + 4 }}>
                {errorsByLine.has(l) ? "⚠" : ""}
                {l}
              </div>
            ))}
          </div>
        </div>
        <div className="editor-body" ref={body}>
          <div className="overlay" aria-hidden="true" style={{ transform: `translateY(${-scroll.top}px)` }}>
            {currentLine > 0 && <div className="line-mark current" style={{ top: (currentLine - 1) * LINE_H + 4 }} />}
            {diagnostics
              .filter((d) => d.line >= first && d.line <= last)
              .map((d, i) => (
                <div
                  key={i}
                  className={`squiggle ${d.severity}`}
                  style={{ top: (d.line - 1) * LINE_H + 4 + LINE_H - 3, left: `calc(${d.column - 1}ch + 8px)`, width: `${Math.max(1, d.endColumn - d.column)}ch` }}
                />
              ))}
          </div>
          {source.length > LARGE_TRACE_CHARS ? (
            <LargeView source={source} first={first} last={last} lineCount={lineCount} onScroll={(top, height) => setScroll({ top, height })} />
          ) : (
          <textarea
            ref={area}
            id="trace-editor"
            aria-label="trace source"
            aria-invalid={diagnostics.some((d) => d.severity === "error")}
            aria-describedby="trace-diagnostics"
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            wrap="off"
            value={source}
            onChange={(e) => machines.edit(e.target.value)}
            onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
          />
          )}
        </div>
      </div>
      <div id="trace-diagnostics" className="diagnostics" role="status" aria-live="polite">
        {diagnostics.length === 0 ? (
          <span className="ok">no parse errors</span>
        ) : (
          <ul>
            {diagnostics.slice(0, 4).map((d, i) => (
              <li key={i} className={d.severity} data-testid="diagnostic">
                <button type="button" className="link" onClick={() => focusAt(area.current, source, d.line, d.column)}>
                  {d.line}:{d.column}
                </button>{" "}
                {d.severity}: {d.message}
                {d.expected ? ` (expected ${d.expected})` : ""}
              </li>
            ))}
            {diagnostics.length > 4 && <li>… {diagnostics.length - 4} more</li>}
          </ul>
        )}
      </div>
    </section>
  );
}

/** A read-only, virtualized view of a very large trace. */
function LargeView(props: { source: string; first: number; last: number; lineCount: number; onScroll: (top: number, height: number) => void }) {
  const lines = useMemo(() => props.source.split("\n"), [props.source]);
  return (
    <div
      className="large-view"
      tabIndex={0}
      role="textbox"
      aria-readonly="true"
      aria-label={`trace source, ${props.lineCount} lines, read-only because of its size`}
      onScroll={(e) => props.onScroll(e.currentTarget.scrollTop, e.currentTarget.clientHeight)}
    >
      <div style={{ height: props.lineCount * LINE_H + 8, position: "relative" }}>
        {lines.slice(props.first - 1, props.last).map((text, i) => (
          <div key={props.first + i} className="large-line" style={{ top: (props.first + i - 1) * LINE_H + 4 }}>
            {text}
          </div>
        ))}
      </div>
    </div>
  );
}

function countLines(s: string): number {
  let n = 1;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return s.endsWith("\n") ? n - 1 : n;
}

function focusAt(el: HTMLTextAreaElement | null, source: string, line: number, column: number): void {
  if (!el) return;
  let offset = 0;
  for (let l = 1; l < line; l++) offset = source.indexOf("\n", offset) + 1;
  el.focus();
  el.setSelectionRange(offset + column - 1, offset + column - 1);
}
