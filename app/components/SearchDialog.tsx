// SPDX-License-Identifier: GPL-2.0-only
import { useModal } from "./useModal";
/**
 * The counterexample search (f): choose a policy, a kernel, a start state,
 * a depth, a state budget and the finding kinds; the search machine runs
 * it in workers, one per core. Progress shows the depth, the states seen
 * and states/s; the results list the shortest trace per finding kind, and
 * per operation the shortest trace through it, each with its finding in
 * one sentence; "open" puts one on the main screen at its violating step.
 *
 * The settings are this dialog's own draft (kept while it is closed); the
 * search's data is the store's; whether it runs is the machine's.
 */
import { useEffect, useId, useState } from "react";
import { useSelector } from "@xstate/react";
import { policyAbsence, policyKernels } from "../../core/model/policies";
import { KERNELS, type KernelId, type PolicyId } from "../../core/model/types";
import type { FindingKind } from "../../core/index";
import { useMachines } from "../context";
import { PolicyOptions } from "./PolicyOptions";
import {
  MAX_SEARCH_DEPTH,
  MAX_SEARCH_STATES,
  SEARCH_DEFAULT_DEPTH,
  SEARCH_DEFAULT_PREFIX_TEXT,
  SEARCH_DEFAULT_STATES,
  SEARCH_KINDS,
  searchPolicyApplies,
} from "../machines/search";
import { openDialog, useScope, type SearchFound, type SearchPhase, type SearchProgress, type SearchRequest } from "../store";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const plural = (n: number, word: string) => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;
const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);

interface Draft {
  policy: PolicyId;
  kernel: KernelId;
  from: "default" | "trace";
  depth: number;
  budget: string;
  kinds: readonly FindingKind[];
  through: boolean;
  stopWhenFound: boolean;
}

export function SearchDialog() {
  const open = useScope((s) => s.dialog === "search");
  const ref = useModal(open, (d) => d.querySelector<HTMLButtonElement>("[data-role=run]")?.focus());
  return (
    <dialog ref={ref} className="search" aria-labelledby="search-title" onClose={() => openDialog(null)} data-testid="search">
      <header className="dialog-head">
        <h2 id="search-title">Find counterexamples</h2>
        <form method="dialog">
          <button type="submit" aria-label="close the search">
            close
          </button>
        </form>
      </header>
      <SearchBody open={open} />
    </dialog>
  );
}

function SearchBody({ open }: { open: boolean }) {
  const machines = useMachines();
  const status = useSelector(machines.search, (s) => s.value);
  const running = status === "running";
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const cursor = useScope((s) => s.cursor);
  const source = useScope((s) => s.source);
  const traceBroken = useScope((s) => s.diagnostics.some((d) => d.severity === "error"));
  const [draft, setDraft] = useState<Draft>({
    policy,
    kernel,
    from: "default",
    depth: SEARCH_DEFAULT_DEPTH,
    budget: String(SEARCH_DEFAULT_STATES),
    kinds: SEARCH_KINDS,
    through: true,
    stopWhenFound: false,
  });
  const [touched, setTouched] = useState(false);
  const set = (patch: Partial<Draft>) => {
    setTouched(true);
    setDraft((d) => ({ ...d, ...patch }));
  };
  // Until the user picks otherwise, the search is about the trace on screen's policy and kernel.
  useEffect(() => {
    if (open && !touched) setDraft((d) => ({ ...d, policy, kernel }));
  }, [open, touched, policy, kernel]);

  const budget = Number(draft.budget);
  const request: SearchRequest = {
    policy: draft.policy,
    kernel: draft.kernel,
    start: draft.from === "trace" ? { from: "trace", source, step: cursor } : { from: "default" },
    maxDepth: draft.depth,
    maxStates: budget,
    kinds: draft.kinds.length === SEARCH_KINDS.length ? null : draft.kinds,
    through: draft.through,
    stopWhenFound: draft.stopWhenFound,
  };
  const applies = searchPolicyApplies(draft.policy, draft.kernel);
  const fromTraceBroken = draft.from === "trace" && traceBroken;
  const canStart = useSelector(machines.search, (s) => s.can({ type: "START", request })) && applies && !fromTraceBroken;
  const ids = useId();

  const run = () => {
    if (running) machines.search.send({ type: "CANCEL" });
    else if (canStart) machines.search.send({ type: "START", request });
  };

  return (
    <div className="search-body">
      <form
        className="search-form"
        aria-label="search settings"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) run();
        }}
      >
        <fieldset disabled={running}>
          <legend className="visually-hidden">what to search</legend>
          <div className="search-row">
            <label>
              <span>policy</span>
              <select value={draft.policy} onChange={(e) => set({ policy: e.target.value as PolicyId })} data-testid="search-policy">
                <PolicyOptions />
              </select>
            </label>
            <label>
              <span>kernel</span>
              <select value={draft.kernel} onChange={(e) => set({ kernel: e.target.value as KernelId })} data-testid="search-kernel">
                {KERNELS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {!applies && (
            <p className="error-text" data-testid="search-not-applicable">
              {draft.policy} {policyAbsence(draft.policy, draft.kernel)}: choose kernel {policyKernels(draft.policy)}.
            </p>
          )}
          <div className="search-row">
            <label>
              <span>depth</span>
              <select value={draft.depth} onChange={(e) => set({ depth: Number(e.target.value) })} data-testid="search-depth" aria-describedby={`${ids}-depth`}>
                {Array.from({ length: MAX_SEARCH_DEPTH }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span>state budget</span>
              <input
                type="number"
                min={1}
                max={MAX_SEARCH_STATES}
                step={1000}
                value={draft.budget}
                onChange={(e) => set({ budget: e.target.value })}
                data-testid="search-budget"
                title={`distinct states each search may keep, at most ${fmt(MAX_SEARCH_STATES)} (about 25 bytes each: a 64-bit fingerprint and the path)`}
                aria-invalid={!(Number.isInteger(budget) && budget >= 1 && budget <= MAX_SEARCH_STATES)}
              />
            </label>
          </div>
          <p className="hint" id={`${ids}-depth`}>
            Steps after the start: depths 3 and 4 take seconds, depth 5 a minute or two, depth 6 half an hour or more (on two cores), or they stop at the state
            budget.
          </p>

          <fieldset className="search-start">
            <legend>start from</legend>
            <label>
              <input
                type="radio"
                name={`${ids}-from`}
                checked={draft.from === "default"}
                onChange={() => set({ from: "default" })}
                data-testid="search-from-default"
              />
              <span>
                one skb carrying one armed guest page{" "}
                <code className="prefix" title={SEARCH_DEFAULT_PREFIX_TEXT}>
                  {SEARCH_DEFAULT_PREFIX_TEXT.trim().split("\n").join("; ")}
                </code>
              </span>
            </label>
            <label>
              <input
                type="radio"
                name={`${ids}-from`}
                checked={draft.from === "trace"}
                onChange={() => set({ from: "trace" })}
                data-testid="search-from-trace"
              />
              <span>
                the trace on screen up to step {cursor} <span className="quiet">(its first {plural(cursor, "operation")})</span>
              </span>
            </label>
            {fromTraceBroken && <p className="error-text">The trace on screen has errors: fix them first.</p>}
          </fieldset>

          <fieldset className="search-kinds">
            <legend>finding kinds</legend>
            <div className="kind-grid">
              {SEARCH_KINDS.map((k) => (
                <label key={k}>
                  <input
                    type="checkbox"
                    checked={draft.kinds.includes(k)}
                    onChange={(e) =>
                      set({ kinds: e.target.checked ? SEARCH_KINDS.filter((x) => x === k || draft.kinds.includes(x)) : draft.kinds.filter((x) => x !== k) })
                    }
                    data-testid={`search-kind-${k}`}
                  />
                  <span>{k}</span>
                </label>
              ))}
            </div>
            {draft.kinds.length === 0 && <p className="error-text">Tick at least one kind.</p>}
          </fieldset>

          <label className="check-row">
            <input type="checkbox" checked={draft.through} onChange={(e) => set({ through: e.target.checked })} data-testid="search-through" />
            <span>also the shortest trace through each operation (pskb_copy, skb_split, pskb_expand_head, skb_splice_bits …)</span>
          </label>
          <label className="check-row">
            <input type="checkbox" checked={draft.stopWhenFound} onChange={(e) => set({ stopWhenFound: e.target.checked })} data-testid="search-stop-found" />
            <span>stop each search once every ticked kind has a counterexample</span>
          </label>
        </fieldset>
        <div className="search-actions">
          {/* One button, so that the focus stays on it from start to cancel and back. */}
          <button
            type="button"
            className="primary"
            data-role="run"
            data-testid={running ? "search-cancel" : "search-start"}
            onClick={run}
            disabled={!running && !canStart}
          >
            {running ? "cancel" : "start search"}
          </button>
          <WorkersNote />
        </div>
      </form>
      <SearchStatus />
      <SearchResults />
    </div>
  );
}

function WorkersNote() {
  const workers = useSelector(useMachines().search, (s) => s.context.workers);
  return (
    <span className="quiet" title="one per core the browser reports">
      {plural(workers, "worker")}
    </span>
  );
}

function Intro() {
  return (
    <section className="search-status search-intro" aria-label="about the search">
      <p>
        The search tries every sequence of up to <em>depth</em> kernel operations (clone, pskb_copy, skb_split, pskb_expand_head, splice, frees, delivery …)
        from the start state, with every argument that can make a difference, and lists the shortest trace for each kind of finding: a completion that comes too
        early, twice, late or never, and any use-after-free or refcount underflow on the way.
      </p>
      <p>
        States that differ only in names count once. It runs in background workers: close this panel and keep working; the <strong>search…</strong> button shows
        it is running. <strong>open</strong> puts a counterexample on the main screen at its violating step, ready to step through and share.
      </p>
    </section>
  );
}

/** Overall share of the job done: the search over every operation is half of it when the per-operation ones follow. */
function fraction(p: SearchProgress): number {
  // Levels done, plus the share of the current level's nodes expanded.
  const within = p.levelSize > 0 ? Math.min(1, p.levelDone / p.levelSize) : 0;
  const level = Math.max(0, Math.min(1, (p.depth - 1 + within) / p.maxDepth));
  if (p.phases === 1) return level;
  if (p.phase === 0) return level / 2;
  return 0.5 + ((p.phase - 1 + level) / (p.phases - 1)) * 0.5;
}

function SearchStatus() {
  const { search } = useMachines();
  const status = useSelector(search, (s) => s.value);
  const data = useScope((s) => s.search);
  const { progress, summary, error, workers, request } = data;
  if (status === "idle") return <Intro />;
  const done = status === "done";
  const doing = progress ? (progress.op === null ? "every operation" : `through ${progress.op}`) : "starting the workers";
  const value = done ? 1 : progress ? fraction(progress) : 0;
  return (
    <section
      className="search-status"
      aria-label="search progress"
      data-testid="search-progress"
      data-state={status}
      data-states={progress?.totalStates ?? 0}
      data-depth={progress?.depth ?? 0}
    >
      <progress
        max={1}
        value={value}
        aria-label="search progress"
        aria-valuetext={progress ? `${doing}, depth ${progress.depth} of ${progress.maxDepth}` : doing}
      />
      {status === "running" && (
        <p className="mono-line">
          {progress && progress.phases > 1 && (
            <span className="quiet">
              search {progress.phase + 1} of {progress.phases}:{" "}
            </span>
          )}
          <strong>{doing}</strong>
          {progress && (
            <>
              {" "}
              · depth {progress.depth} of {progress.maxDepth}
              {progress.levelSize > 0 && (
                <span data-testid="search-level">
                  {" "}
                  ({Math.floor((100 * progress.levelDone) / progress.levelSize)}% of {fmt(progress.levelSize)} nodes)
                </span>
              )}{" "}
              · <span data-testid="search-states">{plural(progress.totalStates, "state")}</span> · {fmt(progress.statesPerSecond)} states/s ·{" "}
              {secs(progress.elapsedMs)}
            </>
          )}
        </p>
      )}
      {done && summary && (
        <p className="mono-line">
          done in {secs(summary.elapsedMs)}: {plural(summary.totalStates, "state")}, {fmt(summary.statesPerSecond)} states/s on {plural(workers, "worker")}
        </p>
      )}
      {status === "cancelled" && (
        <p className="mono-line">
          cancelled
          {progress
            ? ` at depth ${progress.depth} of ${progress.maxDepth}${progress.phases > 1 ? ` of search ${progress.phase + 1} of ${progress.phases}` : ""}, after ${plural(progress.totalStates, "state")} in ${secs(progress.elapsedMs)}`
            : ""}
          ; its workers are stopped.
        </p>
      )}
      {status === "failed" && (
        <p className="error-text" role="alert" data-testid="search-error">
          The search failed: {error}
        </p>
      )}
      <p className="visually-hidden" role="status">
        {done && summary ? `Search done: ${countFound(data.phases)} found.` : status === "cancelled" ? "Search cancelled." : ""}
      </p>
      {request && request.start.from === "trace" && <p className="hint">from the trace on screen up to step {request.start.step}</p>}
    </section>
  );
}

function countFound(phases: readonly SearchPhase[]): string {
  const n = phases.reduce((sum, p) => sum + p.found.length, 0);
  return n === 0 ? "no counterexample" : plural(n, "counterexample");
}

/** How far a search looked, in words. */
function bound(p: SearchPhase): string {
  if (p.implied) return `not searched: the whole search judged every path of up to ${plural(p.depth, "step")} and found nothing, so none uses it`;
  if (p.settled) return settledText(p, p.settled);
  if (p.exhausted) return `every reachable state seen (${plural(p.states, "state")})`;
  if (p.stoppedBy === "budget") return `state budget reached at ${plural(p.states, "state")}: every path of up to ${plural(p.depth, "step")} judged`;
  if (p.stoppedBy === "found") return `stopped at the first of each kind (${plural(p.states, "state")})`;
  const leaves = p.leaves ? `, ${plural(p.leaves, "step")} judged at step ${p.depth}` : "";
  return `every path of up to ${plural(p.depth, "step")} judged (${plural(p.states, "distinct state")}${leaves ? ` of up to ${plural(Math.max(0, p.depth - 1), "step")}${leaves}` : ""})`;
}

/** A per-operation search the whole search settled in part (core/search throughShortcut), as the CLI words it. */
function settledText(p: SearchPhase, s: NonNullable<SearchPhase["settled"]>): string {
  if (s.neverApplied) return `not searched: the whole search took it on no path of up to ${plural(p.maxDepth, "step")}`;
  const parts = [`kinds the whole search did not find in ${plural(p.maxDepth, "step")} are absent here too`];
  if (s.implied.length) parts.push(`${s.implied.join(", ")} taken from its counterexample, which uses it`);
  parts.push(s.searched.length ? `only ${s.searched.join(", ")} searched for (${plural(p.states, "state")})` : "nothing searched again");
  return parts.join("; ");
}

function SearchResults() {
  const status = useSelector(useMachines().search, (s) => s.value);
  const phases = useScope((s) => s.search.phases);
  const request = useScope((s) => s.search.request);
  if (!request || status === "idle") return null;
  if (phases.length === 0) {
    if (status === "failed") return null;
    return (
      <section className="search-results" aria-label="counterexamples">
        <p className="none">
          {status === "cancelled"
            ? "Cancelled before the first search finished: nothing to show."
            : `Results appear as each search finishes: first the one over every operation${request.through ? ", then one through each operation" : ""}.`}
        </p>
      </section>
    );
  }
  const [main, ...through] = phases;
  const withFinds = through.filter((p) => p.found.length > 0);
  // "None that needs it" only where the search reached the bound; one the
  // state budget (or a stop) cut short says how far it got instead.
  const without = through.filter((p) => p.found.length === 0 && p.reachedBound);
  const short = through.filter((p) => p.found.length === 0 && !p.reachedBound);
  return (
    <section className="search-results" aria-label="counterexamples" data-testid="search-results">
      <h3>
        Shortest per finding kind{" "}
        <span className="quiet">
          every operation · {request.policy} on {request.kernel}
        </span>
      </h3>
      <p className="hint">{bound(main)}</p>
      {main.found.length === 0 ? (
        <p className="none" data-testid="search-none">
          none up to depth {main.depth} ({plural(main.states, "state")})
        </p>
      ) : null}
      {main.proof && (
        <p className="hint proof" data-testid="search-proof">
          {main.proof}
        </p>
      )}
      {main.found.length > 0 && (
        <ul className="found-list">
          {main.found.map((f) => (
            <FoundRow key={f.kind} found={f} op={null} />
          ))}
        </ul>
      )}
      <Internal phase={main} />
      {request.through && through.length > 0 && (
        <>
          <h3>
            Through each operation <span className="quiet">with the whole menu beside it</span>
          </h3>
          <ul className="found-list">{withFinds.flatMap((p) => p.found.map((f) => <FoundRow key={`${p.op}:${f.kind}`} found={f} op={p.op} />))}</ul>
          {without.length > 0 && (
            <p className="none" data-testid="search-none-through">
              none that needs it up to depth {request.maxDepth}:{" "}
              {without.map((p, i) => (
                <span key={p.op} title={`${bound(p)}${p.alsoWithout.length ? `; ${p.alsoWithout.join(", ")} also without it` : ""}`}>
                  {i > 0 && ", "}
                  <code>{p.op}</code>
                </span>
              ))}
            </p>
          )}
          {short.length > 0 && (
            <p className="none" data-testid="search-short-through">
              stopped before depth {request.maxDepth}, nothing found so far:{" "}
              {short.map((p, i) => (
                <span key={p.op} title={bound(p)}>
                  {i > 0 && ", "}
                  <code>{p.op}</code> ({p.depth === 0 ? "not searched" : `up to ${plural(p.depth, "step")}`})
                </span>
              ))}
            </p>
          )}
          {through.map((p) => (
            <Internal key={p.op} phase={p} />
          ))}
        </>
      )}
    </section>
  );
}

function Internal({ phase }: { phase: SearchPhase }) {
  if (phase.internal === 0) return null;
  return (
    <p className="error-text">
      The engine failed {plural(phase.internal, "time")} in this search (an engine bug): {phase.internalFirst}
    </p>
  );
}

function FoundRow({ found, op }: { found: SearchFound; op: string | null }) {
  const machines = useMachines();
  const what = `${found.kind}${op ? ` through ${op}` : ""}`;
  return (
    <li className="found" data-kind={found.kind} data-op={op ?? ""} data-testid="found">
      <div className="found-head">
        {op && <code className="found-op">{op}</code>}
        <span className="found-kind">{found.kind}</span>
        <span className="found-length">{found.length === 0 ? "the start itself" : plural(found.length, "step")}</span>
        <code className="found-ops">{found.ops.join("; ")}</code>
      </div>
      <p className="found-finding">
        {found.finding.message}
        {!found.verified && <strong className="error-text"> (not reproduced by a replay: a search bug)</strong>}
      </p>
      <button
        type="button"
        className="found-open"
        onClick={() => {
          machines.openFound(found);
          openDialog(null);
        }}
        aria-label={`open the ${what} trace at step ${found.finding.step}`}
        data-testid="open-found"
      >
        open
      </button>
    </li>
  );
}
