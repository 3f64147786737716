// SPDX-License-Identifier: GPL-2.0-only
/**
 * Apply an operation to the selected object. The form offers only the
 * operations that take an object of its kind (type to filter them), and
 * for each argument only existing names of the right kind, with defaults
 * the kernel accepts. The worker prints the line (printOp) and tries it
 * on the state of the step on screen (a dry run) before it goes in after
 * that step: a line the kernel would refuse is shown as such and goes in
 * only if the user insists.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { OP_GROUPS } from "../../core/model/opGroups";
import { useMachines } from "../context";
import { candidates, defaultArgs, draftOf, dryRunKey, filterOps, loadOpDefaults, opDefaultsLoaded, opsFor, targetOf, type ArgValue } from "../ops";
import { useScope, type DryRunState } from "../store";
import type { DryRunLater, FreshNames, LaterStep, OpInfo } from "../worker/protocol";

/** A pause in changing the form's fields before its draft is tried. */
const TRY_DEBOUNCE_MS = 150;

export function OpForm() {
  const ops = useScope((s) => s.ops);
  const view = useScope((s) => s.view);
  const kernel = useScope((s) => s.kernel);
  const selection = useScope((s) => s.selection);
  const fresh = useScope((s) => s.fresh);
  const cursor = useScope((s) => s.cursor);
  const stepCount = useScope((s) => s.stepCount);
  const cands = useMemo(() => candidates(view), [view]);
  const target = useMemo(() => targetOf(selection, view), [selection, view]);
  const offered = useMemo(() => opsFor(target, ops, kernel, cands, view), [target, ops, kernel, cands, view]);
  const [fn, setFn] = useState<string>("");
  const [query, setQuery] = useState("");
  const shown = useMemo(() => filterOps(offered, query), [offered, query]);
  // The ops' form defaults live in their specs, with the engine: a chunk of
  // its own, fetched when the form first shows (the main bundle has no engine).
  const [defaultsReady, setDefaultsReady] = useState(opDefaultsLoaded());
  useEffect(() => {
    if (!defaultsReady) void loadOpDefaults().then(() => setDefaultsReady(true));
  }, [defaultsReady]);
  const op = shown.find((o) => o.fn === fn) ?? shown[0] ?? null;

  if (!offered.length)
    return (
      <section className="opform">
        <h2>operate</h2>
        <p className="quiet">No operation applies here.</p>
      </section>
    );
  // A new operation or selection remounts the fields with fresh defaults.
  const fieldsKey = op && `${op.fn}|${target?.kind ?? ""}:${target?.name ?? ""}|${defaultsReady}`;
  return (
    <section className="opform" aria-label="apply an operation">
      <h2>operate {target ? <span className="quiet">on {target.name}</span> : <span className="quiet">(nothing selected: create)</span>}</h2>
      <label className="field-row">
        <span>filter</span>
        <input
          type="search"
          value={query}
          placeholder={`${offered.length} operations: type to filter`}
          aria-label="filter operations"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="op-filter"
        />
      </label>
      {!op && (
        <p className="quiet" data-testid="op-none">
          No operation matches “{query}”.
        </p>
      )}
      {op && <OpPicker op={op} shown={shown} onPick={setFn} />}
      {op && <p className="summary">{op.summary}</p>}
      {op && (
        <OpFields
          key={fieldsKey!}
          op={op}
          initial={defaultArgs(op, target, view, cands)}
          cands={cands}
          fresh={fresh}
          cursor={cursor}
          atEnd={cursor >= stepCount}
        />
      )}
    </section>
  );
}

/** The grouped picker (allocate / reference / copy / reshape / leave the stack / zero-copy). */
function OpPicker({ op, shown, onPick }: { op: OpInfo; shown: readonly OpInfo[]; onPick: (fn: string) => void }) {
  return (
    <label className="field-row">
      <span>operation</span>
      <select value={op.fn} onChange={(e) => onPick(e.target.value)} data-testid="op-select">
        {OP_GROUPS.map((group) => {
          const inGroup = shown.filter((o) => o.group === group);
          return inGroup.length ? (
            <optgroup key={group} label={group}>
              {inGroup.map((o) => (
                <option key={o.fn} value={o.fn}>
                  {o.fn}
                </option>
              ))}
            </optgroup>
          ) : null;
        })}
      </select>
    </label>
  );
}

function OpFields(props: {
  op: OpInfo;
  initial: ArgValue[];
  cands: ReturnType<typeof candidates>;
  fresh: FreshNames;
  /** Where the line goes: after the step on screen (machines/engine.ts insertAfterStep). */
  cursor: number;
  atEnd: boolean;
}) {
  const { op, cands, fresh } = props;
  const machines = useMachines();
  const sourceRev = useScope((s) => s.sourceRev);
  const [args, setArgs] = useState<(ArgValue | undefined)[]>(props.initial);
  const draft = draftOf(op, args, fresh);
  const key = dryRunKey(sourceRev, props.cursor, draft);
  const dry = useScope((s) => (s.dryRun?.key === key ? s.dryRun : null));
  // The key names the draft: a new key is a new draft to try.
  const latest = useRef(draft);
  latest.current = draft;
  // Try the draft where it would go, after a pause in editing the fields.
  useEffect(() => {
    const timer = setTimeout(() => machines.tryDraft(latest.current, key), TRY_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [machines, key]);
  const refused = dry?.outcome?.refused ?? null;

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        machines.append(draft, key);
      }}
    >
      {op.params.map((kind, i) => (
        <ArgField
          key={`${op.fn}-${i}`}
          op={op}
          index={i}
          value={args[i]}
          freshPipe={fresh.pipe}
          options={kind === "int" || kind === "bool" || kind === "owner" ? null : cands[kind]}
          onChange={(v) => setArgs((a) => Object.assign([...a], { [i]: v }))}
        />
      ))}
      {draft.result && (
        <p className="summary">
          result: <code>{draft.result}</code>
        </p>
      )}
      <DryRunNote dry={dry} cursor={props.cursor} />
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="apply">
          {props.atEnd ? "append" : `insert after step ${props.cursor}:`} {op.fn}
        </button>
        {refused && (
          <button type="button" className="insist" data-testid="insist" onClick={() => machines.append(draft, key, true)}>
            insert anyway
          </button>
        )}
      </div>
    </form>
  );
}

/** The dry run's answer: what the step would do there, or the kernel's refusal. */
function DryRunNote({ dry, cursor }: { dry: DryRunState | null; cursor: number }) {
  if (!dry?.outcome)
    return (
      <p className="dry-run quiet" data-testid="dry-run" data-state="pending" aria-live="polite">
        trying it after step {cursor}…
      </p>
    );
  const { refused, events } = dry.outcome;
  if (refused)
    return (
      <p className="dry-run refused" data-testid="dry-run" data-state={dry.heldBack ? "held-back" : "refused"} role="alert">
        would be refused: {refused.message}
        {dry.heldBack && <span className="quiet"> (not inserted: “insert anyway” puts it in as written)</span>}
      </p>
    );
  const own = dry.outcome.findings ?? [];
  return (
    <>
      <p className="dry-run ok" data-testid="dry-run" data-state="ok" aria-live="polite">
        after step {cursor} it runs{events.length ? `: ${events.slice(0, 3).join("; ")}${events.length > 3 ? " …" : ""}` : ""}
        {own.map((f, i) => (
          <span key={i} className="dry-finding">
            {" "}
            — {f.kind}: {f.message}
          </span>
        ))}
      </p>
      {dry.outcome.later && <LaterNote later={dry.outcome.later} />}
    </>
  );
}

/**
 * What the insert does to the steps after it (the worker re-ran them with
 * the line in place): "later steps still run", or each step that would
 * then fail, run again, or find something new. Steps are numbered as they
 * will be once the line is in (the messages count that way too), with the
 * number they have now beside it.
 */
function LaterNote({ later }: { later: DryRunLater }) {
  const { counts } = later;
  const changed = counts.failing + counts.recovered + counts.findings + counts.cleared > 0;
  if (later.checked === 0)
    return (
      <p className="dry-later quiet" data-testid="dry-later" data-state="not-run" aria-live="polite">
        the {later.total} later steps are not tried here (a long trace): they re-run once the line is in
      </p>
    );
  const scope = later.checked < later.total ? `the next ${later.checked} of ${later.total} later steps` : "later steps";
  if (!changed)
    return (
      <p className="dry-later quiet" data-testid="dry-later" data-state="unchanged" aria-live="polite">
        {scope} still run as before
      </p>
    );
  const more = (n: number, shown: number) => (n > shown ? <li className="quiet">and {n - shown} more</li> : null);
  return (
    <div className="dry-later" data-testid="dry-later" data-state={counts.failing || counts.findings ? "breaks" : "changes"} aria-live="polite">
      <ul>
        {later.failing.map((s) => (
          <li key={`f${s.step}`} className="dry-later-fail" data-testid="dry-later-fail">
            <StepName step={s} /> would then fail: {s.message}
          </li>
        ))}
        {more(counts.failing, later.failing.length)}
        {later.findings.map((s, i) => (
          <li key={`n${s.step}-${i}`} className="dry-later-fail" data-testid="dry-later-finding">
            <StepName step={s} /> would then find {s.kind}: {s.message}
          </li>
        ))}
        {more(counts.findings, later.findings.length)}
        {later.recovered.map((s) => (
          <li key={`r${s.step}`} data-testid="dry-later-recovered">
            <StepName step={s} /> would then run (it fails now: {s.message})
          </li>
        ))}
        {more(counts.recovered, later.recovered.length)}
        {later.cleared.map((s, i) => (
          <li key={`c${s.step}-${i}`} data-testid="dry-later-cleared">
            <StepName step={s} /> would no longer find {s.kind}
          </li>
        ))}
        {more(counts.cleared, later.cleared.length)}
      </ul>
      {later.checked < later.total && <p className="quiet">({scope} re-run)</p>}
    </div>
  );
}

/** "step 10 (now 9) `skb_put(c, 10)`": the number once the line is in, and today's. */
function StepName({ step }: { step: LaterStep }) {
  return (
    <>
      step {step.step} <span className="quiet">(now {step.step - 1})</span> <code>{step.op}</code>
    </>
  );
}

function ArgField(props: {
  op: OpInfo;
  index: number;
  value: ArgValue | undefined;
  freshPipe: string;
  options: readonly string[] | null;
  onChange: (v: ArgValue | undefined) => void;
}) {
  const { op, index, value, options, onChange } = props;
  const kind = op.params[index];
  const name = op.names[index];
  const optional = index >= op.params.length - op.optional;
  const id = `arg-${op.fn}-${index}`;
  let control;
  if (kind === "int") {
    control = (
      <input
        id={id}
        type="number"
        min={0}
        step={1}
        value={typeof value === "number" ? value : 0}
        onChange={(e) => onChange(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
        data-testid={`arg-${name}`}
      />
    );
  } else if (kind === "bool") {
    control = (
      <select id={id} value={String(value ?? false)} onChange={(e) => onChange(e.target.value === "true")} data-testid={`arg-${name}`}>
        <option value="false">false</option>
        <option value="true">true</option>
      </select>
    );
  } else if (kind === "owner") {
    control = (
      <select id={id} value={String(value ?? "guest")} onChange={(e) => onChange(e.target.value)} data-testid={`arg-${name}`}>
        <option value="guest">guest</option>
        <option value="host">host</option>
      </select>
    );
  } else {
    control = (
      <select id={id} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || undefined)} data-testid={`arg-${name}`}>
        {optional && <option value="">{kind === "pipe" ? `a new pipe ${props.freshPipe}` : "(none)"}</option>}
        {options!.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  return (
    <label className="field-row" htmlFor={id}>
      <span>
        {name}
        {/* "owner owner", "skb skb": the kind is said only when the name does not say it. */}
        {kind !== name && <span className="quiet"> {kind}</span>}
      </span>
      {control}
    </label>
  );
}
