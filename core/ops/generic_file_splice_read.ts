// SPDX-License-Identifier: GPL-2.0-only
/**
 * find_or_create_page and generic_file_splice_read: a file's page-cache
 * page, and splice(2) from the file into a pipe, which hands the page
 * itself to the pipe (sendfile() and splice() of a file into a socket start
 * so).
 *
 * find_or_create_page(): include/linux/pagemap.h (6.1 l.673-679,
 *   pagecache_get_page(FGP_LOCK|FGP_ACCESSED|FGP_CREAT)): the page cache
 *   holds the page, and the caller gets one reference. The model's page
 *   has owner "file": the page cache's own reference is its owner's hold,
 *   not counted (as a guest's mapping is not), so the page stays when the
 *   host's references are gone; the caller's reference is counted.
 * generic_file_splice_read(): fs/splice.c (6.1 l.297-322) -> ->read_iter
 *   (filemap_read) -> copy_page_to_iter() -> lib/iov_iter.c
 *   copy_page_to_iter_pipe() (l.305-337) with push_page() (l.247-258):
 *   one pipe buffer (page_cache_pipe_buf_ops) pointing at the page-cache
 *   page, get_page(). The trace reads one piece of one page per call (the
 *   merge at l.320-327 joins pieces within one call only, so a new call
 *   always pushes a new buffer). A full pipe takes nothing: the call
 *   returns 0 and changes nothing.
 */
import { precondition } from "../model/events";
import { assertNewName, pageOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId } from "../model/types";
import { pageGet } from "./alloc_page";
import { PIPE_DEF_BUFFERS } from "./skb_splice_bits";
import { defineOp, int, ref } from "./spec";
import { checkPiece, pipeFor } from "./vmsplice_to_pipe";

export function find_or_create_page(tx: Tx, result: string): void {
  assertNewName(tx, result, "find_or_create_page");
  tx.set("pages", result, { name: result as PageId, owner: "file", origin: "pagecache", refcount: 1, caller: 1, freed: false });
}

export function generic_file_splice_read(tx: Tx, result: string | undefined, page: string, offset: number, len: number, into?: string): void {
  const p = pageOf(tx, page, "generic_file_splice_read");
  if (p.owner !== "file") precondition("generic_file_splice_read", `${page} is a ${p.owner} page; a file's pages come from find_or_create_page()`);
  checkPiece("generic_file_splice_read", offset, len);
  const pipe = pipeFor(tx, "generic_file_splice_read", result, into);
  // if (pipe_full(pipe->head, pipe->tail, pipe->max_usage)) return 0;
  if (pipe.bufs.length >= PIPE_DEF_BUFFERS) {
    tx.emit({ kind: "result", fn: "generic_file_splice_read", value: `0 (${pipe.name} is full)` });
    return;
  }
  pageGet(tx, p.name, "push_page");
  tx.set("pipes", pipe.name, { ...pipe, bufs: [...pipe.bufs, { page: p.name, offset, len }] });
  tx.emit({ kind: "result", fn: "generic_file_splice_read", value: `${len} (${page} in ${pipe.name}.bufs[${pipe.bufs.length}], still in the page cache)` });
}

// --- the registry's entries ----------------------------------------------------

const PAGE_CACHE_SETUP =
  "a file's pages and what is read from them make the search's starting state, like alloc_page; the kernel paths the search tries never make them";

export const find_or_create_page_spec = defineOp({
  fn: "find_or_create_page",
  params: [],
  names: [],
  ctypes: [],
  result: "page",
  summary: "a file's page in the page cache (one reference, the caller's)",
  group: "allocate",
  opcode: 61,
  docs: [
    {
      call: "f = find_or_create_page()",
      models:
        "`find_or_create_page()`: a page of a file, in the page cache (owner `file`: the cache's own hold is not counted); the caller holds one reference",
    },
  ],
  search: { notSearchable: PAGE_CACHE_SETUP },
  fuzz: { weight: 1, make: (c, _d, fn) => ({ fn, result: c.fresh("f"), args: [] }) },
  oracle: { notRecordable: "the oracle module has no file of its own to put pages in the page cache of; its pages come from alloc_page()" },
  run: (tx, r) => find_or_create_page(tx, r!),
});

export const generic_file_splice_read_spec = defineOp({
  fn: "generic_file_splice_read",
  params: ["page", "int", "int", "pipe"],
  names: ["page", "offset", "len", "pipe"],
  ctypes: [null, "unsigned int", "unsigned int", null],
  optional: 1,
  result: "pipe",
  resultUnlessOptional: true,
  kernels: ["6.1"],
  history: "the model follows 6.1's ITER_PIPE splice read (lib/iov_iter.c copy_page_to_iter_pipe); 2.6.32's __generic_file_splice_read is not modelled",
  summary: "splice a file's page-cache page into a pipe (no copy)",
  group: "zero-copy",
  opcode: 62,
  docs: [
    {
      call: "q = generic_file_splice_read(f, offset, len)",
      models:
        "6.1 `splice(2)` from a file: `generic_file_splice_read()` -> `copy_page_to_iter_pipe()` puts the page-cache page `f` itself into a new pipe `q` (`get_page`); the file still holds it",
    },
    { call: "generic_file_splice_read(f, offset, len, q)", models: "the same, appending to pipe `q` (nothing when its 16 slots are full)" },
  ],
  search: { notSearchable: PAGE_CACHE_SETUP },
  fuzz: {
    weight: 1,
    // A file page to read, or a new one first.
    make: (c, d, fn) => {
      const read = (f: string) => ({ fn, result: c.fresh("q"), args: [ref(f), int(0), int(1 + (d[2] % 4096))] });
      const f = c.filePage(d[1]);
      if (f) return read(f);
      const made = c.fresh("f");
      return [{ fn: "find_or_create_page", result: made, args: [] }, read(made)];
    },
  },
  form: { offset: 0, len: 1000 },
  oracle: {
    notRecordable:
      "generic_file_splice_read() needs an open file and a pipe; the oracle module has neither (its pipes are its own bookkeeping of page references)",
  },
  run: (tx, r, a) => generic_file_splice_read(tx, r, a[0], a[1], a[2], a.length > 3 ? a[3] : undefined),
});
