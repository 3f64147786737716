// SPDX-License-Identifier: GPL-2.0-only
import { useModal } from "./useModal";
/**
 * Sharing: the permalink (the address bar's, which follows the view) and
 * its `Link:` line; the plain-text email report at a chosen step; opening
 * text pasted from a mail; the graph as SVG or PNG; an iframe snippet for
 * embedding. All text is shown in form controls, never as markup.
 */
import { useEffect, useState } from "react";
import { useMachines } from "../context";
import { copyText, download, graphSvg, svgToPng } from "../share/exportImage";
import { openDialog, setEmail, setNotice, useScope, viewKey } from "../store";

/** The page's address without its fragment or query: what links are made against. */
export function baseUrl(): string {
  return `${location.origin}${location.pathname}`;
}

export function linkUrl(fragment: string): string {
  return `${baseUrl()}#${fragment}`;
}

export function embedUrl(fragment: string): string {
  return `${baseUrl()}?embed=1#${fragment}`;
}

export function ShareDialog() {
  const open = useScope((s) => s.dialog === "share");
  const ref = useModal(open);
  return (
    <dialog ref={ref} className="share" aria-labelledby="share-title" onClose={() => openDialog(null)} data-testid="share">
      <header className="dialog-head">
        <h2 id="share-title">Share this view</h2>
        <form method="dialog">
          <button type="submit" aria-label="close">
            close
          </button>
        </form>
      </header>
      {open && <ShareBody />}
    </dialog>
  );
}

function ShareBody() {
  const machines = useMachines();
  const link = useScope((s) => s.link);
  const key = useScope((s) => viewKey(s));
  const hasErrors = useScope((s) => s.diagnostics.some((d) => d.severity === "error"));
  const cursor = useScope((s) => s.cursor);
  const stepCount = useScope((s) => s.stepCount);
  const sourceRev = useScope((s) => s.sourceRev);
  const loaded = useScope((s) => s.loaded);
  const email = useScope((s) => s.email);
  const [step, setStep] = useState(cursor);
  const [status, setStatus] = useState("");
  const current = link && link.key === key ? link : null;
  const url = current?.fragment ? linkUrl(current.fragment) : null;

  // A report made for another view is not shown while this one is made.
  useEffect(() => setEmail(null), []);
  // The email text for the chosen step, made again when the trace changes.
  useEffect(() => {
    machines.email(Math.max(0, Math.min(stepCount, step)), baseUrl());
  }, [machines, step, stepCount, sourceRev, loaded]);

  const copy = async (what: string, text: string) =>
    setStatus((await copyText(text)) ? `${what} copied` : `${what}: copying was refused; select the text and copy it`);

  return (
    <div className="share-body">
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <section aria-labelledby="share-link">
        <h3 id="share-link">Permalink</h3>
        <p className="quiet">The address bar always holds this link: trace, policy, kernel, step and selection.</p>
        {url ? (
          <>
            <div className="copy-row">
              <input readOnly value={url} aria-label="permalink" data-testid="permalink" onFocus={(e) => e.currentTarget.select()} />
              <button type="button" onClick={() => copy("link", url)}>
                copy link
              </button>
            </div>
            <div className="copy-row">
              <input readOnly value={`Link: ${url}`} aria-label="Link: line" data-testid="link-line" onFocus={(e) => e.currentTarget.select()} />
              <button type="button" onClick={() => copy("Link: line", `Link: ${url}`)}>
                copy Link: line
              </button>
            </div>
            <p className="quiet">{url.length} characters.</p>
            {current!.notes.map((n) => (
              <p key={n} className="note-line">
                {n}
              </p>
            ))}
          </>
        ) : (
          <p className="note-line" data-testid="no-link">
            {hasErrors
              ? "The trace has errors; the address bar keeps the link of the last trace that parsed. Fix the errors for a link to this one."
              : current?.problem
                ? `No link for this trace: ${current.problem}. Share it as text instead.`
                : "Making the link…"}
          </p>
        )}
      </section>

      <section aria-labelledby="share-email">
        <h3 id="share-email">Plain-text email</h3>
        <div className="copy-row">
          <label>
            <span>drawing at step</span>{" "}
            <input
              type="number"
              min={0}
              max={stepCount}
              value={step}
              onChange={(e) => setStep(Math.max(0, Math.min(stepCount, Number(e.target.value) || 0)))}
              data-testid="email-step"
            />
            <span className="quiet"> of {stepCount}</span>
          </label>
          <button type="button" disabled={!email?.text} onClick={() => email && copy("email text", email.text)}>
            copy email text
          </button>
        </div>
        <textarea
          readOnly
          className="mono"
          rows={12}
          value={email?.text ?? "Making the report…"}
          aria-label="email text"
          data-testid="email-text"
          spellCheck={false}
        />
        {email?.warnings.map((w) => (
          <p key={w} className="note-line">
            {w}
          </p>
        ))}
      </section>

      <ImportSection />

      <section aria-labelledby="share-images">
        <h3 id="share-images">Images and embedding</h3>
        <div className="copy-row">
          <button type="button" onClick={() => exportImage("svg", cursor).then(setStatus)} data-testid="export-svg">
            download SVG
          </button>
          <button type="button" onClick={() => exportImage("png", cursor).then(setStatus)} data-testid="export-png">
            download PNG
          </button>
          <span className="quiet">the graph at step {cursor}, as drawn</span>
        </div>
        {current?.fragment && (
          <div className="copy-row">
            <input
              readOnly
              value={iframeSnippet(current.fragment)}
              aria-label="iframe snippet"
              data-testid="embed-snippet"
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" onClick={() => copy("iframe snippet", iframeSnippet(current.fragment!))}>
              copy iframe
            </button>
          </div>
        )}
      </section>
      <p className="share-status" aria-hidden="true">
        {status}
      </p>
    </div>
  );
}

/** Paste a mail (quoted or not), a report, bare trace lines or a link; the trace opens in the main screen. */
function ImportSection() {
  const machines = useMachines();
  const opening = useScope((s) => s.opening);
  const notice = useScope((s) => s.notice);
  const [text, setText] = useState("");
  const [waiting, setWaiting] = useState(false);

  useEffect(() => {
    if (!waiting || opening) return;
    setWaiting(false);
    if (useScope.getState().notice?.kind !== "error") openDialog(null);
  }, [waiting, opening]);

  return (
    <section aria-labelledby="share-import">
      <h3 id="share-import">Open pasted text</h3>
      <textarea
        className="mono"
        rows={5}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={"Paste a report, trace lines (quoted with > or not) or a link"}
        aria-label="text to open"
        data-testid="import-text"
        spellCheck={false}
      />
      <div className="copy-row">
        <button
          type="button"
          disabled={text.trim() === "" || opening}
          onClick={() => {
            setNotice(null);
            setWaiting(true);
            machines.openText(text, "paste");
          }}
          data-testid="import-open"
        >
          open it
        </button>
        {notice?.kind === "error" && (
          <p className="error-text" role="alert" data-testid="import-error">
            {notice.text}
          </p>
        )}
      </div>
    </section>
  );
}

function iframeSnippet(fragment: string): string {
  return `<iframe src="${embedUrl(fragment)}" width="960" height="540" title="skbscope" style="border:0"></iframe>`;
}

async function exportImage(kind: "svg" | "png", step: number): Promise<string> {
  const svg = document.querySelector<SVGSVGElement>("svg.graph");
  if (!svg) return "there is no graph to export";
  try {
    const out = graphSvg(svg);
    const name = `skbscope-step-${step}.${kind}`;
    if (kind === "svg") download(new Blob([out.text], { type: "image/svg+xml" }), name);
    else download(await svgToPng(out), name);
    return `${name} downloaded`;
  } catch (e) {
    return `the ${kind.toUpperCase()} could not be made: ${e instanceof Error ? e.message : String(e)}`;
  }
}
