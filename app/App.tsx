/**
 * The main screen: toolbar; editor | graph | side panel; narration and time
 * travel under the graph; the lifetime chart at the bottom. Panels
 * collapse so the graph keeps at least half the width.
 */
import { useEffect, useState } from "react";
import { Banner } from "./components/Banner";
import { Help } from "./components/Help";
import { Inspector } from "./components/Inspector";
import { Narration } from "./components/Narration";
import { ObjectTable } from "./components/ObjectTable";
import { OpForm } from "./components/OpForm";
import { Timeline } from "./components/Timeline";
import { Toolbar } from "./components/Toolbar";
import { TraceEditor } from "./components/TraceEditor";
import { Verdicts } from "./components/Verdicts";
import { useMachines } from "./context";
import { GraphView } from "./graph/GraphView";
import { LifetimeChart } from "./graph/LifetimeChart";
import { select, setHelpOpen, useScope } from "./store";
import type { Machines } from "./machines";

const NO_FINDINGS: never[] = [];

export function App() {
  const machines = useMachines();
  const theme = useScope((s) => s.theme);
  const panels = useScope((s) => s.panels);
  const view = useScope((s) => s.view);
  const prev = useScope((s) => s.prev);
  const detail = useScope((s) => s.detail);
  const selection = useScope((s) => s.selection);
  const shownStep = useScope((s) => s.shownStep);
  const cursor = useScope((s) => s.cursor);
  const health = useScope((s) => s.health);
  const source = useScope((s) => s.source);
  const title = useScope((s) => s.title);
  const [tab, setTab] = useState<"inspect" | "objects">("inspect");
  const [fitToken, setFitToken] = useState(0);
  const reducedMotion = useReducedMotion();
  const socketColumn = /\bsock_create\s*\(/.test(source);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => setFitToken((t) => t + 1), [title, panels.editor, panels.side, panels.lifetimes]);
  useEffect(() => installKeys(machines), [machines]);

  return (
    <div className={`app${panels.editor ? "" : " no-editor"}${panels.side ? "" : " no-side"}${panels.lifetimes ? "" : " no-lifetimes"}`} data-shown-step={shownStep} data-cursor={cursor} data-health={health.state}>
      <Toolbar />
      <Banner />
      {panels.editor && <TraceEditor />}
      <main className="stage" aria-label="graph">
        <div className="graph-tools">
          <button type="button" onClick={() => setFitToken((t) => t + 1)} aria-label="fit the graph to the panel">
            fit
          </button>
          <span className="legend" aria-hidden="true">
            <span className="swatch guest">guest</span>
            <span className="swatch host">host</span>
            <span className="swatch kernel">kernel copy</span>
          </span>
        </div>
        <GraphView
          view={view}
          prev={prev}
          findings={detail?.findings ?? NO_FINDINGS}
          selection={selection}
          onSelect={select}
          socketColumn={socketColumn}
          fitToken={fitToken}
          reducedMotion={reducedMotion}
        />
        <Narration />
        <Timeline />
      </main>
      {panels.side && (
        <aside className="side" aria-label="details">
          <Verdicts />
          <div className="tabs" role="tablist" aria-label="details">
            <button type="button" role="tab" aria-selected={tab === "inspect"} onClick={() => setTab("inspect")}>
              inspect &amp; operate
            </button>
            <button type="button" role="tab" aria-selected={tab === "objects"} onClick={() => setTab("objects")}>
              objects (text)
            </button>
          </div>
          <div className="tab-body" role="tabpanel">
            {tab === "inspect" ? (
              <>
                <Inspector />
                <OpForm />
              </>
            ) : (
              <ObjectTable />
            )}
          </div>
        </aside>
      )}
      {panels.lifetimes && <Lifetimes />}
      <Help />
    </div>
  );
}

function Lifetimes() {
  const { playback } = useMachines();
  const lifetimes = useScope((s) => s.lifetimes);
  const stepCount = useScope((s) => s.stepCount);
  const columns = useScope((s) => s.columns);
  const findings = useScope((s) => s.findings);
  const cursor = useScope((s) => s.cursor);
  return (
    <section className="lifetimes-panel" aria-label="lifetime chart">
      <h2>lifetimes</h2>
      {lifetimes ? (
        <LifetimeChart rows={lifetimes.rows} omitted={lifetimes.omitted} stepCount={stepCount} columns={columns} findings={findings} cursor={cursor} onSeek={(step) => playback.send({ type: "SEEK", step })} />
      ) : (
        <p className="quiet">computing…</p>
      )}
    </section>
  );
}

function useReducedMotion(): boolean {
  const [reduced, setReduced] = useState(() => matchMedia("(prefers-reduced-motion: reduce)").matches);
  useEffect(() => {
    const mq = matchMedia("(prefers-reduced-motion: reduce)");
    const on = () => setReduced(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return reduced;
}

/** Keys: ←/→ step, space play/pause, Home/End, n next violation, / editor, ? help. */
function installKeys(machines: Machines): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement;
    const typing = t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT" || t.isContentEditable;
    if (typing) {
      if (e.key === "Escape") t.blur();
      return;
    }
    const onButton = t.tagName === "BUTTON";
    const send = machines.playback.send.bind(machines.playback);
    switch (e.key) {
      case "ArrowLeft":
        send({ type: "STEP", delta: -1 });
        break;
      case "ArrowRight":
        send({ type: "STEP", delta: 1 });
        break;
      case " ":
        if (onButton) return; // a focused button takes space itself
        send({ type: "TOGGLE" });
        break;
      case "Home":
        send({ type: "HOME" });
        break;
      case "End":
        send({ type: "END" });
        break;
      case "n":
        send({ type: "NEXT_VIOLATION" });
        break;
      case "/":
        document.getElementById("trace-editor")?.focus();
        break;
      case "?":
        setHelpOpen(true);
        break;
      default:
        return;
    }
    e.preventDefault();
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
