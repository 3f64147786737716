// SPDX-License-Identifier: GPL-2.0-only
/**
 * A walker over the tree of search paths: one set of tables, written in
 * place. Moving to a path undoes the steps back to the common prefix
 * (each step keeps its undo log, Tx.takeUndo) and applies the rest, so a
 * level's nodes, taken in frontier order (which is the order of their
 * paths), cost one step each to reach and no table is copied per branch.
 * Paths are candidate indices: the i-th step that candidates() offers at
 * each state (a function of the state alone).
 */
import { thaw, undoWrites } from "../model/tx";
import type { PolicyId, State } from "../model/types";
import type { TraceOp } from "../trace/ast";
import { Footprint } from "./footprint";
import { candidates, type Step } from "./menu";
import { judgeStepsInPlace, type MissedAt, type PathSummary } from "./step";

export interface WalkConfig {
  readonly policy: PolicyId;
  readonly ops: readonly string[];
  readonly require: string | null;
  readonly missedAt: MissedAt;
}

export interface WalkStart {
  readonly state: State;
  readonly summary: PathSummary;
}

/** A path's step does not replay (the engine is not deterministic: a bug). */
export class WalkError extends Error {}

export class Walker {
  private readonly states: State[];
  private readonly sums: PathSummary[];
  /** undos[k]: the log of the step from depth k - 1 to k. */
  private readonly undos: (readonly unknown[])[] = [[]];
  /** What the step into depth k read and wrote (when footprints are kept). */
  private readonly feet: (Footprint | null)[] = [null];
  private readonly usedAt: boolean[] = [false];
  private readonly cands: (Step[] | null)[] = [null];
  /** Per depth: each candidate's identity hash (identityHash) and the first index of each hash. */
  private readonly idents: (Int32Array | null)[] = [null];
  private readonly firsts: (Map<number, number> | null)[] = [null];
  /** Per depth: the footprints of its first steps as run there (footprintsHere), null where one fails. */
  private readonly offeredFeet: ((Footprint | null)[] | null)[] = [null];
  private readonly path: number[] = [];

  constructor(
    readonly config: WalkConfig,
    start: WalkStart,
    private readonly footprints = false,
  ) {
    this.states = [thaw(start.state)];
    this.sums = [start.summary];
  }

  get depth(): number {
    return this.path.length;
  }

  get state(): State {
    return this.states[this.path.length];
  }

  get summary(): PathSummary {
    return this.sums[this.path.length];
  }

  /** The path uses the required operation. */
  get used(): boolean {
    return this.usedAt[this.path.length];
  }

  /** The steps offered at depth k of the current path. */
  candidatesAt(k: number): Step[] {
    return (this.cands[k] ??= candidates(this.states[k], this.config.ops));
  }

  /** The identity hashes (identityHash) of the steps offered at depth k, by index. */
  identitiesAt(k: number): Int32Array {
    let ids = this.idents[k];
    if (!ids) {
      const cands = this.candidatesAt(k);
      ids = new Int32Array(cands.length);
      for (let i = 0; i < cands.length; i++) ids[i] = identityHash(cands[i]);
      this.idents[k] = ids;
    }
    return ids;
  }

  /** Where a step of `step`'s identity (stepIdentity; `hash` its identityHash) first appears among those offered at depth k. */
  indexAt(k: number, step: Step, hash: number): number | undefined {
    let m = this.firsts[k];
    const ids = this.identitiesAt(k);
    if (!m) {
      m = new Map();
      for (let i = 0; i < ids.length; i++) if (!m.has(ids[i])) m.set(ids[i], i);
      this.firsts[k] = m;
    }
    const first = m.get(hash);
    if (first === undefined) return undefined;
    const cands = this.candidatesAt(k);
    if (sameIdentity(cands[first], step)) return first;
    // Two identities with one hash: look on.
    for (let i = first + 1; i < ids.length; i++) if (ids[i] === hash && sameIdentity(cands[i], step)) return i;
    return undefined;
  }

  /**
   * Record what each of the first `count` steps offered here reads and
   * writes, each run from this node and undone (null: the step fails
   * here). Kept until the walker leaves the node: its children's
   * sleep-set checks use them (footprintsAt) instead of running the step
   * again at each child.
   */
  footprintsHere(count: number): void {
    const k = this.path.length;
    const feet = (this.offeredFeet[k] ??= []);
    const cands = this.candidatesAt(k);
    const state = this.states[k];
    for (let i = feet.length; i < Math.min(count, cands.length); i++) {
      const foot = new Footprint();
      const j = judgeStepsInPlace(this.config.policy, state, this.sums[k], cands[i], this.config.missedAt, foot);
      if (j.error) feet.push(null);
      else {
        undoWrites(j.state, j.undo);
        feet.push(foot);
      }
    }
  }

  /** The footprints footprintsHere recorded at depth k of the current path (undefined past those). */
  footprintsAt(k: number): readonly (Footprint | null)[] {
    return this.offeredFeet[k] ?? [];
  }

  /** The step into the current node, its index among its parent's, and its footprint. */
  lastEdge(): { index: number; foot: Footprint | null } | null {
    const d = this.path.length;
    return d === 0 ? null : { index: this.path[d - 1], foot: this.feet[d] };
  }

  /** The current path's operations. */
  ops(): TraceOp[] {
    const out: TraceOp[] = [];
    for (let k = 0; k < this.path.length; k++) out.push(...this.candidatesAt(k)[this.path[k]]);
    return out;
  }

  /** Go to the node at `steps` (candidate indices from the start). */
  moveTo(steps: readonly number[]): void {
    let c = 0;
    while (c < this.path.length && c < steps.length && this.path[c] === steps[c]) c++;
    while (this.path.length > c) this.back();
    for (let k = c; k < steps.length; k++) this.forward(steps[k]);
  }

  private forward(index: number): void {
    const k = this.path.length;
    const step = this.candidatesAt(k)[index];
    if (!step) throw new WalkError(`no step ${index} at depth ${k}`);
    const foot = this.footprints ? new Footprint() : null;
    const j = judgeStepsInPlace(this.config.policy, this.states[k], this.sums[k], step, this.config.missedAt, foot);
    if (j.error) throw new WalkError(`${step.map((op) => op.fn).join("; ")} failed on replay: ${j.error.message}`);
    this.path.push(index);
    this.states[k + 1] = j.state;
    this.sums[k + 1] = j.summary;
    this.undos[k + 1] = j.undo;
    this.feet[k + 1] = foot;
    this.usedAt[k + 1] = this.usedAt[k] || (this.config.require !== null && step.some((op) => op.fn === this.config.require));
    this.cands[k + 1] = null;
    this.idents[k + 1] = null;
    this.firsts[k + 1] = null;
    this.offeredFeet[k + 1] = null;
  }

  private back(): void {
    const k = this.path.length;
    undoWrites(this.states[k], this.undos[k]);
    this.path.pop();
    this.cands[k] = null;
    this.idents[k] = null;
    this.firsts[k] = null;
    this.feet[k] = null;
    this.offeredFeet[k] = null;
  }
}

/** Small numbers for the strings of identities (operation and skb names: few in a search). */
const interned = new Map<string, number>();

function internedId(text: string): number {
  let id = interned.get(text);
  if (id === undefined) interned.set(text, (id = interned.size + 1));
  return id;
}

const mix = (h: number, x: number): number => Math.imul(h ^ x, 0x9e3779b1) ^ (h >>> 15);

/**
 * A 32-bit hash of a step's identity (stepIdentity) without building its
 * text: the search asks it of every step at every node (sleep sets), and
 * indexAt checks a hit with sameIdentity.
 */
export function identityHash(step: Step): number {
  let h = step.length;
  for (const op of step) {
    h = mix(h, internedId(op.fn));
    for (const a of op.args) {
      if (a.kind === "ref") h = mix(mix(h, internedId(a.name)), a.index === undefined ? -1 : a.index);
      else if (a.kind === "int") h = mix(mix(h, 2), a.value);
      else h = mix(h, internedId(a.value));
    }
  }
  return h | 0;
}

/** Two steps of one identity: the same operations and arguments, results aside. */
export function sameIdentity(x: Step, y: Step): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a.fn !== b.fn || a.args.length !== b.args.length) return false;
    for (let k = 0; k < a.args.length; k++) {
      const p = a.args[k];
      const q = b.args[k];
      if (p === q) continue;
      if (p.kind !== q.kind) return false;
      if (p.kind === "ref" && q.kind === "ref" ? p.name !== q.name || p.index !== q.index : (p as { value: unknown }).value !== (q as { value: unknown }).value)
        return false;
    }
  }
  return true;
}

/** A step's identity across states: operations and arguments, results left out. */
export function stepIdentity(step: Step): string {
  let out = "";
  for (const op of step) {
    out += op.fn;
    for (const a of op.args) out += a.kind === "ref" ? (a.index === undefined ? ` ${a.name}` : ` ${a.name}[${a.index}]`) : ` ${a.value}`;
    out += ";";
  }
  return out;
}
