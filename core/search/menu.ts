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
 * The menu also keeps the contracts callers keep and the engine does not
 * check, so that a counterexample is a path the kernel could take:
 *  - an skb on a socket's receive queue belongs to its reader: only
 *    skb_copy_datagram_iter(), skb_splice_bits() (tcp_read_sock) and
 *    sk_eat_skb() touch it, and those run on queued skbs only;
 *  - __skb_header_release() runs on an skb nobody has cloned yet (TCP
 *    calls it before the first transmit clone);
 *  - operations that would do nothing (skb_orphan without a destructor,
 *    skb_orphan_frags without zero-copy state, skb_shift from an skb with
 *    linear bytes) are not offered;
 *  - the trace's caller never takes or drops page references of its own
 *    (get_page, put_page), never reuses a page before it is told complete
 *    (owner_reuse), and arms nothing more (zerocopy_arm): those are the
 *    owner's moves, not the kernel's.
 * Whatever else a kernel check or precondition refuses, the engine refuses,
 * and the search prunes that step.
 */
import { headlen } from "../model/lookup";
import type { Data, KernelId, Skb, SkbId, SockId, State } from "../model/types";
import { OPS } from "../ops";
import type { Arg, TraceOp } from "../trace/ast";

/** Operations that never move a page out of the armed Data by themselves. */
export const BASE_OPS: readonly string[] = [
  "alloc_skb",
  "skb_get",
  "kfree_skb",
  "kfree_skb_list",
  "skb_clone",
  "sock_queue_rcv_skb",
  "skb_copy_datagram_iter",
  "sk_eat_skb",
  "pipe_release",
  "kfree_skb_partial",
];

/**
 * The operations a search "through" an operation is about: each is tried
 * with BASE_OPS alone (searchThrough), so its shortest counterexample is
 * not hidden by a shorter one through another operation.
 */
export const ROOT_OPS: readonly string[] = [
  "pskb_copy",
  "skb_split",
  "pskb_expand_head",
  "skb_splice_bits",
  "skb_segment",
  "skb_shift",
  "skb_try_coalesce",
  "skb_zerocopy",
  "__pskb_pull_tail",
  "skb_linearize",
  "pskb_trim",
  "skb_copy",
  "skb_orphan",
  "__skb_header_release",
  "skb_recycle_check",
  "skb_orphan_frags",
  "skb_orphan_frags_rx",
  "skb_copy_ubufs",
];

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
const EXPAND_HEAD: readonly (readonly [number, number])[] = [
  [0, 0],
  [64, 0],
];
/** skb_recycle_check(): a driver's receive buffer size (gianfar-like). */
const RECYCLE_SIZE = 1536;
const NEW_SKB_SIZE = 256;
const MAX_SOCKETS = 1;

const ref = (name: string): Arg => {
  const m = /^(.+)\[(\d+)\]$/.exec(name);
  return m ? { kind: "ref", name: m[1], index: Number(m[2]) } : { kind: "ref", name };
};
const int = (value: number): Arg => ({ kind: "int", value });
const kw = (value: "true" | "false"): Arg => ({ kind: "kw", value });

function taken(state: State, name: string): boolean {
  return (
    state.skbs.has(name as SkbId) ||
    state.pages.has(name as never) ||
    state.pipes.has(name as never) ||
    state.socks.has(name as never) ||
    state.graves.has(name) ||
    state.skbs.has(`${name}[0]` as SkbId) ||
    state.graves.has(`${name}[0]`)
  );
}

/** The first name of the sequence not used in this trace. */
export function freshName(state: State, kind: "skb" | "pipe" | "sock" | "list"): string {
  const seq =
    kind === "skb" ? SKB_NAMES : kind === "pipe" ? ["q"] : kind === "sock" ? ["s"] : ["segs"];
  for (const name of seq) if (!taken(state, name)) return name;
  const base = seq[0];
  for (let i = 2; ; i++) if (!taken(state, `${base}${i}`)) return `${base}${i}`;
}

/** Where a length argument can make a difference to this skb. */
export function cutPoints(skb: Skb, data: Data): number[] {
  const hl = headlen(skb);
  const out = [0, hl];
  if (hl > 1) out.push(Math.floor(hl / 2));
  let at = hl;
  for (const f of data.frags) {
    if (f.size > 1) out.push(at + Math.floor(f.size / 2));
    at += f.size;
    out.push(at);
  }
  return [...new Set(out)].filter((x) => x >= 0 && x <= skb.len).sort((x, y) => x - y);
}

/** Segment lists (name -> member names, dead members included). */
function segmentLists(state: State): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  // By name, not table order: the search undoes steps in place, which
  // reorders a Map, and a step's index among the candidates must depend
  // on the state alone.
  for (const name of [...state.skbs.keys()].sort()) {
    const m = /^(.+)\[(\d+)\]$/.exec(name);
    if (!m || lists.has(m[1])) continue;
    const members: string[] = [];
    for (let i = 0; ; i++) {
      const member = `${m[1]}[${i}]`;
      if (!state.skbs.has(member as SkbId) && !state.graves.has(member)) break;
      members.push(member);
    }
    lists.set(m[1], members);
  }
  return lists;
}

/** One search step: one operation, or two for a delivery to a new socket. */
export type Step = readonly TraceOp[];

/**
 * The next steps to try from `state`, in a fixed order: operations in the
 * order of `ops` (see menuOps), then skbs, sockets and pipes by name, then
 * arguments in increasing order.
 */
export function candidates(state: State, ops: readonly string[]): Step[] {
  const out: Step[] = [];
  const skbs = [...state.skbs.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const queuedOn = new Map<SkbId, SockId>();
  for (const sock of state.socks.values()) for (const s of sock.queue) queuedOn.set(s, sock.name);
  const free = skbs.filter((s) => !queuedOn.has(s.name));
  const queued = skbs.filter((s) => queuedOn.has(s.name));
  const dataOf = (skb: Skb): Data | undefined => state.datas.get(skb.head);
  const socks = [...state.socks.keys()].sort();
  const pipes = [...state.pipes.keys()].sort();
  const one = (fn: string, args: Arg[], result?: string): TraceOp => (result ? { fn, result, args } : { fn, args });
  const op = (fn: string, args: Arg[], result?: string): Step => [one(fn, args, result)];

  for (const fn of ops) {
    switch (fn) {
      case "alloc_skb":
        out.push(op(fn, [int(NEW_SKB_SIZE)], freshName(state, "skb")));
        break;
      case "skb_get":
      case "kfree_skb":
        for (const s of free) out.push(op(fn, [ref(s.name)]));
        break;
      case "kfree_skb_list":
        for (const [list, members] of segmentLists(state)) {
          if (members.every((m) => state.skbs.has(m as SkbId) && !queuedOn.has(m as SkbId))) out.push(op(fn, [ref(list)]));
        }
        break;
      case "skb_clone":
      case "skb_copy":
      case "pskb_copy":
        for (const s of free) out.push(op(fn, [ref(s.name)], freshName(state, "skb")));
        break;
      case "__skb_header_release":
        for (const s of free) if (!s.cloned && !s.nohdr) out.push(op(fn, [ref(s.name)]));
        break;
      case "pskb_expand_head":
        for (const s of free) {
          if (s.users !== 1) continue;
          for (const [nhead, ntail] of EXPAND_HEAD) out.push(op(fn, [ref(s.name), int(nhead), int(ntail)]));
        }
        break;
      case "skb_split":
        for (const s of free) {
          const d = dataOf(s);
          if (d) for (const len of cutPoints(s, d)) out.push(op(fn, [ref(s.name), int(len)], freshName(state, "skb")));
        }
        break;
      case "__pskb_pull_tail":
        for (const s of free) {
          const d = dataOf(s);
          if (!d || s.data_len === 0) continue;
          const hl = headlen(s);
          for (const c of cutPoints(s, d)) if (c > hl && c - hl <= s.data_len) out.push(op(fn, [ref(s.name), int(c - hl)]));
        }
        break;
      case "skb_linearize":
        for (const s of free) if (s.data_len > 0) out.push(op(fn, [ref(s.name)]));
        break;
      case "pskb_trim":
        for (const s of free) {
          const d = dataOf(s);
          if (d) for (const len of cutPoints(s, d)) if (len < s.len) out.push(op(fn, [ref(s.name), int(len)]));
        }
        break;
      case "skb_try_coalesce":
        for (const to of free) for (const from of free) if (to !== from) out.push(op(fn, [ref(to.name), ref(from.name)]));
        break;
      case "kfree_skb_partial":
        for (const s of free) if (dataOf(s)?.head_stolen) out.push(op(fn, [ref(s.name), kw("true")]));
        break;
      case "skb_shift":
        for (const tgt of free) {
          for (const s of free) {
            const d = dataOf(s);
            if (tgt === s || !d || headlen(s) !== 0 || s.data_len === 0) continue;
            for (const len of cutPoints(s, d)) if (len > 0) out.push(op(fn, [ref(tgt.name), ref(s.name), int(len)]));
          }
        }
        break;
      case "skb_zerocopy":
        for (const to of free) {
          if (dataOf(to)?.frags.length) continue;
          for (const from of free) {
            if (to === from || from.len === 0) continue;
            const hlen = from.head_frag ? 0 : headlen(from);
            if (!from.head_frag && hlen === 0) continue;
            out.push(op(fn, [ref(to.name), ref(from.name), int(from.len), int(hlen)]));
          }
        }
        break;
      case "skb_segment":
        for (const s of free) {
          if (s.len === 0 || dataOf(s)?.frag_list.length) continue;
          for (const mss of [...new Set([s.len, Math.ceil(s.len / 2)])]) out.push(op(fn, [ref(s.name), int(mss)], freshName(state, "list")));
        }
        break;
      case "skb_splice_bits":
        for (const s of queued) if (s.len > 0) out.push(op(fn, [ref(s.name), int(0), int(s.len)], freshName(state, "pipe")));
        break;
      case "pipe_release":
        for (const q of pipes) out.push(op(fn, [ref(q)]));
        break;
      case "sock_queue_rcv_skb": {
        const sk = state.socks.size < MAX_SOCKETS ? freshName(state, "sock") : null;
        for (const s of free) {
          for (const existing of socks) out.push(op(fn, [ref(existing), ref(s.name)]));
          if (sk) out.push([one("sock_create", [], sk), one(fn, [ref(sk), ref(s.name)])]);
        }
        break;
      }
      case "skb_copy_datagram_iter":
        for (const s of queued) if (s.len > 0) out.push(op(fn, [ref(s.name), int(0), int(s.len)]));
        break;
      case "sk_eat_skb":
        for (const s of queued) out.push(op(fn, [ref(queuedOn.get(s.name)!), ref(s.name)]));
        break;
      case "skb_orphan":
        for (const s of free) if (s.destructor) out.push(op(fn, [ref(s.name)]));
        break;
      case "skb_orphan_frags":
      case "skb_orphan_frags_rx":
      case "skb_copy_ubufs":
        for (const s of free) if (dataOf(s)?.zcopy) out.push(op(fn, [ref(s.name)]));
        break;
      case "skb_recycle_check":
        for (const s of free) out.push(op(fn, [ref(s.name), int(RECYCLE_SIZE)]));
        break;
      default:
        break;
    }
  }
  return out;
}
