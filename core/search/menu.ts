// SPDX-License-Identifier: GPL-2.0-only
/**
 * The argument menu: every operation the search may try next from a state,
 * with a finite set of arguments that can make a difference.
 *
 * Lengths are taken where skb_split(), pskb_trim() and __pskb_pull_tail()
 * branch: 0, inside the linear part, at skb_headlen(), inside each frag
 * and at each frag's end. pskb_expand_head() gets nhead 0 or 64 (ntail 0),
 * skb_segment() an mss of the whole length or half of it. New objects get
 * the first free name of a fixed list (b, c, d, ...; q for pipes, s for
 * sockets, segs for segment lists), so a name depends on the state alone.
 *
 * A step is one operation, except local delivery to a socket that does not
 * exist yet: `s = sock_create()` then `sock_queue_rcv_skb(s, a)` is one
 * step (creating a socket alone changes no lifetime), so delivery, splice
 * and the reader's free are three steps, as the semantics reference counts.
 *
 * The menu keeps the caller contracts of core/ops/contracts.ts, the table
 * the engine enforces too (skb_split strictly inside the skb, as
 * tcp_fragment; splice and copy only from a receive queue; frags at
 * nr_frags ...): candidates() drops every step that breaks one, so a
 * counterexample is a path the kernel could take, and a step the engine
 * refuses as a precondition is never offered. Besides, to keep the search
 * small:
 *  - an skb on a frag_list belongs to the list's head: the menu never
 *    names it (the caller's reference went to the list), so a start state
 *    with a frag_list is not blamed for freeing a list-owned skb;
 *  - an skb on a socket's receive queue belongs to its reader: only
 *    skb_copy_datagram_iter(), skb_splice_bits() (tcp_read_sock) and
 *    sk_eat_skb() touch it (another holder with a reference of its own
 *    could, but the start state has none);
 *  - __pskb_pull_tail() pulls at most data_len (pskb_may_pull() calls it
 *    only for len <= skb->len);
 *  - operations that would do nothing (skb_orphan without a destructor,
 *    skb_orphan_frags without zero-copy state, skb_shift from an skb with
 *    linear bytes) are not offered;
 *  - the trace's caller never takes or drops page references of its own
 *    (get_page, put_page), never reuses a page before it is told complete
 *    (owner_reuse), and arms nothing more (zerocopy_arm): those are the
 *    owner's moves, not the kernel's.
 * Whatever else a kernel check or precondition refuses, the engine refuses,
 * and the search prunes that step.
 *
 * Each operation's entry (its role, and the steps it offers from a state)
 * lives in its spec's `search` field (core/ops/*.ts), next to the code it
 * models; an op the search never tries says why there. This module builds
 * what the entries see and keeps the naming rules.
 */
import type { Data, KernelId, PageId, PipeId, Skb, SkbId, SockId, State } from "../model/types";
import { OPS, type MenuCtx, type OpSpec, type SearchSpec, type Step } from "../ops";
import { cutPoints } from "../ops/spec";

export { cutPoints };
export type { Step };

/** The menu's entry of an op the search tries. */
const searchOf = (spec: OpSpec): SearchSpec | null => ("steps" in spec.search ? spec.search : null);
const withRole = (role: SearchSpec["role"]): string[] =>
  [...OPS.values()]
    .filter((spec) => searchOf(spec)?.role === role)
    .sort((x, y) => searchOf(x)!.order - searchOf(y)!.order)
    .map((spec) => spec.fn);
import { resolveArgs } from "../engine/apply";
import { brokenContract, receivesAs } from "../ops/contracts";

/** Operations that never move a page out of the armed Data by themselves. */
export const BASE_OPS: readonly string[] = withRole("base");

/**
 * The operations a search "through" an operation is about: each is tried
 * with BASE_OPS alone (searchThrough), so its shortest counterexample is
 * not hidden by a shorter one through another operation.
 */
export const ROOT_OPS: readonly string[] = withRole("root");

/** The default menu: every base and root operation the kernel has. */
export const DEFAULT_OPS: readonly string[] = [...BASE_OPS, ...ROOT_OPS];

/** Operations the menu can generate arguments for. */
export const SEARCHABLE_OPS: ReadonlySet<string> = new Set(DEFAULT_OPS);

/** The operations of `ops` that exist on `kernel`, in the operation table's order. */
export function menuOps(ops: readonly string[], kernel: KernelId): string[] {
  const wanted = new Set(ops);
  return [...OPS.values()]
    .filter((spec) => wanted.has(spec.fn) && SEARCHABLE_OPS.has(spec.fn) && (!spec.kernels || spec.kernels.includes(kernel)))
    .map((spec) => spec.fn);
}

const SKB_NAMES = "bcdefijklmnortuvwxyz".split("");

function taken(state: State, name: string): boolean {
  return (
    state.skbs.has(name as SkbId) ||
    state.pages.has(name as PageId) ||
    state.pipes.has(name as PipeId) ||
    state.socks.has(name as SockId) ||
    state.graves.has(name) ||
    state.skbs.has(`${name}[0]` as SkbId) ||
    state.graves.has(`${name}[0]`)
  );
}

/** The first name of the sequence not used in this trace. */
export function freshName(state: State, kind: "skb" | "pipe" | "sock" | "list"): string {
  const seq = kind === "skb" ? SKB_NAMES : kind === "pipe" ? ["q"] : kind === "sock" ? ["s"] : ["segs"];
  for (const name of seq) if (!taken(state, name)) return name;
  const base = seq[0];
  for (let i = 2; ; i++) if (!taken(state, `${base}${i}`)) return `${base}${i}`;
}

/**
 * The next steps to try from `state`, in a fixed order: operations in the
 * order of `ops` (see menuOps), then skbs, sockets and pipes by name, then
 * arguments in increasing order.
 */
export function candidates(state: State, ops: readonly string[]): Step[] {
  // The ops of a step after the first (sock_queue_rcv_skb after
  // sock_create) see the same skbs and queues, so one state judges them all.
  return allCandidates(state, ops).filter((step) => step.every((op) => !brokenContract(state, op.fn, resolveArgs(op))));
}

/** Every candidate, before the caller contracts are applied. */
function allCandidates(state: State, ops: readonly string[]): Step[] {
  const skbs = [...state.skbs.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const queuedOn = new Map<SkbId, SockId>();
  for (const sock of state.socks.values()) for (const s of sock.queue) queuedOn.set(s, sock.name);
  // A frag_list member is its head's: the caller handed its reference to
  // the list (skb_frag_add_head), so only the head is the caller's to use.
  const listed = new Set<SkbId>();
  for (const d of state.datas.values()) for (const x of d.frag_list) listed.add(x);
  // Every step of one state takes the same first free name of a kind.
  const freshByKind = new Map<string, string>();
  const m: MenuCtx = {
    state,
    free: skbs.filter((s) => !queuedOn.has(s.name) && !listed.has(s.name)),
    queued: skbs.filter((s) => queuedOn.has(s.name)),
    queuedOn,
    listed,
    socks: [...state.socks.keys()].sort(),
    pipes: [...state.pipes.keys()].sort(),
    dataOf: (skb: Skb): Data | undefined => state.datas.get(skb.head),
    fresh: (kind) => {
      let name = freshByKind.get(kind);
      if (name === undefined) freshByKind.set(kind, (name = freshName(state, kind)));
      return name;
    },
    receivers: (family) => {
      const socks = m.socks.filter((k) => receivesAs(state.socks.get(k), family));
      const fresh = socks.some((k) => state.socks.get(k)?.family === family) ? null : m.fresh("sock");
      return { socks, fresh };
    },
  };
  return ops.flatMap((fn) => {
    const spec = OPS.get(fn);
    const search = spec && searchOf(spec);
    return search ? search.steps(m, fn) : [];
  });
}
