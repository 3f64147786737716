// SPDX-License-Identifier: GPL-2.0-only
/**
 * One object layout per table, whatever made the record.
 *
 * Operations build records by spread (`{ ...skb, users: skb.users + 1 }`).
 * V8 gives a spread's result a hidden class of its own site and source
 * class, outside the transition tree that literals share, so a search walk
 * met 83 skb classes, 68 shinfo classes and 327 socket classes for one set
 * of field names: every read of `skb.users` in every operation was a
 * megamorphic load. Tx.set stores each record rebuilt as one literal with
 * every field in declaration order (optional ones undefined), so each
 * table has one class and the loads stay monomorphic: the search ran about
 * 1.2x faster (issue 12; tools/bench-search.ts). `satisfies` makes a field
 * added to a record type a compile error here until it is listed.
 *
 * Nested objects (frags, destructors) are left as they are: shaping them
 * too cost as much as it saved.
 */
import type { Data, Page, Pipe, Skb, Sock, TableName, Tables, Ubuf, ZBuffer } from "./types";

type RecordOf<T extends TableName> = Tables[T] extends ReadonlyMap<string, infer R> ? R : never;
type Every<R> = { [K in keyof Required<R>]: R[K] };

const skb = (v: Skb): Skb =>
  ({
    name: v.name,
    users: v.users,
    cloned: v.cloned,
    nohdr: v.nohdr,
    fclone: v.fclone,
    fclonePair: v.fclonePair,
    head: v.head,
    data: v.data,
    len: v.len,
    data_len: v.data_len,
    truesize: v.truesize,
    hdr_len: v.hdr_len,
    head_frag: v.head_frag,
    destructor: v.destructor,
    sk: v.sk,
    pp_recycle: v.pp_recycle,
  }) satisfies Every<Skb>;

const data = (v: Data): Data =>
  ({
    id: v.id,
    end: v.end,
    head_page: v.head_page,
    head_offset: v.head_offset,
    dataref: v.dataref,
    frags: v.frags,
    frag_list: v.frag_list,
    zcopy: v.zcopy,
    release: v.release,
    head_stolen: v.head_stolen,
    shared_frag: v.shared_frag,
    managed_frag_refs: v.managed_frag_refs,
    pure_zerocopy: v.pure_zerocopy,
  }) satisfies Every<Data>;

const page = (v: Page): Page =>
  ({
    name: v.name,
    owner: v.owner,
    origin: v.origin,
    refcount: v.refcount,
    caller: v.caller,
    freed: v.freed,
    pp: v.pp,
    pp_in_pool: v.pp_in_pool,
  }) satisfies Every<Page>;

const sock = (v: Sock): Sock => ({ name: v.name, queue: v.queue, family: v.family }) satisfies Every<Sock>;

const pipe = (v: Pipe): Pipe => ({ name: v.name, bufs: v.bufs }) satisfies Every<Pipe>;

const ubuf = (v: Ubuf): Ubuf =>
  ({
    name: v.name,
    kind: v.kind,
    refcnt: v.refcnt,
    dont_orphan: v.dont_orphan,
    buffer: v.buffer,
    zerocopy: v.zerocopy,
    callbacks: v.callbacks,
    len: v.len,
    pins: v.pins,
    silent: v.silent,
  }) satisfies Every<Ubuf>;

const buffer = (v: ZBuffer): ZBuffer => ({ id: v.id, skb: v.skb, pages: v.pages, armedAt: v.armedAt, completions: v.completions }) satisfies Every<ZBuffer>;

/** `value` as its table's one layout (a new object; the tables that are never spread as they are). */
export function oneShape<T extends TableName>(table: T, value: RecordOf<T>): RecordOf<T> {
  switch (table) {
    case "skbs":
      return skb(value as Skb) as RecordOf<T>;
    case "datas":
      return data(value as Data) as RecordOf<T>;
    case "pages":
      return page(value as Page) as RecordOf<T>;
    case "socks":
      return sock(value as Sock) as RecordOf<T>;
    case "pipes":
      return pipe(value as Pipe) as RecordOf<T>;
    case "ubufs":
      return ubuf(value as Ubuf) as RecordOf<T>;
    case "buffers":
      return buffer(value as ZBuffer) as RecordOf<T>;
    default:
      return value;
  }
}
