// SPDX-License-Identifier: GPL-2.0-only
/**
 * What the checker reads at every step, kept up to date from each step's
 * writes (an in-place replay hands them over) instead of scanning tables
 * that only grow over a long trace: pages (host pages stay, freed), ubufs,
 * armed buffers, and the device and receive queues (a freed skb's name
 * stays queued: the kernel's dangling pointer).
 *
 *  - refs: per page, the references Datas (head page, frags without
 *    SKBFL_MANAGED_FRAG_REFS), pipe buffers and io_uring pins hold: what
 *    lookup.ts holderCount adds to the page's own caller and pool holds.
 *  - open: the armed buffers not yet told complete, in table order.
 *  - roots: the queue entries (receive queues, then the device queue, in
 *    their order) whose skb is alive, what Checker.outsideHolders walks.
 *  - withPage: per page, the buffers whose pages include it, in table
 *    order (a read or reuse of a page asks which buffers were told).
 *
 * Every figure equals what the scans give (checker tests and the fast
 * path = pure path property test compare them). Without a step's writes
 * (the search's pure steps) nothing is kept and the checker scans.
 */
import { firstWrite, writesSeen, type WriteLog } from "../model/tx";
import type { BufferId, Data, PageId, Pipe, SkbId, SockId, State, TableName, Ubuf, ZBuffer } from "../model/types";

/** A queue entry whose skb is alive: the socket (null: the device) and the skb. */
export interface Root {
  readonly sock: SockId | null;
  readonly skb: SkbId;
}

/** Whether two records of a Data hold the same page references (records share unchanged arrays). */
function sameDataRefs(a: Data, b: Data): boolean {
  return a.head_page === b.head_page && a.frags === b.frags && !a.managed_frag_refs === !b.managed_frag_refs;
}

/** Adds `sign` for each page reference a Data holds (lookup.ts holderCount's rule). */
function dataRefs(refs: Map<PageId, number>, d: Data, sign: number): void {
  if (d.head_page) bump(refs, d.head_page, sign);
  if (!d.managed_frag_refs) for (const f of d.frags) bump(refs, f.page, sign);
}

function pipeRefs(refs: Map<PageId, number>, p: Pipe, sign: number): void {
  for (const b of p.bufs) bump(refs, b.page, sign);
}

function ubufRefs(refs: Map<PageId, number>, u: Ubuf, sign: number): void {
  if (u.pins) for (const p of u.pins) bump(refs, p, sign);
}

const NO_KEYS: ReadonlySet<string> = new Set();
const NO_BUFFERS: readonly BufferId[] = [];
const NO_ROOTS: readonly Root[] = [];
const NOTHING_TO_REDO: Redo = { buffers: NO_KEYS, roots: NO_ROOTS };
const NO_DIRT: ReadonlySet<Root> = new Set();
const NO_PAGES: readonly PageId[] = [];

/** What the checker walks again (walksToRedo): every root for the buffers written, the new roots for the others. */
export interface Redo {
  readonly buffers: ReadonlySet<string>;
  readonly roots: readonly Root[];
}

/** Whether the step deleted a key of the table (its key order is logged before). */
function deletedIn(log: WriteLog, table: TableName): boolean {
  for (let i = 0; i < log.length; i += 4) if (log[i + 1] === null && log[i] === table) return true;
  return false;
}

/** The pages a Data, pipe or ubuf record may count a reference to (a superset: for idleness). */
function pagesOf(into: Set<PageId>, table: "datas" | "pipes" | "ubufs", r: Data | Pipe | Ubuf): void {
  if (table === "datas") {
    const d = r as Data;
    if (d.head_page) into.add(d.head_page);
    for (const f of d.frags) into.add(f.page);
  } else if (table === "pipes") for (const b of (r as Pipe).bufs) into.add(b.page);
  else for (const p of (r as Ubuf).pins ?? NO_PAGES) into.add(p);
}

function bump(refs: Map<PageId, number>, page: PageId, by: number): void {
  const n = (refs.get(page) ?? 0) + by;
  if (n === 0) refs.delete(page);
  else refs.set(page, n);
}

export class Tracked {
  private readonly refs = new Map<PageId, number>();
  /** Buffer ids in table order, completed ones dropped lazily by the checker. */
  private open: BufferId[] = [];
  /** The same, late ones dropped too (lazily: a buffer told or late stays so). */
  private walkable: BufferId[] = [];
  /**
   * Since the checker last asked idleToRedo: pages whose record, counted
   * references or task frag cache changed, and buffers written; a buffer
   * holding none of those pages, not written, is as idle as it was.
   */
  private readonly idlePages = new Set<PageId>();
  private readonly idleBuffers = new Set<BufferId>();
  private idleAll = true;
  private pfrag: PageId | null = null;
  private sockRoots: Root[] = [];
  /** Each socket's queue array when its roots were last read (rebuildSockRoots, updateSockRoots). */
  private queues = new Map<SockId, readonly SkbId[]>();
  /** Each socket's place in the sockets table (a new key goes to its end; sockets are never deleted). */
  private sockPlace = new Map<SockId, number>();
  private devRoots: Root[] = [];
  /**
   * Every skb name ever seen on a queue, alive or not (a superset: does a
   * new skb revive an entry? Never in a trace, whose names are used once).
   */
  private readonly queued = new Set<string>();
  /**
   * Writes to skbs and Datas since the checker last walked the queues, and
   * whether those steps wrote what else a walk reads.
   */
  private readonly wroteSkbs = new Set<string>();
  private readonly wroteDatas = new Set<string>();
  private readonly wroteUbufs = new Set<string>();
  /** Buffers written (armed, told, their pages changed): each is walked again. */
  private wroteBuffers = new Set<string>();
  /** The set walksToRedo handed out last (in use until the next call): swapped, not copied. */
  private handedOut = new Set<string>();
  /** walkChanged's working set and stack, kept between calls. */
  private readonly walkSeen = new Set<string>();
  private readonly walkStack: string[] = [];
  /** Walk everything next time: nothing walked yet, or too much was written to remember. */
  private walkAll = true;
  /**
   * The root entries as of the last walk (by identity: an entry stays the
   * same object while its queue keeps it), and the lists they came from.
   */
  private walked = new Set<Root>();
  private walkedSock: readonly Root[] | null = null;
  private walkedDev: readonly Root[] | null = null;
  /** Per page, the buffers holding it, sorted by their place in the buffers table. */
  private readonly withPage = new Map<PageId, BufferId[]>();
  /** Each buffer's place in the buffers table (a new key goes to its end; buffers are never deleted). */
  private readonly bufferPlace = new Map<BufferId, number>();

  /** Built from the whole state (the first step of a pass). */
  constructor(state: State, isOpen: (id: BufferId) => boolean) {
    this.pfrag = state.caches.pfrag?.page ?? null;
    for (const d of state.datas.values()) dataRefs(this.refs, d, 1);
    for (const p of state.pipes.values()) pipeRefs(this.refs, p, 1);
    for (const u of state.ubufs.values()) ubufRefs(this.refs, u, 1);
    for (const zb of state.buffers.values()) {
      if (isOpen(zb.id)) {
        this.open.push(zb.id);
        this.walkable.push(zb.id);
      }
      this.placeBuffer(zb.id);
      this.bufferPages(zb.id, zb.pages, 1);
    }
    this.rebuildSockRoots(state);
    this.rebuildDevRoots(state);
  }

  /** References the page's Datas, pipe buffers and pins hold. */
  refsOf(page: PageId): number {
    return this.refs.get(page) ?? 0;
  }

  /** Open buffer ids in table order; `isOpen` drops the ones told complete since. */
  openBuffers(isOpen: (id: BufferId) => boolean): readonly BufferId[] {
    for (const id of this.open) {
      if (isOpen(id)) continue;
      this.open = this.open.filter(isOpen);
      break;
    }
    return this.open;
  }

  /** Open buffer ids in table order that `keep` keeps (not told, not late); a buffer dropped once stays dropped. */
  walkableBuffers(keep: (id: BufferId) => boolean): readonly BufferId[] {
    for (const id of this.walkable) {
      if (keep(id)) continue;
      this.walkable = this.walkable.filter(keep);
      break;
    }
    return this.walkable;
  }

  /** The buffers whose pages include `page`, in table order. */
  buffersWith(page: PageId): readonly BufferId[] {
    return this.withPage.get(page) ?? NO_BUFFERS;
  }

  /** Queue entries with a live skb: receive queues first, then the device queue. */
  roots(): readonly Root[] {
    return this.devRoots.length === 0 ? this.sockRoots : this.sockRoots.length === 0 ? this.devRoots : [...this.sockRoots, ...this.devRoots];
  }

  /**
   * Which walks from the queues (Checker.outsideHolders through waitsOnSkb,
   * which reads the buffer, the skb, its Data and that Data's ubuf) the
   * steps since the last call may have changed: "all" the first time (or
   * after too many writes to remember); else every root for the buffers
   * written (a new buffer is walked first here) and, for the others, the
   * live entries that were not there at the last walk or whose chain of
   * frag_lists had an skb, Data or ubuf written. Every other walk gives what it
   * gave before (the same records along the same chains; an skb freed off
   * a chain only shortens it; an entry gone takes its chain away).
   */
  walksToRedo(state: State): "all" | Redo {
    const all = this.walkAll;
    const dirty = all ? NO_DIRT : this.dirtyRoots(state);
    this.wroteSkbs.clear();
    this.wroteDatas.clear();
    this.wroteUbufs.clear();
    this.walkAll = false;
    const again = this.rootsToWalk(all, dirty);
    if (all) {
      this.wroteBuffers.clear();
      return "all";
    }
    if (this.wroteBuffers.size === 0) return again.length ? { buffers: NO_KEYS, roots: again } : NOTHING_TO_REDO;
    // The caller is done with the set handed out last time: it collects from now on.
    const buffers = this.wroteBuffers;
    this.wroteBuffers = this.handedOut;
    this.wroteBuffers.clear();
    this.handedOut = buffers;
    return { buffers, roots: again };
  }

  /**
   * The live entries to walk again, in order: those not there at the last
   * walk and the `dirty` ones (none asked when all are walked); the live
   * entries are the walked ones from now.
   */
  private rootsToWalk(all: boolean, dirty: ReadonlySet<Root>): readonly Root[] {
    const same = this.sockRoots === this.walkedSock && this.devRoots === this.walkedDev;
    if (same && dirty.size === 0) return NO_ROOTS;
    const now = this.roots();
    const again = all ? NO_ROOTS : now.filter((r) => !this.walked.has(r) || dirty.has(r));
    if (!same) {
      this.walked = new Set(now);
      this.walkedSock = this.sockRoots;
      this.walkedDev = this.devRoots;
    }
    return again;
  }

  /**
   * The entries walked last time (and still live) with an skb, Data or
   * ubuf written on their chain of frag_lists since, as the chains stand
   * now. (The new entries are walked anyway: an skb put on a queue was
   * usually written in that step.)
   */
  private dirtyRoots(state: State): ReadonlySet<Root> {
    if (this.wroteSkbs.size === 0 && this.wroteDatas.size === 0 && this.wroteUbufs.size === 0) return NO_DIRT;
    let dirty: Set<Root> | null = null;
    for (const r of this.sockRoots) if (this.walked.has(r) && this.chainWritten(state, r.skb)) (dirty ??= new Set()).add(r);
    for (const r of this.devRoots) if (this.walked.has(r) && this.chainWritten(state, r.skb)) (dirty ??= new Set()).add(r);
    return dirty ?? NO_DIRT;
  }

  private chainWritten(state: State, root: SkbId): boolean {
    const seen = this.walkSeen;
    const stack = this.walkStack;
    seen.clear();
    stack.length = 0;
    stack.push(root);
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      if (this.wroteSkbs.has(name)) return true;
      const skb = state.skbs.get(name as SkbId);
      if (!skb) continue;
      if (this.wroteDatas.has(skb.head)) return true;
      const data = state.datas.get(skb.head);
      if (!data) continue;
      if (data.zcopy && this.wroteUbufs.has(data.zcopy.ubuf)) return true;
      for (const m of data.frag_list) stack.push(m);
    }
    return false;
  }

  /** Follow one step's writes; `state` is the state after it. */
  update(state: State, writes: WriteLog): void {
    // Long without a walk: say "changed" rather than remember every name.
    if (this.wroteSkbs.size + this.wroteDatas.size + this.wroteUbufs.size + this.wroteBuffers.size > 4096) {
      this.wroteSkbs.clear();
      this.wroteDatas.clear();
      this.wroteUbufs.clear();
      this.wroteBuffers.clear();
      this.walkAll = true;
    }
    if (this.idlePages.size + this.idleBuffers.size > 4096) {
      this.idlePages.clear();
      this.idleBuffers.clear();
      this.idleAll = true;
    }
    // Writes to skbs, Datas and ubufs matter to walks already made: with no
    // buffer open before this step there are none (a buffer this step adds
    // is walked as written), so nothing is kept (a long trace without
    // buffers would fill the sets with every name it frees).
    const chains = this.open.length > 0;
    const pfrag = state.caches.pfrag?.page ?? null;
    if (pfrag !== this.pfrag) {
      if (chains && this.pfrag) this.idlePages.add(this.pfrag);
      if (chains && pfrag) this.idlePages.add(pfrag);
      this.pfrag = pfrag;
    }
    let socks = false;
    const wroteSocks: SockId[] = [];
    let devq = false;
    let skbsGone = false;
    let revived = false;
    // The device queue in place: a new key goes to its end, a deleted one
    // leaves; a step that deletes and sets keys again is rebuilt whole.
    const devAdded: SkbId[] = [];
    let devRemoved = false;
    let devKept = false;
    const seen = writesSeen(writes);
    for (let i = 0; i < writes.length; i += 4) {
      if (!firstWrite(writes, i, seen)) continue;
      const table = writes[i] as TableName;
      const key = writes[i + 1] as string;
      const before = writes[i + 2];
      const had = writes[i + 3] as boolean;
      switch (table) {
        case "datas": {
          if (chains) this.wroteDatas.add(key);
          const now = state.datas.get(key as Data["id"]);
          // Most writes change a count (dataref, len), not the pages held.
          if (had && now && sameDataRefs(before as Data, now)) continue;
          if (had) dataRefs(this.refs, before as Data, -1);
          if (now) dataRefs(this.refs, now, 1);
          if (chains) this.refsChanged("datas", had ? (before as Data) : undefined, now);
          continue;
        }
        case "pipes": {
          const now = state.pipes.get(key as Pipe["name"]);
          if (had && now && (before as Pipe).bufs === now.bufs) continue;
          if (had) pipeRefs(this.refs, before as Pipe, -1);
          if (now) pipeRefs(this.refs, now, 1);
          if (chains) this.refsChanged("pipes", had ? (before as Pipe) : undefined, now);
          continue;
        }
        case "ubufs": {
          if (chains) this.wroteUbufs.add(key);
          const now = state.ubufs.get(key as Ubuf["name"]);
          if (had && now && (before as Ubuf).pins === now.pins) continue;
          if (had) ubufRefs(this.refs, before as Ubuf, -1);
          if (now) ubufRefs(this.refs, now, 1);
          if (chains) this.refsChanged("ubufs", had ? (before as Ubuf) : undefined, now);
          continue;
        }
        case "pages":
          if (chains) this.idlePages.add(key as PageId);
          continue;
        case "buffers": {
          this.wroteBuffers.add(key);
          this.idleBuffers.add(key as BufferId);
          const now = state.buffers.get(key as BufferId);
          // A new key goes to the end of the table, as in the Map.
          if (!had && now) {
            this.open.push(key as BufferId);
            this.walkable.push(key as BufferId);
            this.placeBuffer(key as BufferId);
          }
          const was = had ? (before as ZBuffer).pages : NO_PAGES;
          const pages = now ? now.pages : NO_PAGES;
          if (was !== pages) {
            this.bufferPages(key as BufferId, was, -1);
            this.bufferPages(key as BufferId, pages, 1);
          }
          continue;
        }
        case "socks":
          socks = true;
          wroteSocks.push(key as SockId);
          continue;
        case "devq":
          if (!had && state.devq.has(key as SkbId)) devAdded.push(key as SkbId);
          else if (had && !state.devq.has(key as SkbId)) devRemoved = true;
          else if (had) devKept = true;
          continue;
        case "skbs": {
          if (chains) this.wroteSkbs.add(key);
          const now = state.skbs.has(key as SkbId);
          if (had && !now) skbsGone = true;
          // A new skb under a queued name would revive its entry.
          else if (!had && now && this.queued.has(key)) socks = devq = revived = true;
          continue;
        }
        default:
          continue;
      }
    }
    if (revived) this.rebuildSockRoots(state);
    else if (socks) this.updateSockRoots(state, wroteSocks, skbsGone);
    else if (skbsGone && this.sockRoots.length) this.sockRoots = this.sockRoots.filter((r) => state.skbs.has(r.skb));
    // A delete logs the table's key order first (Tx.delete): a key deleted
    // and set again within the step moved to the end.
    if (!devq && (devKept || devAdded.length) && deletedIn(writes, "devq")) devq = true;
    if (devq) this.rebuildDevRoots(state);
    else {
      if ((devRemoved || skbsGone) && this.devRoots.length) this.devRoots = this.devRoots.filter((r) => state.skbs.has(r.skb) && state.devq.has(r.skb));
      for (const skb of devAdded) {
        this.queued.add(skb);
        // A new array, never pushed into: update() compares the entries before and after by identity first.
        if (state.skbs.has(skb)) this.devRoots = [...this.devRoots, { sock: null, skb }];
      }
    }
  }

  private refsChanged(table: "datas" | "pipes" | "ubufs", before: Data | Pipe | Ubuf | undefined, now: Data | Pipe | Ubuf | undefined): void {
    if (before) pagesOf(this.idlePages, table, before);
    if (now) pagesOf(this.idlePages, table, now);
  }

  /**
   * The buffers whose idleness (every page at refcount 0 with no holder)
   * may have changed since the last call ("all" the first time, or after
   * too many writes to remember): the buffers written and those holding a
   * page whose record, counted references or task frag cache changed.
   */
  idleToRedo(): "all" | ReadonlySet<BufferId> {
    if (this.idleAll) {
      this.idleAll = false;
      this.idlePages.clear();
      this.idleBuffers.clear();
      return "all";
    }
    const out = new Set<BufferId>(this.idleBuffers);
    for (const p of this.idlePages) for (const id of this.buffersWith(p)) out.add(id);
    this.idlePages.clear();
    this.idleBuffers.clear();
    return out;
  }

  private placeBuffer(id: BufferId): void {
    if (!this.bufferPlace.has(id)) this.bufferPlace.set(id, this.bufferPlace.size);
  }

  /** Enter (sign 1) or leave (-1) the buffer in its pages' lists. */
  private bufferPages(id: BufferId, pages: readonly PageId[], sign: 1 | -1): void {
    for (const page of pages) {
      const list = this.withPage.get(page);
      if (sign < 0) {
        if (!list) continue;
        const at = list.indexOf(id);
        if (at >= 0) list.splice(at, 1);
        if (!list.length) this.withPage.delete(page);
        continue;
      }
      if (!list) {
        this.withPage.set(page, [id]);
        continue;
      }
      if (list.includes(id)) continue;
      const mine = this.bufferPlace.get(id)!;
      let at = list.length;
      while (at > 0 && this.bufferPlace.get(list[at - 1])! > mine) at--;
      list.splice(at, 0, id);
    }
  }

  /** Every receive queue read again. */
  private rebuildSockRoots(state: State): void {
    const roots: Root[] = [];
    const queues = new Map<SockId, readonly SkbId[]>();
    const place = new Map<SockId, number>();
    for (const sock of state.socks.values()) {
      queues.set(sock.name, sock.queue);
      place.set(sock.name, place.size);
      for (const skb of sock.queue) {
        this.queued.add(skb);
        if (state.skbs.has(skb)) roots.push({ sock: sock.name, skb });
      }
    }
    this.queues = queues;
    this.sockPlace = place;
    this.sockRoots = roots;
  }

  /**
   * Only the sockets the step wrote are read again: every other keeps its
   * entries (those of skbs still alive). A long trace makes sockets it
   * never closes, so reading them all per step would cost the whole table.
   */
  private updateSockRoots(state: State, written: readonly SockId[], skbsGone: boolean): void {
    let fresh: Map<SockId, Root[]> | null = null;
    for (const name of written) {
      const sock = state.socks.get(name);
      if (!sock) return this.rebuildSockRoots(state);
      if (this.queues.get(name) === sock.queue) continue;
      if (!this.sockPlace.has(name)) this.sockPlace.set(name, this.sockPlace.size);
      this.queues.set(name, sock.queue);
      const roots: Root[] = [];
      for (const skb of sock.queue) {
        this.queued.add(skb);
        if (state.skbs.has(skb)) roots.push({ sock: name, skb });
      }
      (fresh ??= new Map()).set(name, roots);
    }
    if (!fresh) {
      if (skbsGone && this.sockRoots.length) this.sockRoots = this.sockRoots.filter((r) => state.skbs.has(r.skb));
      return;
    }
    // Roots stay grouped by socket in table order: the unchanged groups, the new ones at their places.
    const groups = new Map<SockId, Root[]>();
    for (const r of this.sockRoots) {
      if (fresh.has(r.sock!) || !state.skbs.has(r.skb)) continue;
      const group = groups.get(r.sock!);
      if (group) group.push(r);
      else groups.set(r.sock!, [r]);
    }
    for (const [name, roots] of fresh) if (roots.length) groups.set(name, roots);
    const order = [...groups.keys()].sort((x, y) => this.sockPlace.get(x)! - this.sockPlace.get(y)!);
    const roots: Root[] = [];
    for (const name of order) for (const r of groups.get(name)!) roots.push(r);
    this.sockRoots = roots;
  }

  private rebuildDevRoots(state: State): void {
    const roots: Root[] = [];
    for (const skb of state.devq.keys()) {
      this.queued.add(skb);
      if (state.skbs.has(skb)) roots.push({ sock: null, skb });
    }
    this.devRoots = roots;
  }
}
