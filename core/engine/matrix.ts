// SPDX-License-Identifier: GPL-2.0-only
/**
 * The verdict matrix: one trace under every policy, judged without step
 * records (engine/replay.ts judgeTraces: the policies' common prefix
 * replayed once, then one policy after another).
 */
import type { Finding, Unjudged, Verdict } from "../check/checker";
import { policyAbsence, policyKernels } from "../model/policies";
import { POLICIES, type KernelId, type PolicyId, type State } from "../model/types";
import type { Trace } from "../trace/ast";
import { completionPolicy } from "../policy/registry";
import { judgeTraces, settings } from "./replay";

export interface MatrixEntry {
  readonly policy: PolicyId;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
  /** Steps whose operation failed (kernel checks and the like). */
  readonly errors: readonly { step: number; message: string }[];
  /** Steps not judged (unsupported, internal): why the verdict is inconclusive. */
  readonly unjudged: readonly Unjudged[];
  /**
   * Some buffer armed under this policy protects a page of its owner's.
   * When false, an `ok` says nothing about completion (none was armed to
   * judge): nothingArmedNote says so wherever a verdict is shown.
   */
  readonly armed: boolean;
}

/** What to say beside a verdict when the trace armed nothing for the policy's owner. */
export function nothingArmedNote(policy: PolicyId): string {
  const page = completionPolicy(policy).ownerPage ?? "alloc_page(guest)";
  return `nothing armed: no buffer holds a page of the owner's (${page}), so no completion was judged; only use-after-free, double free, refcount underflow, shared writes and kernel bugs were`;
}

export interface Matrix {
  readonly kernel: KernelId;
  /** The fixes reverted for every run of the matrix (catalogue order). */
  readonly without: readonly string[];
  readonly entries: readonly MatrixEntry[];
  /** Policies that do not exist on this kernel, and why. */
  readonly skipped: readonly { policy: PolicyId; reason: string }[];
}

/**
 * `without` replaces the trace's `# without:` header when given;
 * `onFinding` sees each finding with the state after its step (judgeTrace).
 */
export function verdictMatrix(
  trace: Trace,
  kernel?: KernelId,
  policies: readonly PolicyId[] = POLICIES,
  without?: readonly string[],
  onFinding?: (policy: PolicyId, f: Finding, state: State) => void,
): Matrix {
  const base = settings(trace, { without });
  const k = kernel ?? base.kernel;
  const entries: MatrixEntry[] = [];
  const skipped: { policy: PolicyId; reason: string }[] = [];
  const judged: PolicyId[] = [];
  for (const policy of policies) {
    const absent = policyAbsence(policy, k);
    if (absent) skipped.push({ policy, reason: `${absent}; use kernel ${policyKernels(policy)}` });
    else judged.push(policy);
  }
  // Each policy keeping its findings and errors only; their common prefix replayed once.
  for (const run of judgeTraces(trace, judged, { kernel: k, without: base.without }, onFinding)) {
    entries.push({ policy: run.policy, verdict: run.verdict, findings: run.findings, errors: run.errors, unjudged: run.unjudged, armed: run.armed });
  }
  return { kernel: k, without: base.without, entries, skipped };
}
