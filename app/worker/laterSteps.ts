// SPDX-License-Identifier: GPL-2.0-only
/**
 * What inserting one operation after step `at` does to the steps after it
 * (the operation form's dry run): the trace is replayed with the line in
 * place and each later step is compared with its own run before the
 * insert — a step that ran and would then fail (a kfree_skb(c) put before
 * a skb_put(c, ...) makes that a use-after-free), one that failed and would
 * then run, findings the insert causes or makes go away.
 *
 * The replay is the engine's one pass (core replayPass), from step 0: the
 * checker's memory of what was armed and completed before `at` is part of
 * what a later step's findings depend on, and a snapshot does not carry it.
 * It is cut DRY_RUN_LATER_MAX steps after the insert and DRY_RUN_REPLAY_MAX
 * steps from the start (deeper, nothing is re-run), so a form on a
 * 100,000-step trace stays responsive; the end-of-trace findings (missed)
 * are compared only when the replay reached the end.
 */
import { printOp, replayPass, type Finding, type Run, type Trace, type TraceOp } from "../../core/index";
import { DRY_RUN_LATER_MAX, DRY_RUN_LISTED, DRY_RUN_REPLAY_MAX, type DryRunLater, type LaterStep } from "./protocol";

const NO_CHANGES = { failing: 0, recovered: 0, findings: 0, cleared: 0 } as const;

export interface LaterOutcome {
  /** What the inserted step itself finds. */
  readonly own: readonly { readonly kind: string; readonly message: string }[];
  readonly later: DryRunLater;
}

/**
 * `trace` and `run`: the loaded trace and its run; `at`: the step the line
 * goes after (0: before the first); `op`: the line, which the caller has
 * already found the kernel accepts there.
 */
export function laterOutcome(trace: Trace, run: Run, at: number, op: TraceOp, max = DRY_RUN_LATER_MAX, budget = DRY_RUN_REPLAY_MAX): LaterOutcome {
  const total = trace.ops.length - at;
  const checked = Math.max(0, Math.min(total, max, budget - at));
  if (checked === 0) return { own: [], later: { checked, total, failing: [], recovered: [], findings: [], cleared: [], counts: NO_CHANGES } };
  const ops = [...trace.ops.slice(0, at), op, ...trace.ops.slice(at, at + checked)];
  const failing: LaterStep[] = [];
  const recovered: LaterStep[] = [];
  const own: { kind: string; message: string }[] = [];
  const found: Finding[] = [];
  const pass = replayPass({ ...trace, ops }, { policy: run.policy, kernel: run.kernel, without: run.without }, (s) => {
    if (s.index < at) return; // the same steps as before, to the letter
    if (s.index === at) {
      for (const f of s.findings) own.push({ kind: f.kind, message: f.message });
      return;
    }
    const was = run.steps[s.index - 1];
    const entry = (kind: string, message: string): LaterStep => ({ step: s.index + 1, line: was.op.line ?? null, op: printOp(was.op), kind, message });
    if (s.error && !sameError(s.error, was.error)) failing.push(entry(s.error.kind, s.error.message));
    else if (!s.error && was.error) recovered.push(entry(was.error.kind, was.error.message));
    for (const f of s.findings) found.push(f);
  });
  // The end-of-trace findings belong to the whole trace: only a replay that reached the end has them.
  const reachedEnd = checked === total;
  if (reachedEnd) found.push(...pass.missed);
  const before = run.findings.filter((f) => f.step > at && (reachedEnd || f.step <= at + checked));
  // A later finding moves one step on; the objects and kind name it (its message may count steps).
  const keyBefore = (f: Finding) => findingKey(f, f.step + 1);
  const keyAfter = (f: Finding) => findingKey(f, f.step);
  const beforeKeys = new Set(before.map(keyBefore));
  const afterKeys = new Set(found.map(keyAfter));
  const stepOf = (newStep: number) => trace.ops[newStep - 2] ?? trace.ops[trace.ops.length - 1];
  const asStep = (f: Finding, newStep: number): LaterStep => {
    const was = stepOf(newStep);
    return { step: newStep, line: was?.line ?? null, op: was ? printOp(was) : "", kind: f.kind, message: f.message };
  };
  // A use-after-free or double free is the step's error and a finding too: the error already says it.
  const said = new Set(failing.map((f) => `${f.step}|${f.kind}`));
  const findings = found.filter((f) => !beforeKeys.has(keyAfter(f)) && !said.has(`${f.step}|${f.kind}`)).map((f) => asStep(f, f.step));
  const cleared = before.filter((f) => !afterKeys.has(keyBefore(f))).map((f) => asStep(f, f.step + 1));
  return {
    own,
    later: {
      checked,
      total,
      failing: failing.slice(0, DRY_RUN_LISTED),
      recovered: recovered.slice(0, DRY_RUN_LISTED),
      findings: findings.slice(0, DRY_RUN_LISTED),
      cleared: cleared.slice(0, DRY_RUN_LISTED),
      counts: { failing: failing.length, recovered: recovered.length, findings: findings.length, cleared: cleared.length },
    },
  };
}

/** Whether a later step fails as it did: the same kind, and the same message once step numbers (shifted by the insert) are left out. */
function sameError(now: { kind: string; message: string }, was: { kind: string; message: string } | undefined): boolean {
  return was !== undefined && now.kind === was.kind && withoutSteps(now.message) === withoutSteps(was.message);
}

const withoutSteps = (message: string): string => message.replace(/\bstep \d+/g, "step #");

function findingKey(f: Finding, step: number): string {
  return `${step}|${f.kind}|${[...f.objects].sort().join(",")}|${f.buffer ?? ""}|${f.holder ?? ""}`;
}
