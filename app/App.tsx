// SPDX-License-Identifier: GPL-2.0-only
/**
 * The main screen: toolbar; editor | graph | side panel; narration and time
 * travel under the graph; the lifetime chart at the bottom. Panels
 * collapse so the graph keeps at least half the width.
 *
 * Two other layouts share the same parts: presentation mode (a slim bar,
 * the graph, the verdicts and what is pointed at beside it, large
 * captions) and embed mode for iframes (the graph, the step controls and
 * the narration only).
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { Banner } from "./components/Banner";
import { Gallery } from "./components/Gallery";
import { Help } from "./components/Help";
import { Inspector } from "./components/Inspector";
import { Narration } from "./components/Narration";
import { ObjectTable } from "./components/ObjectTable";
import { OpForm } from "./components/OpForm";
import { PointerInfo } from "./components/PointerInfo";
import { SearchDialog } from "./components/SearchDialog";
import { ShareDialog, linkUrl } from "./components/ShareDialog";
import { Timeline } from "./components/Timeline";
import { Toolbar } from "./components/Toolbar";
import { TraceEditor } from "./components/TraceEditor";
import { linesAround } from "./components/talk";
import { Verdicts } from "./components/Verdicts";
import { FixesPanel } from "./components/FixesPanel";
import { useMachines } from "./context";
import { Recent } from "./editor/Recent";
import { useLayoutWidth } from "./components/layout";
import { GraphView } from "./graph/GraphView";
import { isStackKey } from "./graph/stacks";
import { LifetimeChart } from "./graph/LifetimeChart";
import { splitFragment } from "./machines/urlSync";
import { openDialog, point, select, setHelpOpen, setTheme, useScope } from "./store";
import type { Machines } from "./machines";

const NO_FINDINGS: never[] = [];

export function App() {
  const machines = useMachines();
  const theme = useScope((s) => s.theme);
  const panels = useScope((s) => s.panels);
  const presenting = useScope((s) => s.presenting);
  const embed = useScope((s) => s.embed);
  const health = useScope((s) => s.health);
  // The step attributes change with every step: written by a store
  // subscription, not by rendering the whole app again (every panel
  // re-rendered on each input event of a scrubber drag).
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const write = (s: { cursor: number; shownStep: number }) => {
      root.current?.setAttribute("data-shown-step", String(s.shownStep));
      root.current?.setAttribute("data-cursor", String(s.cursor));
    };
    write(useScope.getState());
    return useScope.subscribe(write);
  }, []);
  // Fit a new trace once its first step is drawn: fitting as soon as its
  // title arrives would rescale the old drawing, and rescaling SVG text
  // lays all of it out again (a long task on a 300-object graph).
  const shownTitle = useScope((s) => s.shownTitle);
  const [fitToken, setFitToken] = useState(0);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => setFitToken((t) => t + 1), [shownTitle, panels.editor, panels.side, panels.lifetimes, presenting, embed]);
  useEffect(() => installKeys(machines), [machines]);
  // Full screen and window changes resize the graph's panel: fit it again.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onResize = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setFitToken((t) => t + 1), 120);
    };
    window.addEventListener("resize", onResize);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("resize", onResize);
    };
  }, []);

  const mode = embed ? "embed" : presenting ? "presenting" : "normal";
  // Presenting: the graph beside the trace's line and the narration, both large (the split view).
  const [split, setSplit] = useState(false);
  useEffect(() => setFitToken((t) => t + 1), [split]);
  const width = useLayoutWidth();
  const [tab, setTab] = useState<PanelTab>("editor");
  useEffect(() => setFitToken((t) => t + 1), [width, tab]);
  // Presentation and embed have layouts of their own; the panel classes are the normal layout's.
  const classes =
    mode !== "normal"
      ? `app ${mode}${mode === "presenting" && split ? " split" : ""}`
      : width !== "wide"
        ? `app ${width}`
        : ["app", panels.editor ? "" : "no-editor", panels.side ? "" : "no-side", panels.lifetimes ? "" : "no-lifetimes"].filter(Boolean).join(" ");
  const tabbed = mode === "normal" && width !== "wide";

  return (
    <div ref={root} className={classes} data-health={health.state} data-mode={mode}>
      {mode === "normal" && <Toolbar />}
      {mode === "presenting" && <PresentBar split={split} onSplit={() => setSplit((v) => !v)} />}
      <Banner />
      {mode === "normal" && !tabbed && panels.editor && <TraceEditor />}
      <Stage fitToken={fitToken} onFit={() => setFitToken((t) => t + 1)} mode={mode} />
      {mode === "normal" && !tabbed && panels.side && <SidePanel />}
      {tabbed && <PanelTabs tab={tab} setTab={setTab} withLifetimes={width === "narrow"} />}
      {mode === "presenting" && split && <PresentTalk />}
      {mode === "presenting" && <PresentSide />}
      {mode === "normal" && (width === "medium" || (width === "wide" && panels.lifetimes)) && <Lifetimes />}
      {mode !== "embed" && (
        <>
          <Help />
          <Gallery />
          <SearchDialog />
          <ShareDialog />
          <Recent />
        </>
      )}
    </div>
  );
}

/** The bar while presenting: the story's title, the split view, the theme, the way out. */
function PresentBar({ split, onSplit }: { split: boolean; onSplit: () => void }) {
  const machines = useMachines();
  const title = useScope((s) => s.title);
  const theme = useScope((s) => s.theme);
  return (
    <header className="present-bar">
      <h1 className="present-title">{title ?? "skbscope"}</h1>
      <button
        type="button"
        aria-pressed={split}
        onClick={onSplit}
        data-testid="present-split"
        title="the trace's line and the narration beside the graph, large"
      >
        split view
      </button>
      <button
        type="button"
        onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
        aria-label={`switch to the ${theme === "dark" ? "light" : "dark"} theme`}
      >
        {theme === "dark" ? "☀ light" : "☾ dark"}
      </button>
      <button
        type="button"
        onClick={() => machines.presentation.send({ type: "LEAVE" })}
        data-testid="leave-presentation"
        title="leave presentation mode (Esc)"
        aria-keyshortcuts="Escape"
      >
        leave
      </button>
    </header>
  );
}

function Stage({ fitToken, onFit, mode }: { fitToken: number; onFit: () => void; mode: "normal" | "presenting" | "embed" }) {
  const view = useScope((s) => s.view);
  const prev = useScope((s) => s.prev);
  const findings = useScope((s) => s.detail?.findings ?? NO_FINDINGS);
  const selection = useScope((s) => s.selection);
  const pointed = useScope((s) => s.pointed);
  const source = useScope((s) => s.source);
  const link = useScope((s) => s.link);
  const reducedMotion = useReducedMotion();
  // Once per text, not per step: Stage draws on every step, and a 100,000-step trace is ~2 MB.
  const socketColumn = useMemo(() => /\bsock_create\s*\(/.test(source), [source]);
  // Focus mode (and presentation mode) keep the selection lit with its holders, the rest faded;
  // elsewhere only the pointer and the keyboard focus light things up.
  const [focus, setFocus] = useState(false);
  const highlight = pointed ?? (mode === "presenting" || focus ? selection : null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [tidy, setTidy] = useState(0);
  // A different trace on screen (opened, not edited) starts a fresh layout: its
  // objects never take the rows of the old trace's same-named ones.
  const openRev = useScope((s) => s.shownOpenRev);
  const [expandedFor, setExpandedFor] = useState(openRev);
  if (expandedFor !== openRev) {
    setExpandedFor(openRev);
    setExpanded(new Set());
  }
  // A click on a clone stack opens it; on anything else, selects it.
  const onSelect = (key: string | null) => {
    if (isStackKey(key)) setExpanded((s) => new Set(s).add(key));
    else select(key);
  };

  return (
    <main className="stage" aria-label="graph">
      <div className="graph-tools">
        <button type="button" onClick={onFit} aria-label="fit the graph to the panel">
          fit
        </button>
        {mode === "normal" && (
          <button
            type="button"
            aria-pressed={focus}
            disabled={!selection && !focus}
            onClick={() => setFocus((f) => !f)}
            data-testid="focus-mode"
            title="focus: only the selected object, its holders and what it holds stay lit"
          >
            focus
          </button>
        )}
        {mode === "normal" && (
          <button
            type="button"
            onClick={() => setTidy((t) => t + 1)}
            data-testid="tidy"
            title="tidy: lay every object out afresh, each skb beside its Data, rows closed up (objects otherwise never move)"
          >
            tidy
          </button>
        )}
        {expanded.size > 0 && (
          <button type="button" onClick={() => setExpanded(new Set())} data-testid="restack" title="draw clones that share a Data as one stack again">
            stack clones
          </button>
        )}
        {mode === "normal" && <PointerInfo target={pointed} />}
        {mode === "embed" && (
          <a className="open-full" href={linkUrl(link?.fragment ?? splitFragment(location.hash).link)} target="_blank" rel="noopener noreferrer">
            open in skbscope ↗
          </a>
        )}
        <span className="legend" aria-hidden="true">
          <span className="swatch guest">guest</span>
          <span className="swatch host">host</span>
          <span className="swatch kernel">kernel copy</span>
          <span className="swatch ghost-swatch">freed this step</span>
        </span>
      </div>
      <GraphView
        key={openRev}
        view={view}
        prev={prev}
        findings={findings}
        selection={selection}
        onSelect={onSelect}
        expandedStacks={expanded}
        tidyToken={tidy}
        highlight={highlight}
        onPoint={point}
        socketColumn={socketColumn}
        fitToken={fitToken}
        reducedMotion={reducedMotion}
        maxScale={mode === "presenting" ? 3 : 1.5}
      />
      <Narration large={mode === "presenting"} />
      <Timeline />
    </main>
  );
}

type PanelTab = "editor" | "details" | "lifetimes";

/** Below 1200 px the editor and the details (and below 900 px the lifetimes) share one place, as tabs. */
function PanelTabs({ tab, setTab, withLifetimes }: { tab: PanelTab; setTab: (t: PanelTab) => void; withLifetimes: boolean }) {
  const tabs: [PanelTab, string][] = [
    ["editor", "trace"],
    ["details", "verdicts & inspect"],
    ...(withLifetimes ? [["lifetimes", "lifetimes"] as [PanelTab, string]] : []),
  ];
  const shown = !withLifetimes && tab === "lifetimes" ? "editor" : tab;
  return (
    <div className="panel-tabs">
      <div className="tabs" role="tablist" aria-label="panels">
        {tabs.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={shown === id} onClick={() => setTab(id)} data-testid={`panel-tab-${id}`}>
            {label}
          </button>
        ))}
      </div>
      {/* The editor and the details stay mounted (the editor keeps its undo history); only the tab shown is laid out. */}
      <div className="tab-pane" hidden={shown !== "editor"}>
        <TraceEditor />
      </div>
      <div className="tab-pane" hidden={shown !== "details"}>
        <SidePanel />
      </div>
      {shown === "lifetimes" && <Lifetimes />}
    </div>
  );
}

function SidePanel() {
  const [tab, setTab] = useState<"inspect" | "objects">("inspect");
  return (
    <aside className="side" aria-label="details">
      <Verdicts />
      <FixesPanel />
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
  );
}

/** Beside the graph while presenting: the verdicts, and what the presenter points at. */
/**
 * The split view's text side: the step's trace line (a line of context
 * each side) and the story's narration for the step, in large type.
 */
function PresentTalk() {
  const detail = useScope((s) => s.detail);
  const caption = useScope((s) => s.caption);
  const source = useScope((s) => s.source);
  const shownStep = useScope((s) => s.shownStep);
  const lines = useMemo(() => (detail && shownStep > 0 ? linesAround(source, detail.line) : []), [source, detail, shownStep]);
  return (
    <section className="present-talk" aria-label="the step in words" data-testid="present-talk">
      <ol className="talk-lines" aria-label="the trace at this step">
        {lines.map((l) => (
          <li key={l.line} className={l.current ? "current" : undefined} value={l.line} aria-current={l.current ? "step" : undefined}>
            <code>{l.text || " "}</code>
          </li>
        ))}
      </ol>
      {caption && (
        <p className="talk-caption" data-testid="talk-caption">
          {caption}
        </p>
      )}
      {detail?.error && (
        <p className="talk-error">
          <strong>{detail.error.kind}:</strong> {detail.error.message}
        </p>
      )}
      {detail?.findings.map((f, i) => (
        <p key={i} className="talk-finding">
          <strong>⚠ {f.kind}:</strong> {f.message}
        </p>
      ))}
    </section>
  );
}

function PresentSide() {
  const pointed = useScope((s) => s.pointed);
  const selection = useScope((s) => s.selection);
  const cursor = useScope((s) => s.cursor);
  const stepCount = useScope((s) => s.stepCount);
  return (
    <aside className="side present-side" aria-label="verdicts and pointer">
      <p className="present-step" data-testid="present-step">
        step {cursor} <span className="quiet">of {stepCount}</span>
      </p>
      <Verdicts />
      {/* Nothing addressed to the audience: the section shows only when the presenter points. */}
      {(pointed ?? selection) !== null && (
        <section className="pointing" aria-label="pointing at">
          <h2>pointing at</h2>
          <PointerInfo target={pointed ?? selection} />
        </section>
      )}
    </aside>
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
        <LifetimeChart
          rows={lifetimes.rows}
          omitted={lifetimes.omitted}
          stepCount={stepCount}
          columns={columns}
          findings={findings}
          cursor={cursor}
          onSeek={(step) => playback.send({ type: "SEEK", step })}
        />
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

/**
 * Keys: ←/→ step, space play/pause, Home/End, n next violation, / editor,
 * p presentation (Esc leaves), g gallery, f search, s share, ? help. Embedded, only
 * the step keys.
 */
function installKeys(machines: Machines): () => void {
  const onKey = (e: KeyboardEvent) => {
    // A key the focused widget used (the editor's completion list takes Escape, Enter, arrows).
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target as HTMLElement;
    // ←/→ on a focused menu step the trace (a closed <select> would change its value with them; ↑/↓ still do).
    if (t.tagName === "SELECT" && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
      e.preventDefault();
      machines.playback.send({ type: "STEP", delta: e.key === "ArrowLeft" ? -1 : 1 });
      return;
    }
    const typing = t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT" || t.isContentEditable;
    if (typing) {
      if (e.key === "Escape" && !t.closest("dialog")) t.blur();
      return;
    }
    // A modal dialog handles its own keys (Escape closes it).
    if (document.querySelector("dialog[open]")) return;
    const onButton = t.tagName === "BUTTON";
    const send = machines.playback.send.bind(machines.playback);
    const { embed, presenting } = useScope.getState();
    switch (e.key) {
      // A presentation clicker sends PageDown / PageUp (some send →/← or Space).
      case "ArrowLeft":
      case "PageUp":
        send({ type: "STEP", delta: -1 });
        break;
      case "ArrowRight":
      case "PageDown":
        send({ type: "STEP", delta: 1 });
        break;
      case " ":
        if (onButton && !presenting) return; // a focused button takes space itself
        // Presenting, Space is the clicker's "next"; elsewhere it plays and pauses.
        send(presenting ? { type: "STEP", delta: 1 } : { type: "TOGGLE" });
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
        if (embed || presenting) return;
        document.getElementById("trace-editor")?.focus();
        break;
      case "p":
        if (embed) return;
        machines.presentation.send({ type: "TOGGLE" });
        break;
      case "Escape":
        if (!presenting) return;
        machines.presentation.send({ type: "LEAVE" });
        break;
      case "g":
        if (embed) return;
        openDialog("gallery");
        break;
      case "s":
        if (embed) return;
        openDialog("share");
        break;
      case "f":
        if (embed) return;
        openDialog("search");
        break;
      case "?":
        if (embed) return;
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
