// SPDX-License-Identifier: GPL-2.0-only
/**
 * judgeTrace a slice at a time: the same pass as replayPass (each step
 * applied in place, as engine/apply.ts applies it, then the checker) cut
 * into pieces the caller schedules. The app's engine worker judges each
 * policy of a long trace's verdict matrix this way, so a snapshot request
 * waits for one slice, not for a whole pass (seconds on 1,000,000 steps).
 * sliced.test.ts keeps its judgement equal to judgeTrace's.
 */
import { Checker, unjudgedOf, verdictOf, type Unjudged } from "../check/checker";
import { emptyState } from "../model/tx";
import type { State } from "../model/types";
import type { Trace } from "../trace/ast";
import { applyOp, type ContractMode } from "./apply";
import { armedSomething, settings, type Judgement, type RunOptions } from "./replay";

export class SlicedJudge {
  private state: State;
  private readonly checker: Checker;
  private readonly unjudged: Unjudged[] = [];
  private readonly errors: { step: number; message: string }[] = [];
  private readonly contracts: ContractMode;
  private readonly settings: ReturnType<typeof settings>;
  /** Operations judged so far. */
  private next = 0;
  private judged: Judgement | null = null;

  constructor(
    private readonly trace: Trace,
    options: RunOptions = {},
  ) {
    this.settings = settings(trace, options);
    const { policy, kernel, without } = this.settings;
    this.contracts = options.contracts ?? trace.contracts ?? "enforce";
    this.checker = new Checker(policy);
    this.state = emptyState(kernel, policy, new Set(without));
  }

  get done(): boolean {
    return this.next >= this.trace.ops.length;
  }

  /** Judge up to `steps` more operations; true once every one is judged. */
  advance(steps: number): boolean {
    const ops = this.trace.ops;
    const end = Math.min(ops.length, this.next + Math.max(1, Math.floor(steps)));
    const apply = { contracts: this.contracts } as const;
    for (let i = this.next; i < end; i++) {
      const out = applyOp(this.state, ops[i], "inplace", apply);
      this.state = out.state;
      const notJudged = unjudgedOf(i + 1, out.error);
      if (notJudged) this.unjudged.push(notJudged);
      if (out.error) this.errors.push({ step: i + 1, message: out.error.message });
      this.checker.afterStep(this.state, out.events, out.error, out.touchedPages, out.touchedTables);
    }
    this.next = end;
    return this.done;
  }

  /** The judgement, once every operation is judged (the end-of-trace checks run once). */
  judgement(): Judgement {
    if (!this.done) throw new Error(`SlicedJudge: ${this.next} of ${this.trace.ops.length} operations judged`);
    if (!this.judged) {
      this.checker.finish(this.state);
      const findings = this.checker.all();
      const { policy, kernel, without } = this.settings;
      this.judged = {
        policy,
        kernel,
        without,
        findings,
        unjudged: this.unjudged,
        verdict: verdictOf(findings, this.unjudged),
        errors: this.errors,
        armed: armedSomething(this.state),
      };
    }
    return this.judged;
  }
}
