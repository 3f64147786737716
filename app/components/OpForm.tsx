// SPDX-License-Identifier: GPL-2.0-only
/**
 * Apply an operation to the selected object. The form offers only the
 * operations that take an object of its kind, and for each argument only
 * existing names of the right kind; the worker prints the line (printOp)
 * and it is appended to the trace.
 */
import { useEffect, useMemo, useState } from "react";
import { OP_GROUPS } from "../../core/model/opGroups";
import { useMachines } from "../context";
import { candidates, defaultArgs, draftOf, loadOpDefaults, opDefaultsLoaded, opsFor, targetOf, type ArgValue } from "../ops";
import { useScope } from "../store";
import type { FreshNames, OpInfo } from "../worker/protocol";

export function OpForm() {
  const machines = useMachines();
  const ops = useScope((s) => s.ops);
  const view = useScope((s) => s.view);
  const kernel = useScope((s) => s.kernel);
  const selection = useScope((s) => s.selection);
  const fresh = useScope((s) => s.fresh);
  const cursor = useScope((s) => s.cursor);
  const stepCount = useScope((s) => s.stepCount);
  const cands = useMemo(() => candidates(view), [view]);
  const target = useMemo(() => targetOf(selection, view), [selection, view]);
  const offered = useMemo(() => opsFor(target, ops, kernel, cands), [target, ops, kernel, cands]);
  const [fn, setFn] = useState<string>("");
  // The ops' form defaults live in their specs, with the engine: a chunk of
  // its own, fetched when the form first shows (the main bundle has no engine).
  const [defaultsReady, setDefaultsReady] = useState(opDefaultsLoaded());
  useEffect(() => {
    if (!defaultsReady) void loadOpDefaults().then(() => setDefaultsReady(true));
  }, [defaultsReady]);
  const op = offered.find((o) => o.fn === fn) ?? offered[0] ?? null;

  if (!op)
    return (
      <section className="opform">
        <h2>operate</h2>
        <p className="quiet">No operation applies here.</p>
      </section>
    );
  // A new operation or selection remounts the fields with fresh defaults.
  const fieldsKey = `${op.fn}|${target?.kind ?? ""}:${target?.name ?? ""}|${defaultsReady}`;
  return (
    <section className="opform" aria-label="apply an operation">
      <h2>operate {target ? <span className="quiet">on {target.name}</span> : <span className="quiet">(nothing selected: create)</span>}</h2>
      <label className="field-row">
        <span>operation</span>
        <select value={op.fn} onChange={(e) => setFn(e.target.value)} data-testid="op-select">
          {OP_GROUPS.map((group) => {
            const inGroup = offered.filter((o) => o.group === group);
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
      <p className="summary">{op.summary}</p>
      <OpFields
        key={fieldsKey}
        op={op}
        initial={defaultArgs(op, target, view, cands)}
        cands={cands}
        fresh={fresh}
        onApply={machines.append}
        cursor={cursor}
        atEnd={cursor >= stepCount}
      />
    </section>
  );
}

function OpFields(props: {
  op: OpInfo;
  initial: ArgValue[];
  cands: ReturnType<typeof candidates>;
  fresh: FreshNames;
  onApply: (d: ReturnType<typeof draftOf>) => void;
  /** Where the line goes: after the step on screen (machines/engine.ts insertAfterStep). */
  cursor: number;
  atEnd: boolean;
}) {
  const { op, cands, fresh } = props;
  const [args, setArgs] = useState<(ArgValue | undefined)[]>(props.initial);
  const draft = draftOf(op, args, fresh);

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(draft);
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
      <button type="submit" className="primary" data-testid="apply">
        {props.atEnd ? "append" : `insert after step ${props.cursor}:`} {op.fn}
      </button>
    </form>
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
