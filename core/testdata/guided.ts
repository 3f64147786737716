// SPDX-License-Identifier: GPL-2.0-only
/**
 * Model-guided random traces for property tests and benchmarks: each
 * operation's arguments are picked among the objects alive at that point,
 * so most steps succeed (a few deliberately name dead or unknown objects).
 * A trace is a pure function of a list of random numbers, so fast-check
 * can shrink it. Each operation's maker is its spec's `fuzz` (core/ops):
 * a new operation joins the generator with its registry line.
 */
import { applyOp, type StepOutcome } from "../engine/apply";
import { queueHolding, queuesHolding } from "../model/queues";
import { emptyState, thaw, type WriteLog } from "../model/tx";
import type { KernelId, Page, PageId, PolicyId, SkbId, State } from "../model/types";
import { OPS, type Draw, type FuzzCtx } from "../ops";
import { ref } from "../ops/spec";
import type { Arg, Trace, TraceOp } from "../trace/ast";

export type { Draw };

/**
 * The kernel's own skbs (~s1, ...: kernelClone, esp_input's copies) have
 * names no trace can write: the generator never picks them.
 */
const nameable = (name: string) => !name.startsWith("~");
const skbNames = (s: State) => ([...s.skbs.keys()] as string[]).filter(nameable);
/** Skbs no receive queue holds: the ones a caller may free. */
const freeable = (s: State) => {
  const queued = new Set([...s.socks.values()].flatMap((k) => k.queue as readonly string[]));
  return skbNames(s).filter((n) => !queued.has(n));
};
const unfreed = (p: Page) => !p.freed;
const pageCache = (p: Page) => p.owner === "file" && !p.freed;
const pageNames = (s: State) => [...s.pages.values()].filter(unfreed).map((p) => p.name as string);
const filePages = (s: State) => [...s.pages.values()].filter(pageCache).map((p) => p.name as string);
/** (socket, skb) for each receive-queue entry whose skb is alive, sockets in table order, entries in queue order. */
const liveQueued = (s: State) =>
  [...s.socks.values()].flatMap((k) => k.queue.filter((n) => s.skbs.has(n) && nameable(n)).map((n) => [k.name as string, n as string] as const));
const argName = (arg: Arg) => (arg.kind !== "ref" ? "" : arg.index === undefined ? arg.name : `${arg.name}[${arg.index}]`);

/** The lists the generator reads at (nearly) every draw. */
export interface Lookups {
  livePages(s: State): readonly string[];
  filePages(s: State): readonly string[];
  freeable(s: State): readonly string[];
  liveQueued(s: State): readonly (readonly [string, string])[];
}

/** The lookups by scanning the tables (any state). */
export const SCANNED: Lookups = { livePages: pageNames, filePages, freeable, liveQueued };

/**
 * The pages a test holds for (pageNames, filePages), in the pages table's
 * order, kept from each step's writes instead of scanned. The table keeps freed pages and
 * a long guided trace leaks pages (left to the test of conservation), so
 * scanning it at every draw made a long trace's generation quadratic
 * (100k draws 4.3 s, 200k 18.6 s). A Map puts a new key at its end, so a
 * page's place is the count of insertions before its own; the live list
 * stays sorted by it.
 */
class PageList {
  private readonly place = new Map<string, number>();
  private inserted = 0;
  private readonly live: string[] = [];
  private readonly isLive = new Set<string>();

  constructor(
    state: State,
    private readonly holds: (p: Page) => boolean,
  ) {
    for (const p of state.pages.values()) {
      this.place.set(p.name, this.inserted++);
      if (holds(p)) this.add(p.name);
    }
  }

  get names(): readonly string[] {
    return this.live;
  }

  /** After a step that succeeded in place: its writes (StepOutcome.writes) and the state after it. */
  update(state: State, writes: WriteLog): void {
    for (let i = 0; i < writes.length; i += 4) {
      const key = writes[i + 1];
      if (writes[i] !== "pages" || key === null) continue;
      // A write to a key the table lacked put it at the end (deleted and made again: moved).
      if (!writes[i + 3]) {
        this.drop(key as string);
        this.place.set(key as string, this.inserted++);
      }
    }
    for (let i = 0; i < writes.length; i += 4) {
      const key = writes[i + 1] as string;
      if (writes[i] !== "pages" || key === null) continue;
      const page = state.pages.get(key as PageId);
      if (!page) this.place.delete(key);
      if (!page || !this.holds(page)) this.drop(key);
      else this.add(key);
    }
  }

  private drop(name: string): void {
    if (!this.isLive.delete(name)) return;
    this.live.splice(this.live.lastIndexOf(name), 1);
  }

  private add(name: string): void {
    if (this.isLive.has(name)) return;
    this.isLive.add(name);
    const mine = this.place.get(name)!;
    let at = this.live.length;
    while (at > 0 && this.place.get(this.live[at - 1])! > mine) at--;
    this.live.splice(at, 0, name);
  }
}

/**
 * Where each name sits in one receive queue, made once per queue array
 * (records are immutable: a socket whose queue did not change keeps its
 * array). Entries of freed skbs stay (the model keeps them dangling), so
 * the queues grow with a long trace: scanning them all at every draw made
 * its generation quadratic.
 */
const queueIndexes = new WeakMap<readonly string[], Map<string, number[]>>();

function queueIndex(queue: readonly string[]): Map<string, number[]> {
  let at = queueIndexes.get(queue);
  if (at) return at;
  at = new Map();
  queue.forEach((n, i) => {
    const list = at!.get(n);
    if (list) list.push(i);
    else at!.set(n, [i]);
  });
  queueIndexes.set(queue, at);
  return at;
}

/**
 * The generator's lookups kept up to date from each step (the same lists
 * as SCANNED, in the same order: the same draws make the same trace),
 * each O(live skbs) or O(1) per draw.
 */
export class GuidedIndex implements Lookups {
  private readonly pages: PageList;
  private readonly files: PageList;
  private readonly socks = new Map<string, number>();

  constructor(state: State) {
    this.pages = new PageList(state, unfreed);
    this.files = new PageList(state, pageCache);
    for (const k of state.socks.keys()) this.socks.set(k, this.socks.size);
  }

  /** After each step run in place on the state the lookups are asked about. */
  stepped(state: State, out: StepOutcome): void {
    if (out.writes) {
      this.pages.update(state, out.writes);
      this.files.update(state, out.writes);
      // Sockets are never deleted, and a Map puts a new key at its end.
      for (let i = 0; i < out.writes.length; i += 4) {
        const key = out.writes[i + 1] as string;
        if (out.writes[i] === "socks" && key !== null && !this.socks.has(key)) this.socks.set(key, this.socks.size);
      }
    }
  }

  livePages(): readonly string[] {
    return this.pages.names;
  }

  filePages(): readonly string[] {
    return this.files.names;
  }

  /** Live skbs on no receive queue: each asked of the queue index (model/queues.ts), not every socket scanned. */
  freeable(s: State): readonly string[] {
    return skbNames(s).filter((n) => queueHolding(s.socks, n as SkbId) === null);
  }

  /** From the live skbs' side: the sockets a long trace leaves open are never read. */
  liveQueued(s: State): readonly (readonly [string, string])[] {
    const entries: [place: number, at: number, sock: string, skb: string][] = [];
    for (const n of skbNames(s)) {
      for (const k of queuesHolding(s.socks, n as SkbId)) {
        const queue = s.socks.get(k)!.queue;
        for (const i of queueIndex(queue).get(n)!) entries.push([this.sockPlace(s, k), i, k, n]);
      }
    }
    entries.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    return entries.map(([, , k, n]) => [k, n] as const);
  }

  /** A socket's place in the sockets table (counted by stepped(); read again whole if a step was not handed over). */
  private sockPlace(s: State, sock: string): number {
    let place = this.socks.get(sock);
    if (place === undefined) {
      this.socks.clear();
      for (const k of s.socks.keys()) this.socks.set(k, this.socks.size);
      place = this.socks.get(sock)!;
    }
    return place;
  }
}

type Maker = (c: FuzzCtx, d: Draw) => TraceOp | readonly TraceOp[] | null;

/** Every operation's maker (its spec's `fuzz`), weighted, in the registry's order. */
const MAKERS: readonly [number, Maker][] = [...OPS.values()].map((spec) => [spec.fuzz.weight, (c, d) => spec.fuzz.make(c, d, spec.fn)]);

const TOTAL = MAKERS.reduce((n, [w]) => n + w, 0);

export const GUIDED_SETUP = `g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)`;

/**
 * Keep a long trace's live set bounded (benchmarks): past `maxLive` skbs
 * or pages, frees instead of allocations; few pipes, sockets and buffers.
 */
function rebalance(c: FuzzCtx, d: Draw, maxLive: number, look: Lookups): TraceOp | null {
  const s = c.state;
  const victims = look.freeable(s);
  if (s.skbs.size > maxLive && victims.length) return { fn: "kfree_skb", args: [ref(c.pick(victims, d[1])!)] };
  if (s.pipes.size > 3) return { fn: "pipe_release", args: [ref(c.pick([...s.pipes.keys()] as string[], d[1])!)] };
  // Queue entries another path already freed stay dangling; eat live ones.
  const live = look.liveQueued(s);
  if (live.length > 6) {
    const [k, n] = c.pick(live, d[1])!;
    return { fn: "sk_eat_skb", args: [ref(k), ref(n)] };
  }
  return null;
}

const LIMITED: Record<string, (s: State, maxLive: number) => boolean> = {
  alloc_page: (s, m) => s.pages.size > m,
  sock_create: (s) => s.socks.size > 3,
  zerocopy_arm: (s) => s.buffers.size > 8,
};

/** What the makers see of a state (read through `current`, which the generator advances). */
export function makerContext(current: () => State, look: Lookups = SCANNED): FuzzCtx {
  let counter = 0;
  const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);
  return {
    get state() {
      return current();
    },
    fresh: (prefix) => `${prefix}${counter++}`,
    pick,
    skbArg: (n) => {
      // One time in sixteen, a name that is freed or never existed: error paths.
      if (n % 16 === 15) return ref(n % 32 === 15 ? "zz" : (current().graves.keys().next().value ?? "zz"));
      const name = pick(skbNames(current()), n);
      return name ? ref(name) : null;
    },
    freeable: (n) => pick(look.freeable(current()), n),
    page: (n) => pick(look.livePages(current()), n),
    filePage: (n) => pick(look.filePages(current()), n),
    lenOf: (arg) => (arg ? (current().skbs.get(argName(arg) as SkbId)?.len ?? 0) : 0),
    within: (len, n) => (len > 0 ? [0, 1, Math.floor(len / 3), Math.floor(len / 2), len - 1, len][n % 6] : 0),
  };
}

/** Build a trace from draws; `setup` ops run first. */
export function guidedTrace(draws: readonly Draw[], kernel: KernelId, policy: PolicyId, setup: readonly TraceOp[] = [], maxLive = Infinity): Trace {
  // A private working state stepped in place: pure steps would copy the
  // ever-growing graves table at every free.
  let state = thaw(emptyState(kernel, policy));
  const look = new GuidedIndex(state);
  const ops: TraceOp[] = [];
  const c = makerContext(() => state, look);
  const push = (op: TraceOp) => {
    ops.push(op);
    const out = applyOp(state, op, "inplace");
    state = out.state;
    look.stepped(state, out);
  };
  setup.forEach(push);
  for (const d of draws) {
    let w = d[0] % TOTAL;
    let maker = MAKERS[0][1];
    for (const [weight, m] of MAKERS) {
      if (w < weight) {
        maker = m;
        break;
      }
      w -= weight;
    }
    const forced = maxLive < Infinity ? rebalance(c, d, maxLive, look) : null;
    const made = forced ?? maker(c, d);
    if (!made) continue;
    const list: readonly TraceOp[] = Array.isArray(made) ? made : [made as TraceOp];
    if (!forced && list.some((op) => LIMITED[op.fn]?.(state, maxLive))) continue;
    list.forEach(push);
  }
  return { ops };
}
