// SPDX-License-Identifier: GPL-2.0-only
/**
 * What one trace operation is, for every part of skbscope that handles
 * operations: the parser (signature, kinds, C types), the engine (run),
 * the search menu (arguments that can make a difference), the random-trace
 * generators, the app's operation form (group, defaults), the permalink
 * codec (opcode), the docs tables and the kernel oracle (command name).
 *
 * Each op module exports its specs next to the functions that model them;
 * core/ops/index.ts only lists them. Adding an operation is its module,
 * its test and one line in that list; core/ops/registry.test.ts fails
 * while any consumer is left out.
 */
import { headlen } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { Data, KernelId, PageId, PipeId, Skb, SkbId, SockFamily, SockId, State } from "../model/types";
import type { Arg, TraceOp } from "../trace/ast";

/** What an argument must be. */
export type ParamKind = "skb" | "page" | "pipe" | "sock" | "list" | "int" | "owner" | "bool" | "pool";
export type ResultKind = "skb" | "page" | "pipe" | "sock" | "list";

/** A resolved argument: names as strings, numbers, keywords. */
export type ArgValue = string | number | boolean;

/** The value an argument of each kind resolves to: object names keep their brand. */
export interface KindValue {
  skb: SkbId;
  page: PageId;
  pipe: PipeId;
  sock: SockId;
  /** A segment list's base name (`segs`), not an object of its own. */
  list: string;
  int: number;
  owner: "guest" | "host";
  bool: boolean;
  /**
   * A page_pool's name. Pools are implicit: a name is a pool from its
   * first use (the model keeps no pool record; a pool's state is its
   * pages' page->pp and whether its ring holds them).
   */
  pool: string;
}

/** The resolved arguments of an operation with parameters P, each typed by its kind. */
export type ArgsOf<P extends readonly ParamKind[]> = { readonly [I in keyof P]: KindValue[P[I]] };

/**
 * The C type of the kernel function's parameter for an integer or boolean
 * argument (6.1 prototypes in include/linux/skbuff.h, net/core/skbuff.c),
 * for parse-time range checks; null for object and keyword parameters.
 */
export type CType = "int" | "unsigned int" | "u32" | "unsigned short" | "bool";

/** The app's operation picker groups operations so. */
import type { OpGroup } from "../model/opGroups";
export { OP_GROUPS, type OpGroup } from "../model/opGroups";

/** One row of the docs tables: a call as written in a trace, and what it models. */
export interface DocRow {
  readonly call: string;
  readonly models: string;
}

// --- the search menu ----------------------------------------------------------

/** One search step: one operation, or two for a delivery to a new socket. */
export type Step = readonly TraceOp[];

/** What a menu entry sees of the state (built once per state by core/search/menu.ts). */
export interface MenuCtx {
  readonly state: State;
  /** Live skbs no receive queue and no frag_list holds, by name. */
  readonly free: readonly Skb[];
  /** Live skbs on a receive queue, by name. */
  readonly queued: readonly Skb[];
  readonly queuedOn: ReadonlyMap<SkbId, SockId>;
  /** Skbs on some Data's frag_list (their head's, never the caller's to name). */
  readonly listed: ReadonlySet<SkbId>;
  readonly socks: readonly SockId[];
  readonly pipes: readonly PipeId[];
  dataOf(skb: Skb): Data | undefined;
  /** The first unused name of the menu's fixed sequence for a new object. */
  fresh(kind: "skb" | "pipe" | "sock" | "list"): string;
  /**
   * The sockets a receiving operation may queue to (Sock.family: those of
   * its family or of none yet), and a new socket's name when none is of its
   * family: the menu keeps one socket per family (more add states, not paths).
   */
  receivers(family: SockFamily): { readonly socks: readonly SockId[]; readonly fresh: string | null };
}

export interface SearchSpec {
  /**
   * base: never moves a page out of the armed Data by itself (always on the
   * menu); root: what a search "through" an operation is about.
   */
  readonly role: "base" | "root";
  /** Position in BASE_OPS / ROOT_OPS (the order searches through roots run and print). */
  readonly order: number;
  /** The steps to try from this state, arguments in increasing order. */
  steps(m: MenuCtx, fn: string): Step[];
}

// --- the random-trace generators ------------------------------------------------

/** Five random numbers: which maker (the first) and its arguments. */
export type Draw = readonly [number, number, number, number, number];

/** What a random-trace maker sees (core/testdata/guided.ts builds it). */
export interface FuzzCtx {
  readonly state: State;
  /** A new result name with this prefix (never reused in the trace). */
  fresh(prefix: string): string;
  pick<T>(list: readonly T[], n: number): T | undefined;
  /** An skb argument; one time in sixteen a freed or unknown name (error paths). */
  skbArg(n: number): Arg | null;
  /** An skb no receive queue holds (a caller may free it). */
  freeable(n: number): string | undefined;
  /** A page not yet freed. */
  page(n: number): string | undefined;
  /** A page-cache page (owner "file") not yet freed. */
  filePage(n: number): string | undefined;
  /** The len of the skb an argument names (0 when unknown). */
  lenOf(arg: Arg | null): number;
  /** A length that matters for an skb of length len: 0, 1, a third, half, len - 1, len. */
  within(len: number, n: number): number;
}

export interface FuzzSpec {
  /** Relative frequency in the guided generator. */
  readonly weight: number;
  make(c: FuzzCtx, d: Draw, fn: string): TraceOp | readonly TraceOp[] | null;
  /**
   * A page argument whose caller reference the op consumes (hands over or
   * drops): the blind generator takes one first, as a caller must.
   */
  readonly callerRef?: number;
  /** Integers the blind generator tries for a parameter, by name, where its general sizes would make no sense. */
  readonly blindInts?: Readonly<Record<string, readonly number[]>>;
}

// --- the app's form -------------------------------------------------------------

/** What a form default sees: the skbs the first two arguments name, as on screen. */
export interface FormCtx {
  readonly skb?: { readonly len: number; readonly headlen: number; readonly data_len: number; readonly nr_frags: number };
  readonly from?: { readonly len: number; readonly data_len: number };
}
export type FormDefault = number | ((f: FormCtx) => number);

// --- the spec -------------------------------------------------------------------

export interface OpSpec<P extends readonly ParamKind[] = readonly ParamKind[]> {
  readonly fn: string;
  readonly params: P;
  /** Parameter names, for messages and forms (skbuff.h's where it has them). */
  readonly names: { readonly [I in keyof P]: string };
  /** The kernel parameter's C type for int/bool params, null for the others. */
  readonly ctypes: { readonly [I in keyof P]: CType | null };
  /** How many trailing params may be left out. */
  readonly optional?: number;
  readonly result: ResultKind | null;
  /** The result is required exactly when the optional args are absent. */
  readonly resultUnlessOptional?: boolean;
  readonly kernels?: readonly KernelId[];
  /** Why the other kernel lacks it (its history), for the error. */
  readonly history?: string;
  readonly summary: string;
  readonly group: OpGroup;
  /** The permalink opcode: stable forever (a link made today decodes later). */
  readonly opcode: number;
  /** The docs tables' rows (README.md, docs/trace-language.md; `npm run docs`). */
  readonly docs: readonly DocRow[];
  /** The search menu's entry, or why the search never tries it. */
  readonly search: SearchSpec | { readonly notSearchable: string };
  /** The guided random-trace generator's maker. */
  readonly fuzz: FuzzSpec;
  /** Defaults of the app's form by parameter name (object params default to candidates). */
  readonly form?: Readonly<Record<string, FormDefault>>;
  /** The skboracle kernel module's command, or why the oracle cannot record it. */
  readonly oracle: string | { readonly notRecordable: string };
  run(tx: Tx, result: string | undefined, args: ArgsOf<P>): void;
}

/**
 * Type one op's spec by its own params (so run() gets branded arguments),
 * then forget P: the table holds specs of every arity.
 */
export function defineOp<const P extends readonly ParamKind[]>(spec: OpSpec<P>): OpSpec {
  return spec as unknown as OpSpec;
}

// --- helpers for the menu and the makers --------------------------------------

/**
 * Arguments are immutable, so the menu (~90 steps per search state) shares
 * one frozen object per name and per value. The caches are bounded:
 * the fuzzer's names are arbitrary.
 */
const ARG_CACHE_MAX = 4096;
const refs = new Map<string, Arg>();
const ints = new Map<number, Arg>();

function cached<K>(cache: Map<K, Arg>, key: K, make: () => Arg): Arg {
  let arg = cache.get(key);
  if (arg === undefined) {
    if (cache.size >= ARG_CACHE_MAX) cache.clear();
    cache.set(key, (arg = Object.freeze(make())));
  }
  return arg;
}

export const ref = (name: string): Arg =>
  cached(refs, name, () => {
    const m = /^(.+)\[(\d+)\]$/.exec(name);
    return m ? { kind: "ref", name: m[1], index: Number(m[2]) } : { kind: "ref", name };
  });
export const int = (value: number): Arg => cached(ints, value, () => ({ kind: "int", value }));
export const kw = (value: "true" | "false" | "guest" | "host"): Arg => ({ kind: "kw", value });
/** A one-operation step. */
export const step = (fn: string, args: Arg[], result?: string): Step => [op(fn, args, result)];
export const op = (fn: string, args: Arg[], result?: string): TraceOp => (result ? { fn, result, args } : { fn, args });

/**
 * Where a length argument can make a difference to this skb: where
 * skb_split(), pskb_trim() and __pskb_pull_tail() branch: 0, inside the
 * linear part, at skb_headlen(), inside each frag and at each frag's end.
 */
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

/** A maker for an op taking one skb and nothing else. */
export const fuzzOneSkb = (weight: number, kernel?: KernelId): FuzzSpec => ({
  weight,
  make: (c, d, fn) => {
    const s = c.skbArg(d[1]);
    return s && (!kernel || c.state.kernel === kernel) ? { fn, args: [s] } : null;
  },
});

/** Menu: the op on each skb a caller may touch. */
export const eachFree = (m: MenuCtx, fn: string): Step[] => m.free.map((s) => step(fn, [ref(s.name)]));
/** Menu: the op on each free skb that passes a test. */
export const eachFreeWhere =
  (keep: (s: Skb, m: MenuCtx) => boolean) =>
  (m: MenuCtx, fn: string): Step[] =>
    m.free.filter((s) => keep(s, m)).map((s) => step(fn, [ref(s.name)]));
/** Menu: a new skb made from each free skb (clones and copies). */
export const eachFreeToNew = (m: MenuCtx, fn: string): Step[] => m.free.map((s) => step(fn, [ref(s.name)], m.fresh("skb")));
/** Maker: a new skb made from one skb. */
export const fuzzToNew = (weight: number): FuzzSpec => ({
  weight,
  make: (c, d, fn) => (c.skbArg(d[1]) ? { fn, result: c.fresh("s"), args: [c.skbArg(d[1])!] } : null),
});
