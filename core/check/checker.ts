/**
 * The invariant checker: after every step, findings as data.
 *
 *  premature    the owner is told complete, or reuses a page, or the host
 *               reads a page after completion, while a host holder still
 *               references the page
 *  duplicate    a second completion of one buffer
 *  missed       no host reference is left, nothing armed is left to tell
 *               the owner, and it was never told
 *  late         completion waits on a holder outside the network stack
 *               (a pipe, a socket receive queue): without bound
 *  use-after-free, double-free, refcount-underflow, conservation (each
 *               page's refcount equals the holders that account for it)
 *  kernel-bug   a step the kernel would BUG on (skb_over_panic, BUG_ON):
 *               the machine is down, whatever the policy
 *
 * A policy's verdict on a trace: kernel-bug > premature > duplicate >
 * missed > late > ok.
 */
import { isKernelBug, type EngineError, type EngineEvent } from "../model/events";
import { holderCount, holdersIndex, skbsOfData } from "../model/lookup";
import type { BufferId, Data, PageId, PolicyId, Skb, State, TableName, ZBuffer } from "../model/types";
import { describeHolder, describePageHolder } from "./describe";

export type FindingKind =
  | "premature"
  | "duplicate"
  | "missed"
  | "late"
  | "use-after-free"
  | "double-free"
  | "refcount-underflow"
  | "conservation"
  | "kernel-bug";

export type Verdict = "ok" | "kernel-bug" | "premature" | "duplicate" | "missed" | "late";
export const VERDICT_ORDER: readonly Verdict[] = ["kernel-bug", "premature", "duplicate", "missed", "late", "ok"];

export interface Finding {
  readonly kind: FindingKind;
  readonly step: number;
  readonly message: string;
  /** Names of the objects involved (pages, skbs, Datas, pipes, sockets). */
  readonly objects: readonly string[];
  readonly buffer?: BufferId;
  readonly holder?: string;
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  for (const v of VERDICT_ORDER) if (v !== "ok" && findings.some((f) => f.kind === v)) return v;
  return "ok";
}

/** Objects named in a holder string ("h2.frags[0]" -> h2 and its skbs). */
function holderObjects(state: State, holder: string): string[] {
  const m = /^([^.:]+)\./.exec(holder);
  if (!m) return [];
  const out = [m[1]];
  if (/^h\d+$/.test(m[1])) out.push(...skbsOfData(state, m[1] as never));
  return out;
}

export class Checker {
  private readonly findings: Finding[] = [];
  private readonly completedAt = new Map<BufferId, number>();
  private readonly prematureBuffers = new Set<BufferId>();
  private readonly lateBuffers = new Set<BufferId>();
  private readonly idleSince = new Map<BufferId, number>();
  private readonly badConservation = new Map<string, string>();

  constructor(readonly policy: PolicyId) {}

  all(): readonly Finding[] {
    return this.findings;
  }

  /** Findings raised by this step. */
  /**
   * `touchedTables`, when given, lets the buffer checks run only when what
   * they read may have changed (the replay knows; the search does not).
   */
  afterStep(
    state: State,
    events: readonly EngineEvent[],
    error: EngineError | undefined,
    touched: ReadonlySet<string>,
    touchedTables?: ReadonlySet<TableName>,
  ): Finding[] {
    const out: Finding[] = [];
    const step = state.step;
    const add = (f: Finding) => {
      out.push(f);
      this.findings.push(f);
    };
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
    if (tables.has("socks") || tables.has("pipes") || tables.has("buffers") || tables.has("ubufs")) return true;
    for (const zb of state.buffers.values()) {
      if (zb.pages.some((p) => touched.has(p))) return true;
    }
    // A Data or skb change matters for queued skbs only.
    if (tables.has("datas") || tables.has("skbs")) {
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
      if (this.stillArmed(state, zb)) continue;
      const since = this.idleSince.get(zb.id) ?? state.step;
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
        this.completedAt.set(ev.buffer, step);
        if (ev.holders.length > 0) {
          this.prematureBuffers.add(ev.buffer);
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
        const told = [...state.buffers.values()].find((zb) => zb.pages.includes(ev.page) && this.completedAt.has(zb.id));
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
        for (const zb of state.buffers.values()) {
          const at = this.completedAt.get(zb.id);
          if (at === undefined || !zb.pages.includes(ev.page) || this.prematureBuffers.has(zb.id)) continue;
          this.prematureBuffers.add(zb.id);
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
      case "dangling":
        add({ kind: "use-after-free", step, objects: [ev.object, ev.holder.split(".")[0]], holder: ev.holder, message: `${ev.text} (step ${step})` });
        return;
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
    const page = state.pages.get(id as never);
    if (!page) return;
    if (holderCount(state, page.name) === page.refcount) {
      this.badConservation.delete(id);
      return;
    }
    const holders = index.holders(page.name);
    const sig = `${page.refcount}/${holders.join(",")}`;
    if (this.badConservation.get(id) === sig) return;
    this.badConservation.set(id, sig);
    add({
      kind: "conservation",
      step,
      objects: [id],
      message: `${id}: refcount ${page.refcount} but ${holders.length} holder${holders.length === 1 ? "" : "s"}${holders.length ? ` (${holders.join(", ")})` : ""}`,
    });
  }

  /** Whether the policy's mechanism for zb still exists somewhere. */
  private stillArmed(state: State, zb: ZBuffer): boolean {
    switch (this.policy) {
      case "page-refs":
        return false;
      case "destructor": {
        const d = state.skbs.get(zb.skb)?.destructor;
        return d?.fn === "zerocopy_complete" && d.buffer === zb.id;
      }
      case "shinfo-release":
        for (const d of state.datas.values()) if (d.release === zb.id) return true;
        return false;
      case "ubuf-orphan":
      case "msg-zerocopy":
        for (const d of state.datas.values()) {
          if (d.zcopy && state.ubufs.get(d.zcopy.ubuf)?.buffer === zb.id) return true;
        }
        return false;
    }
  }

  private idle(state: State, zb: ZBuffer): boolean {
    return zb.pages.length > 0 && zb.pages.every((p) => (state.pages.get(p)?.refcount ?? 0) === 0 && holderCount(state, p) === 0);
  }

  private checkBuffers(state: State, index: StepIndex, step: number, add: (f: Finding) => void): void {
    for (const zb of state.buffers.values()) {
      if (this.completedAt.has(zb.id)) continue;
      if (this.idle(state, zb)) {
        if (!this.idleSince.has(zb.id)) this.idleSince.set(zb.id, step);
      } else {
        this.idleSince.delete(zb.id);
      }
      if (this.lateBuffers.has(zb.id)) continue;
      const outside = this.outsideHolders(state, index, zb);
      if (outside.length) {
        this.lateBuffers.add(zb.id);
        add({
          kind: "late",
          step,
          buffer: zb.id,
          holder: outside[0],
          objects: [...zb.pages, ...outside.map((o) => o.split(" ")[0])],
          message: `${zb.id}: completion now waits on ${outside.join(", ")}, outside the network stack, for as long as it likes`,
        });
      }
    }
  }

  /** The holders outside the stack that the policy's completion waits on. */
  private outsideHolders(state: State, index: StepIndex, zb: ZBuffer): string[] {
    const out: string[] = [];
    if (this.policy === "page-refs" && state.pipes.size > 0) {
      for (const p of zb.pages) {
        for (const h of index.holders(p)) {
          const pipe = /^(.+)\.bufs\[\d+\]$/.exec(h);
          if (pipe) out.push(`${pipe[1]} (pipe, ${p})`);
        }
      }
    }
    // A receive queue holds skbs: does a queued skb keep the completion back?
    for (const sock of state.socks.values()) {
      for (const name of sock.queue) {
        const skb = state.skbs.get(name);
        const data = skb && state.datas.get(skb.head);
        if (skb && data && this.waitsOn(state, zb, skb, data)) out.push(`${sock.name} (receive queue, ${name})`);
      }
    }
    return [...new Set(out)];
  }

  /** Whether the policy's completion of zb waits for this skb or its Data. */
  private waitsOn(state: State, zb: ZBuffer, skb: Skb, data: Data): boolean {
    switch (this.policy) {
      case "page-refs":
        return data.frags.some((f) => zb.pages.includes(f.page));
      case "destructor":
        return skb.name === zb.skb && skb.destructor?.fn === "zerocopy_complete";
      case "shinfo-release":
        return data.release === zb.id;
      case "ubuf-orphan":
      case "msg-zerocopy":
        return !!data.zcopy && state.ubufs.get(data.zcopy.ubuf)?.buffer === zb.id;
    }
  }
}

/** Who holds what in one state, computed in one pass when a check needs it. */
class StepIndex {
  private byPage: Map<PageId, string[]> | null = null;
  constructor(private readonly state: State) {}

  holders(page: PageId): readonly string[] {
    this.byPage ??= holdersIndex(this.state);
    return this.byPage.get(page) ?? NONE;
  }
}

const NONE: readonly never[] = Object.freeze([]);
