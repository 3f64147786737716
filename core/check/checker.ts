// SPDX-License-Identifier: GPL-2.0-only
/**
 * The invariant checker: after every step, findings as data.
 *
 *  premature    the owner is told complete, or reuses a page, or the host
 *               reads a page after completion, while a host holder still
 *               references the page
 *  duplicate    a second completion of one buffer
 *  missed       no host reference is left, nothing armed is left to tell
 *               the owner, and it was never told
 *  late         completion waits on a holder outside the host stack's
 *               control (a pipe, a socket receive queue, the device's
 *               transmit queue), directly or through a chain of frag_list
 *               members of the skbs it holds: without bound
 *  use-after-free, double-free, refcount-underflow, conservation (each
 *               page's refcount equals the holders that account for it);
 *               use-after-free also when a page_pool page is recycled into
 *               its pool's ring while a holder still maps it
 *  kernel-bug   a step the kernel would BUG on (skb_over_panic, BUG_ON):
 *               the machine is down, whatever the policy
 *  unreachable  a step broke a caller contract and ran, flagged, because
 *               the trace asked (`# contracts: flag`): Linux cannot take
 *               that path
 *  shared-write the host writes a page in place (esp_input) while another
 *               holder still maps the bytes: a page-cache or user page, a
 *               pipe buffer, another skb's frag — whatever the policy
 *
 * A policy's verdict on a trace: kernel-bug > premature > duplicate > missed >
 * late > shared-write > inconclusive > ok. `inconclusive`: a step could not be judged (the engine
 * does not model it, or hit a bug), so the trace is not `ok` whatever
 * happened; a violation found before that step still decides, one found
 * after it rests on a state the kernel would not have and does not.
 */
import { isKernelBug, type EngineError, type EngineEvent } from "../model/events";
import { countedHoldersOf, holderCount, skbsOfData } from "../model/lookup";
import type { WriteLog } from "../model/tx";
import type { BufferId, DataId, PageId, PolicyId, SkbId, State, TableName, ZBuffer } from "../model/types";
import { completionPolicy } from "../policy/registry";
import type { CompletionPolicy } from "../policy/types";
import { describeHolder, describePageHolder } from "./describe";
import { Tracked, type Root } from "./tracked";

export type FindingKind =
  | "premature"
  | "duplicate"
  | "missed"
  | "late"
  | "use-after-free"
  | "double-free"
  | "refcount-underflow"
  | "conservation"
  | "unreachable"
  | "kernel-bug"
  | "shared-write";

export type Verdict = "ok" | "kernel-bug" | "premature" | "duplicate" | "missed" | "late" | "inconclusive" | "shared-write";
export const VERDICT_ORDER: readonly Verdict[] = ["kernel-bug", "premature", "duplicate", "missed", "late", "shared-write", "inconclusive", "ok"];
/** The verdicts that are violations (a finding kind each). */
export const VIOLATION_VERDICTS = ["kernel-bug", "premature", "duplicate", "missed", "late", "shared-write"] as const satisfies readonly Verdict[];

export interface Finding {
  readonly kind: FindingKind;
  readonly step: number;
  readonly message: string;
  /** Names of the objects involved (pages, skbs, Datas, pipes, sockets). */
  readonly objects: readonly string[];
  readonly buffer?: BufferId;
  readonly holder?: string;
}

/** A step the engine could not judge: not modelled, or an engine bug. */
export interface Unjudged {
  readonly step: number;
  readonly kind: "unsupported" | "internal";
  readonly fn?: string;
  readonly message: string;
}

/** The step's error, when it means the step was not judged. */
export function unjudgedOf(step: number, error: EngineError | undefined): Unjudged | undefined {
  if (error?.kind === "unsupported") return { step, kind: error.kind, fn: error.fn, message: error.message };
  if (error?.kind === "internal") return { step, kind: error.kind, message: error.message };
  return undefined;
}

export function verdictOf(findings: readonly Finding[], unjudged: readonly Unjudged[] = []): Verdict {
  const trustedBefore = unjudged.length ? Math.min(...unjudged.map((u) => u.step)) : Infinity;
  for (const v of VIOLATION_VERDICTS) if (findings.some((f) => f.kind === v && f.step < trustedBefore)) return v;
  return unjudged.length ? "inconclusive" : "ok";
}

/** Objects named in a holder string ("h2.frags[0]" -> h2 and its skbs). */
function holderObjects(state: State, holder: string): string[] {
  const m = /^([^.:]+)\./.exec(holder);
  if (!m) return [];
  const out = [m[1]];
  if (/^h\d+$/.test(m[1])) out.push(...skbsOfData(state, m[1] as DataId));
  return out;
}

/**
 * What a Checker remembers of a path that decides its later findings, as
 * plain immutable data (it crosses to search workers by structured clone
 * and keys the search's seen-set): buffers told complete, buffers already
 * reported premature or late (sorted), and per page the refcount/holders
 * mismatch last reported. The rest of its memory (at which step a buffer
 * was told, since when it was idle) only words messages; a restored
 * Checker takes those as the step it resumes at.
 */
export interface CheckerMemory {
  readonly completed: readonly BufferId[];
  readonly premature: readonly BufferId[];
  readonly late: readonly BufferId[];
  readonly badCons: ReadonlyMap<string, string>;
}

export const EMPTY_MEMORY: CheckerMemory = Object.freeze({ completed: [], premature: [], late: [], badCons: new Map() });

const NO_COMPLETED: ReadonlyMap<BufferId, number> = new Map();
const NO_BUFFERS: ReadonlySet<BufferId> = new Set();

/** CheckerMemory's parts as bits: which changed since restore() (a search builds a Checker per step: no Set for it). */
const COMPLETED = 1;
const PREMATURE = 2;
const LATE = 4;
const BAD_CONS = 8;

export class Checker {
  private readonly findings: Finding[] = [];
  // Shared empty ones until the first write (completing(), ...): the search
  // restores a Checker for every step it judges, and most have nothing here.
  private completedAt: ReadonlyMap<BufferId, number> = NO_COMPLETED;
  private prematureBuffers: ReadonlySet<BufferId> = NO_BUFFERS;
  private lateBuffers: ReadonlySet<BufferId> = NO_BUFFERS;
  // Made on first use: the search restores a Checker per step and most steps need neither.
  private idleSinceMap: Map<BufferId, number> | null = null;
  private badConservationMap: Map<string, string> | null = null;
  /** The memory this Checker was restored from, and which parts changed since (save() shares the rest). */
  private base: CheckerMemory = EMPTY_MEMORY;
  private changed = 0;

  /** The policy's module: what is armed, what its completion waits on. */
  private readonly mechanism: CompletionPolicy;
  /** Kept from the steps' writes when the caller hands them over (replay); else null and the checks scan. */
  private tracked: Tracked | null = null;
  private isOpenFn: ((id: BufferId) => boolean) | null = null;
  private isWalkableFn: ((id: BufferId) => boolean) | null = null;
  /** The findings of the step being judged; `add` records one there and in all (one closure per Checker, not per step). */
  private stepFindings: Finding[] = [];
  private addFn: ((f: Finding) => void) | null = null;

  private completing(): Map<BufferId, number> {
    if (this.completedAt === NO_COMPLETED) this.completedAt = new Map();
    return this.completedAt as Map<BufferId, number>;
  }

  private markingPremature(): Set<BufferId> {
    if (this.prematureBuffers === NO_BUFFERS) this.prematureBuffers = new Set();
    return this.prematureBuffers as Set<BufferId>;
  }

  private markingLate(): Set<BufferId> {
    if (this.lateBuffers === NO_BUFFERS) this.lateBuffers = new Set();
    return this.lateBuffers as Set<BufferId>;
  }

  private get idleSince(): Map<BufferId, number> {
    return (this.idleSinceMap ??= new Map());
  }

  private get badConservation(): Map<string, string> {
    return (this.badConservationMap ??= new Map());
  }

  private get isOpen(): (id: BufferId) => boolean {
    return (this.isOpenFn ??= (id) => !this.completedAt.has(id));
  }

  private get isWalkable(): (id: BufferId) => boolean {
    return (this.isWalkableFn ??= (id) => !this.completedAt.has(id) && !this.lateBuffers.has(id));
  }

  private get add(): (f: Finding) => void {
    return (this.addFn ??= (f) => {
      this.stepFindings.push(f);
      this.findings.push(f);
    });
  }

  constructor(readonly policy: PolicyId) {
    this.mechanism = completionPolicy(policy);
  }

  /** A Checker that goes on from `memory` (see CheckerMemory), at step `step`. */
  static restore(policy: PolicyId, memory: CheckerMemory, step = 0): Checker {
    const c = new Checker(policy);
    if (memory.completed.length) {
      const completed = c.completing();
      for (const b of memory.completed) completed.set(b, step);
    }
    if (memory.premature.length) {
      const premature = c.markingPremature();
      for (const b of memory.premature) premature.add(b);
    }
    if (memory.late.length) {
      const late = c.markingLate();
      for (const b of memory.late) late.add(b);
    }
    if (memory.badCons.size) c.badConservationMap = new Map(memory.badCons);
    c.base = memory;
    return c;
  }

  /** Its memory now; parts unchanged since restore() are the same objects. */
  save(): CheckerMemory {
    const changed = this.changed;
    if (changed === 0) return this.base;
    const sorted = (part: number, keys: Iterable<BufferId>, was: readonly BufferId[]) => (changed & part ? [...keys].sort() : was);
    const memory: CheckerMemory = {
      completed: sorted(COMPLETED, this.completedAt.keys(), this.base.completed),
      premature: sorted(PREMATURE, this.prematureBuffers, this.base.premature),
      late: sorted(LATE, this.lateBuffers, this.base.late),
      badCons: changed & BAD_CONS ? new Map(this.badConservationMap) : this.base.badCons,
    };
    this.base = memory;
    this.changed = 0;
    return memory;
  }

  /** An independent copy: its findings so far and its whole memory, messages' included. */
  fork(): Checker {
    const c = Checker.restore(this.policy, this.save());
    for (const [b, at] of this.completedAt) c.completing().set(b, at);
    if (this.idleSinceMap) c.idleSinceMap = new Map(this.idleSinceMap);
    c.findings.push(...this.findings);
    return c;
  }

  all(): readonly Finding[] {
    return this.findings;
  }

  /** Findings raised by this step. */
  /**
   * `touchedTables`, when given, lets the buffer checks run only when what
   * they read may have changed (the replay knows; the search does not).
   * `writes`, the step's in-place writes (empty for a failed step), keeps
   * the checker's indexes (tracked.ts) instead of scanning the state; a
   * caller gives them at every step of a pass or never.
   */
  afterStep(
    state: State,
    events: readonly EngineEvent[],
    error: EngineError | undefined,
    touched: ReadonlySet<string>,
    touchedTables?: ReadonlySet<TableName>,
    writes?: WriteLog,
  ): Finding[] {
    if (!writes) this.tracked = null;
    else if (!this.tracked) this.tracked = new Tracked(state, this.isOpen);
    else this.tracked.update(state, writes);
    const out: Finding[] = [];
    this.stepFindings = out;
    const step = state.step;
    const add = this.add;
    if (error && (error.kind === "use-after-free" || error.kind === "double-free")) {
      add({ kind: error.kind, step, message: error.message, objects: [error.object] });
    }
    if (isKernelBug(error)) {
      add({ kind: "kernel-bug", step, message: `${error.message}; the kernel BUGs here`, objects: [] });
    }
    for (const ev of events) this.onEvent(state, step, ev, add);
    const pending = state.buffers.size > this.completedAt.size && this.buffersMayHaveChanged(state, touched, touchedTables);
    if (touched.size === 0 && !pending) return out;
    // One pass over the state gives every holder, for all the checks below.
    const index = new StepIndex(state);
    for (const page of touched) this.checkConservation(state, index, step, page, add);
    if (pending) this.checkBuffers(state, index, step, add);
    return out;
  }

  /**
   * Idleness changes only with a buffer page's count or holders; what
   * completion waits on, also with queues, pipes, Datas and skbs.
   */
  private buffersMayHaveChanged(state: State, touched: ReadonlySet<string>, tables?: ReadonlySet<TableName>): boolean {
    if (!tables) return true;
    if (tables.has("socks") || tables.has("devq") || tables.has("pipes") || tables.has("buffers") || tables.has("ubufs")) return true;
    if (touched.size && this.openBufferHolds(state, touched)) return true;
    // A Data or skb change matters for queued skbs only.
    if (tables.has("datas") || tables.has("skbs")) {
      if (state.devq.size) return true;
      for (const sock of state.socks.values()) if (sock.queue.length) return true;
    }
    return false;
  }

  /**
   * End of trace: what never completed although nothing holds its pages
   * and nothing armed is left to tell the owner (a buffer whose skb, Data
   * or ubuf still carries the mechanism is only pending: the trace stopped
   * before the free that would complete it).
   */
  finish(state: State): Finding[] {
    const out: Finding[] = [];
    for (const zb of state.buffers.values()) {
      if (this.completedAt.has(zb.id)) continue;
      if (!this.idle(state, zb)) continue;
      if (this.mechanism.stillArmed(state, zb)) continue;
      const since = this.idleSinceMap?.get(zb.id) ?? state.step;
      const f: Finding = {
        kind: "missed",
        step: state.step,
        buffer: zb.id,
        objects: [...zb.pages, zb.skb],
        message: `${zb.id} (${zb.pages.join(", ")} from ${zb.skb}): no host reference since step ${since}, and the owner was never told`,
      };
      out.push(f);
      this.findings.push(f);
    }
    return out;
  }

  private onEvent(state: State, step: number, ev: EngineEvent, add: (f: Finding) => void): void {
    switch (ev.kind) {
      case "completion": {
        const first = this.completedAt.get(ev.buffer);
        if (first !== undefined) {
          add({
            kind: "duplicate",
            step,
            buffer: ev.buffer,
            objects: [ev.buffer],
            message: `${ev.buffer}: the owner is told complete again at step ${step} (${ev.via}); it was already told at step ${first}`,
          });
          return;
        }
        this.completing().set(ev.buffer, step);
        this.changed |= COMPLETED;
        if (ev.holders.length > 0) {
          this.markingPremature().add(ev.buffer);
          this.changed |= PREMATURE;
          const held = ev.holders.map((h) => describePageHolder(state, h));
          const holder = ev.holders[0].slice(ev.holders[0].indexOf(":") + 1);
          add({
            kind: "premature",
            step,
            buffer: ev.buffer,
            holder,
            objects: [...new Set(ev.holders.flatMap((h) => [h.slice(0, h.indexOf(":")), ...holderObjects(state, h.slice(h.indexOf(":") + 1))]))],
            message: `owner told complete at step ${step} (${ev.via}) while ${held.join("; ")}`,
          });
        }
        return;
      }
      case "owner_reuse": {
        // Reuse is the owner acting on a completion: judged only for pages
        // of a buffer the owner was told is complete.
        if (ev.holders.length === 0) return;
        let told: ZBuffer | undefined;
        for (const zb of this.buffersWith(state, ev.page)) {
          if (!zb.pages.includes(ev.page) || !this.completedAt.has(zb.id)) continue;
          told = zb;
          break;
        }
        if (!told) return;
        add({
          kind: "premature",
          step,
          buffer: told.id,
          holder: ev.holders[0],
          objects: [ev.page, ...ev.holders.flatMap((h) => holderObjects(state, h))],
          message: `the owner reuses ${ev.page} at step ${step}, as told at step ${this.completedAt.get(told.id)}, while it is held by ${ev.holders.map((h) => describeHolder(state, h)).join(", ")}`,
        });
        return;
      }
      case "read": {
        for (const zb of this.buffersWith(state, ev.page)) {
          const at = this.completedAt.get(zb.id);
          if (at === undefined || !zb.pages.includes(ev.page) || this.prematureBuffers.has(zb.id)) continue;
          this.markingPremature().add(zb.id);
          this.changed |= PREMATURE;
          add({
            kind: "premature",
            step,
            buffer: zb.id,
            objects: [ev.page],
            message: `${ev.by} reads ${ev.page} at step ${step}, after the owner was told complete at step ${at}`,
          });
        }
        return;
      }
      case "page_freed": {
        if (ev.holders.length === 0) return;
        add({
          kind: "use-after-free",
          step,
          objects: [ev.page, ...ev.holders.flatMap((h) => holderObjects(state, h))],
          message: `${ev.page} went back to the page allocator at step ${step} while ${ev.holders.map((h) => describeHolder(state, h)).join(", ")} still points at it`,
        });
        return;
      }
      case "unreachable":
        add({ kind: "unreachable", step, objects: [], message: `step ${step}: ${ev.text}` });
        return;
      case "dangling":
        add({ kind: "use-after-free", step, objects: [ev.object, ev.holder.split(".")[0]], holder: ev.holder, message: `${ev.text} (step ${step})` });
        return;
      case "pp_return": {
        // A page recycled into its pool's ring is the driver's next RX
        // buffer: like a page back at the allocator, nothing may still map
        // it (whatever the policy; page-pool also judges its completion).
        if (ev.how !== "recycled" || ev.holders.length === 0) return;
        add({
          kind: "use-after-free",
          step,
          objects: [ev.page, ...ev.holders.flatMap((h) => holderObjects(state, h))],
          message: `${ev.page} went back to page_pool ${ev.pool} at step ${step}, for the driver's next RX, while ${ev.holders.map((h) => describeHolder(state, h)).join(", ")} still maps it`,
        });
        return;
      }
      case "write": {
        // An in-place write is a corruption whoever else maps the bytes,
        // whatever the completion policy.
        if (ev.holders.length === 0) return;
        add({
          kind: "shared-write",
          step,
          holder: ev.holders[0],
          objects: [ev.page, ...ev.holders.flatMap((h) => holderObjects(state, h))],
          message: `${ev.by} writes into ${ev.page} in place at step ${step} while ${ev.holders.map((h) => describeHolder(state, h)).join(", ")} still maps it`,
        });
        return;
      }
      case "refcount_underflow":
        add({
          kind: "refcount-underflow",
          step,
          objects: [ev.page],
          message: `${ev.by} puts ${ev.page} at step ${step}, but its refcount is already 0`,
        });
        return;
      default:
        return;
    }
  }

  private checkConservation(state: State, index: StepIndex, step: number, id: string, add: (f: Finding) => void): void {
    const page = state.pages.get(id as PageId);
    if (!page) return;
    if (this.holderCount(state, page.name) === page.refcount) {
      if (this.badConservationMap?.delete(id)) this.changed |= BAD_CONS;
      return;
    }
    const holders = index.holders(page.name);
    const sig = `${page.refcount}/${holders.join(",")}`;
    if (this.badConservationMap?.get(id) === sig) return;
    this.badConservation.set(id, sig);
    this.changed |= BAD_CONS;
    add({
      kind: "conservation",
      step,
      objects: [id],
      message: `${id}: refcount ${page.refcount} but ${holders.length} holder${holders.length === 1 ? "" : "s"}${holders.length ? ` (${holders.join(", ")})` : ""}`,
    });
  }

  /** Whether a buffer not told complete holds one of `pages`. */
  private openBufferHolds(state: State, pages: ReadonlySet<string>): boolean {
    if (!this.tracked) {
      for (const zb of this.openBuffers(state)) for (const p of zb.pages) if (pages.has(p)) return true;
      return false;
    }
    // From the pages' side: a step touches a few pages, a long trace holds many buffers.
    for (const p of pages) for (const id of this.tracked.buffersWith(p as PageId)) if (this.isOpen(id)) return true;
    return false;
  }

  private idle(state: State, zb: ZBuffer): boolean {
    if (zb.pages.length === 0) return false;
    for (const p of zb.pages) if ((state.pages.get(p)?.refcount ?? 0) !== 0 || this.holderCount(state, p) !== 0) return false;
    return true;
  }

  /** lookup.ts holderCount, from the tracked references when kept. */
  private holderCount(state: State, page: PageId): number {
    if (!this.tracked) return holderCount(state, page);
    const p = state.pages.get(page);
    return (p?.caller ?? 0) + (p?.pp_in_pool ? 1 : 0) + this.tracked.refsOf(page) + (state.caches.pfrag?.page === page ? 1 : 0);
  }

  /** The buffers not told complete yet, in table order. */
  private openBuffers(state: State): ZBuffer[] {
    const out: ZBuffer[] = [];
    if (!this.tracked) {
      for (const zb of state.buffers.values()) if (!this.completedAt.has(zb.id)) out.push(zb);
      return out;
    }
    for (const id of this.tracked.openBuffers(this.isOpen)) {
      const zb = state.buffers.get(id);
      if (zb && !this.completedAt.has(id)) out.push(zb);
    }
    return out;
  }

  /**
   * The buffers that may hold `page`, in table order: from the tracked
   * index when kept, else every buffer (callers test the pages).
   */
  private buffersWith(state: State, page: PageId): Iterable<ZBuffer> {
    if (!this.tracked) return state.buffers.values();
    const ids = this.tracked.buffersWith(page);
    if (ids.length === 0) return NO_ZBUFFERS;
    return ids.map((id) => state.buffers.get(id)!);
  }

  /** Queue entries whose skb is alive (receive queues, then the device queue). */
  private roots(state: State): readonly Root[] {
    if (this.tracked) return this.tracked.roots();
    const out: Root[] = [];
    for (const sock of state.socks.values()) for (const skb of sock.queue) if (state.skbs.has(skb)) out.push({ sock: sock.name, skb });
    for (const skb of state.devq.keys()) if (state.skbs.has(skb)) out.push({ sock: null, skb });
    return out;
  }

  private checkBuffers(state: State, index: StepIndex, step: number, add: (f: Finding) => void): void {
    // Idleness first (it only words "missed" findings), for the buffers
    // whose pages' counts and holders changed: the others are as idle as
    // they were.
    const recheck = !this.tracked ? "all" : this.tracked.idleToRedo();
    if (recheck === "all") for (const zb of this.openBuffers(state)) this.noteIdle(state, zb, step);
    else
      for (const id of recheck) {
        const zb = this.isOpen(id) ? state.buffers.get(id) : undefined;
        if (zb) this.noteIdle(state, zb, step);
      }
    let roots: readonly Root[] | null = null;
    // Every open buffer not late found no outside holder when last asked:
    // if nothing a walk from the queues reads changed since, none would now
    // either. (The pipes a policy that waits on page holders asks about
    // depend on every page reference: asked every time.)
    const redo = !this.tracked ? "all" : this.tracked.walksToRedo(state);
    const fresh = redo === "all" ? NO_ROOTS : redo.roots;
    const pipes = this.mechanism.waitsOnPageHolders && state.pipes.size > 0;
    if (!pipes && redo !== "all" && redo.buffers.size === 0 && fresh.length === 0) return;
    for (const zb of this.walkableBuffers(state)) {
      // Every root when its walks may have changed, else the new ones only.
      const walk = redo === "all" || redo.buffers.has(zb.id) ? (roots ??= this.roots(state)) : fresh;
      if (walk.length === 0 && !pipes) continue;
      const outside = this.outsideHolders(state, index, zb, walk);
      if (outside.length) {
        this.markingLate().add(zb.id);
        this.changed |= LATE;
        add({
          kind: "late",
          step,
          buffer: zb.id,
          holder: outside[0].label,
          objects: [...new Set([...zb.pages, ...outside.flatMap((o) => o.objects)])],
          message: `${zb.id}: completion now waits on ${outside.map((o) => o.label).join(", ")}, outside the host stack's control, for as long as it likes`,
        });
      }
    }
  }

  /** When the buffer went idle (kept for the "missed" finding's words). */
  private noteIdle(state: State, zb: ZBuffer, step: number): void {
    if (!this.idle(state, zb)) this.idleSinceMap?.delete(zb.id);
    else if (!this.idleSince.has(zb.id)) this.idleSince.set(zb.id, step);
  }

  /** The buffers neither told complete nor late, in table order. */
  private walkableBuffers(state: State): ZBuffer[] {
    if (!this.tracked) return this.openBuffers(state).filter((zb) => !this.lateBuffers.has(zb.id));
    const out: ZBuffer[] = [];
    for (const id of this.tracked.walkableBuffers(this.isWalkable)) {
      const zb = state.buffers.get(id);
      if (zb) out.push(zb);
    }
    return out;
  }

  /** The holders outside the stack that the policy's completion waits on. */
  private outsideHolders(state: State, index: StepIndex, zb: ZBuffer, roots: readonly Root[]): Outside[] {
    // Allocated on the first holder found: most checks find none (every step, every open buffer).
    let out: Map<string, Outside> | null = null;
    if (this.mechanism.waitsOnPageHolders && state.pipes.size > 0) {
      for (const p of zb.pages) {
        for (const h of index.holders(p)) {
          const pipe = /^(.+)\.bufs\[\d+\]$/.exec(h);
          if (pipe) out = put(out, `${pipe[1]} (pipe, ${p})`, [pipe[1]]);
        }
      }
    }
    // A receive queue and the device's transmit queue hold skbs: does one
    // of them, or an skb on a chain of frag_lists below it (a frag_list
    // member is freed only with its head), keep the completion back? (An
    // entry whose skb is freed leads nowhere: only live ones are walked.)
    for (const { sock, skb } of roots) {
      const chain = this.chainTo(state, zb, skb, null);
      if (!chain) continue;
      if (sock) out = put(out, `${sock} (receive queue, ${chainText(chain)})`, [sock, ...chain]);
      // "@dev": the device's name among a finding's objects (no trace name starts with @).
      else out = put(out, `the device queue (${chainText(chain)})`, ["@dev", ...chain]);
    }
    return out ? [...out.values()] : NO_OUTSIDE;
  }

  /**
   * The skbs from `name` down frag_list links to one whose completion the
   * policy waits on (`name` itself first), or null.
   */
  private chainTo(state: State, zb: ZBuffer, name: SkbId, seen: Set<SkbId> | null): SkbId[] | null {
    if (seen) {
      if (seen.has(name)) return null;
      seen.add(name);
    }
    const skb = state.skbs.get(name);
    const data = skb && state.datas.get(skb.head);
    if (!skb || !data) return null;
    if (this.mechanism.waitsOnSkb(state, zb, skb, data)) return [name];
    if (data.frag_list.length === 0) return null;
    // The walk's first skb: `seen` is made when a chain goes below it.
    seen ??= new Set([name]);
    for (const member of data.frag_list) {
      const rest = this.chainTo(state, zb, member, seen);
      if (rest) return [name, ...rest];
    }
    return null;
  }
}

/** A holder outside the stack: how the finding names it, and the objects on its chain. */
interface Outside {
  readonly label: string;
  readonly objects: readonly string[];
}

const NO_OUTSIDE: Outside[] = [];
const NO_ZBUFFERS: readonly ZBuffer[] = [];
const NO_ROOTS: readonly Root[] = [];

/** One holder per label (the first found keeps its place). */
function put(out: Map<string, Outside> | null, label: string, objects: string[]): Map<string, Outside> {
  return (out ?? new Map<string, Outside>()).set(label, { label, objects });
}

/** "t → frag_list a" for the chain [t, a]. */
function chainText(chain: readonly SkbId[]): string {
  return chain.join(" → frag_list ");
}

/** Who holds each page in one state, worked out for the pages a check asks about. */
class StepIndex {
  // Made on the first question: most steps' checks find nothing to ask.
  private byPage: Map<PageId, readonly string[]> | null = null;
  constructor(private readonly state: State) {}

  holders(page: PageId): readonly string[] {
    let list = this.byPage?.get(page);
    if (!list) (this.byPage ??= new Map()).set(page, (list = countedHoldersOf(this.state, page)));
    return list;
  }
}
