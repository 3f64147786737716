// SPDX-License-Identifier: GPL-2.0-only
/**
 * Operation forms: which operations fit the selected object, and which
 * arguments each parameter may take (existing names of the right kind,
 * integers with the defaults of each op's spec). Pure, from the op table
 * the worker sends (core OPS) and the snapshot on screen.
 */
import type { KernelId, StateView } from "../core/index";
import type { FreshNames, OpDraft, OpInfo, ResultKind } from "./worker/protocol";

export type ParamKind = OpInfo["params"][number];
export type ArgValue = string | number | boolean;

export interface Candidates {
  readonly skb: readonly string[];
  readonly page: readonly string[];
  readonly pipe: readonly string[];
  readonly sock: readonly string[];
  readonly list: readonly string[];
  /** page_pool names: those the pages name, else the implicit "pool". */
  readonly pool: readonly string[];
}

/** A selected graph node as an operation argument: "skb:a" -> skb a. */
export interface Target {
  readonly kind: ParamKind;
  readonly name: string;
}

export function candidates(view: StateView | null): Candidates {
  if (!view) return { skb: [], page: [], pipe: [], sock: [], list: [], pool: ["pool"] };
  const skb = view.skbs.map((s) => s.name);
  const lists = new Set<string>();
  for (const name of skb) {
    const m = /^([A-Za-z_]\w*)\[\d+\]$/.exec(name);
    if (m) lists.add(m[1]);
  }
  return {
    skb,
    page: view.pages.filter((p) => !p.freed).map((p) => p.name),
    pipe: view.pipes.map((p) => p.name),
    sock: view.sockets.map((s) => s.name),
    list: [...lists],
    pool: [...new Set(["pool", ...view.pages.flatMap((p) => (p.pp ? [p.pp] : []))])],
  };
}

/** The operation argument a graph selection stands for (a Data: its first skb). */
export function targetOf(selection: string | null, view: StateView | null): Target | null {
  if (!selection || !view) return null;
  const at = selection.indexOf(":");
  const kind = selection.slice(0, at);
  const name = selection.slice(at + 1);
  switch (kind) {
    case "skb":
      return view.skbs.some((s) => s.name === name) ? { kind: "skb", name } : null;
    case "data": {
      const d = view.datas.find((x) => x.head === name);
      return d && d.skbs.length ? { kind: "skb", name: d.skbs[0] } : null;
    }
    case "page":
      return view.pages.some((p) => p.name === name && !p.freed) ? { kind: "page", name } : null;
    case "pipe":
    case "sock":
      return { kind, name };
    default:
      return null;
  }
}

const OBJECT_KINDS: readonly ParamKind[] = ["skb", "page", "pipe", "sock", "list"];

function available(op: OpInfo, kernel: KernelId): boolean {
  return op.kernels === null || op.kernels.includes(kernel);
}

/** Every required object parameter has at least one candidate. */
function satisfiable(op: OpInfo, c: Candidates): boolean {
  const required = op.params.length - op.optional;
  return op.params.every((p, i) => i >= required || !OBJECT_KINDS.includes(p) || c[p as keyof Candidates].length > 0);
}

/**
 * Operations for the selection: those taking an object of its kind. With
 * nothing selected: those that create something from nothing (alloc_*,
 * sock_create).
 */
export function opsFor(target: Target | null, ops: readonly OpInfo[], kernel: KernelId, c: Candidates, view: StateView | null = null): OpInfo[] {
  const clonedTarget = target?.kind === "skb" && isCloned(view?.skbs.find((s) => s.name === target.name));
  return ops.filter((op) => {
    if (!available(op, kernel)) return false;
    if (!target) return op.params.every((p) => !OBJECT_KINDS.includes(p));
    // skb_split on a cloned skb is a path no caller takes (it unclones first).
    if (clonedTarget && op.refusesCloned && op.params[0] === "skb") return false;
    // A tap's clone goes to a packet socket, never to an inet one (and so on).
    if (target.kind === "sock" && op.receivesAs && !fits(op, view, target.name)) return false;
    // Only a socket's reader copies, splices or eats a queued skb.
    if (op.readsQueue && view && !readable(op, view, target)) return false;
    return op.params.includes(target.kind) && satisfiable(op, c);
  });
}

/**
 * Sockets for `op`'s socket argument: of its family; for sk_eat_skb, the
 * one whose queue holds the selected skb, else one with a queue to eat from.
 */
function socketsFor(op: OpInfo, view: StateView | null, pool: readonly string[], target: Target | null): readonly string[] {
  const fitting = pool.filter((n) => fits(op, view, n));
  if (op.readsQueue !== "own" || !view) return fitting;
  const queuedOn = target?.kind === "skb" ? queueHolding(view, target.name) : null;
  if (queuedOn) return fitting.filter((n) => n === queuedOn);
  return fitting.filter((n) => hasQueued(view, n));
}

/** The receive queue (its socket) holding skb `name`, if any. */
const queueHolding = (view: StateView, name: string): string | null => view.skbs.find((s) => s.name === name)?.queue ?? null;

/** Socket `name` has an skb on its receive queue. */
const hasQueued = (view: StateView, name: string): boolean => (view.sockets.find((s) => s.name === name)?.queue.length ?? 0) > 0;

/** The socket may take what `op` queues: it is of the op's family, or has received nothing yet (Sock.family). */
function fits(op: OpInfo, view: StateView | null, sock: string): boolean {
  const family = view?.sockets.find((s) => s.name === sock)?.family;
  return !op.receivesAs || family === undefined || family === op.receivesAs;
}

/** The selection can be what `op` reads off a receive queue: a queued skb, or a socket whose queue holds one. */
function readable(op: OpInfo, view: StateView, target: Target): boolean {
  if (target.kind === "skb") return queueHolding(view, target.name) !== null;
  if (target.kind === "sock" && op.readsQueue === "own") return hasQueued(view, target.name);
  return true;
}

/**
 * The skbs `op` may take where it reads a receive queue: on the queue of
 * the socket already chosen ("own"), or on any queue.
 */
function queuedSkbs(op: OpInfo, view: StateView | null, pool: readonly string[], args: readonly ArgValue[]): readonly string[] {
  if (!op.readsQueue || !view) return pool;
  const sockAt = op.params.indexOf("sock");
  const sock = op.readsQueue === "own" && sockAt >= 0 && sockAt < args.length ? args[sockAt] : null;
  return pool.filter((n) => {
    const queue = queueHolding(view, n);
    return queue !== null && (sock === null || queue === sock);
  });
}

/** skb_cloned(): the flag, and the Data still shared (dataref's low half above 1). */
function isCloned(skb: StateView["skbs"][number] | undefined): boolean {
  return !!skb && skb.cloned && (skb.dataref & 0xffff) !== 1;
}

/**
 * Type-to-filter for the op picker: every word of the query in the op's
 * name or its group ("frag fill", "copy"), in table order.
 */
export function filterOps(ops: readonly OpInfo[], query: string): OpInfo[] {
  const words = query
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (!words.length) return [...ops];
  return ops.filter((op) => {
    const hay = `${op.fn} ${op.group}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Names one dry run: the draft, the step it goes after and the text it was tried on. */
export function dryRunKey(sourceRev: number, cursor: number, draft: OpDraft): string {
  return `${sourceRev}|${cursor}|${JSON.stringify(draft)}`;
}

/** Names for results: b, c, d ... for skbs; p1, p2 ... for pages. Names are never reused in a trace. */
export function freshName(kind: ResultKind, used: Iterable<string>): string {
  const taken = used instanceof Set ? (used as ReadonlySet<string>) : new Set(used);
  const first = (names: string[]) => names.find((n) => !taken.has(n));
  const numbered = (base: string) => {
    for (let i = 1; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
  };
  switch (kind) {
    case "skb":
      return first("bcdefjklmnorstuvwxy".split("")) ?? numbered("skb");
    case "page":
      return first(["p", "h"]) ?? numbered("p");
    case "pipe":
      return first(["q"]) ?? numbered("q");
    case "sock":
      return first(["s", "sk"]) ?? numbered("sk");
    case "list":
      return first(["segs"]) ?? numbered("segs");
  }
}

/** The fresh name of every result kind, from one set of the names in use. */
export function freshNames(used: Iterable<string>): FreshNames {
  const taken = new Set(used);
  return {
    skb: freshName("skb", taken),
    page: freshName("page", taken),
    pipe: freshName("pipe", taken),
    sock: freshName("sock", taken),
    list: freshName("list", taken),
  };
}

/** Default arguments: the selection in its slot, other objects, numbers that make sense for the skb at hand. */
export function defaultArgs(op: OpInfo, target: Target | null, view: StateView | null, c: Candidates): ArgValue[] {
  const args: ArgValue[] = [];
  const usedObjects: string[] = [];
  let targetPlaced = false;
  op.params.forEach((kind, i) => {
    if (i >= op.params.length - op.optional) return; // optional args start empty
    if (OBJECT_KINDS.includes(kind)) {
      const pool = c[kind as keyof Candidates];
      let pick: string | undefined;
      if (target && target.kind === kind && !targetPlaced) {
        pick = target.name;
        targetPlaced = true;
      } else {
        // A page for an skb: one it does not hold already (a second frag of the page just handed over is rarely meant).
        const held = kind === "page" ? pagesOf(view, args[0]) : NO_PAGES;
        // A socket the op may queue to, where there is one; an skb it may read off a queue.
        const fitting = kind === "sock" ? socketsFor(op, view, pool, target) : kind === "skb" ? queuedSkbs(op, view, pool, args) : pool;
        const from = fitting.length ? fitting : pool;
        pick = from.find((n) => !usedObjects.includes(n) && !held.has(n)) ?? from.find((n) => !usedObjects.includes(n)) ?? from[0];
      }
      usedObjects.push(pick ?? "");
      args.push(pick ?? "");
    } else if (kind === "owner") args.push("guest");
    else if (kind === "pool") args.push(c.pool[0] ?? "pool");
    else if (kind === "bool") args.push(false);
    else args.push(defaultInt(op, op.names[i], args, view));
  });
  return args;
}

const NO_PAGES: ReadonlySet<string> = new Set();

/** The pages an skb's Data holds (its frags and its head page), if `name` is an skb on screen. */
function pagesOf(view: StateView | null, name: ArgValue | undefined): ReadonlySet<string> {
  const skb = typeof name === "string" ? view?.skbs.find((s) => s.name === name) : undefined;
  if (!skb) return NO_PAGES;
  const data = view!.datas.find((d) => d.head === skb.head);
  return new Set([...skb.frags.map((f) => f.page), ...(data?.head_page ? [data.head_page] : [])]);
}

let registry: typeof import("../core/ops/index") | null = null;

/** Fetches the op specs (their form defaults) as a chunk of their own; the main bundle carries no engine. */
export async function loadOpDefaults(): Promise<void> {
  registry ??= await import("../core/ops/index");
}

export const opDefaultsLoaded = (): boolean => registry !== null;

/**
 * An int parameter's default: its op spec's form default (core/ops), from
 * the skbs the first two arguments name; 0 until the specs have arrived.
 */
function defaultInt(op: OpInfo, name: string, args: ArgValue[], view: StateView | null): number {
  const given = registry?.opSpec(op.fn)?.form?.[name];
  if (given === undefined) return 0;
  if (typeof given === "number") return given;
  const skb = view?.skbs.find((s) => s.name === args[0]);
  const from = view?.skbs.find((s) => s.name === args[1]);
  return given({ skb, from });
}

/** The draft the worker prints: a result name when the op makes one. */
export function draftOf(op: OpInfo, args: readonly (ArgValue | undefined)[], fresh: FreshNames): OpDraft {
  const given = args.filter((a): a is ArgValue => a !== undefined && a !== "");
  const optionalGiven = given.length > op.params.length - op.optional;
  const wantsResult = op.result !== null && !(op.resultUnlessOptional && optionalGiven);
  return { fn: op.fn, ...(wantsResult ? { result: fresh[op.result!] } : {}), args: given };
}
