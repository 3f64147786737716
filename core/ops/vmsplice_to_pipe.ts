// SPDX-License-Identifier: GPL-2.0-only
/**
 * vmsplice_to_pipe - a process splices its own memory into a pipe: the
 * pipe buffer points at the user page itself, no copy.
 *
 * Models fs/splice.c vmsplice_to_pipe() (6.1 l.1265-1288) with
 * iter_to_pipe() (l.1179-1220) and add_to_pipe() (l.229-248):
 * iov_iter_get_pages2() takes one page reference (get_user_pages), the
 * buffer (user_page_pipe_buf_ops, released with put_page) owns it. The
 * trace splices one piece of one page: `p` is a user page (a page of the
 * model's "guest" owner: the process keeps its mapping and may write the
 * page at any time, which is why the pages stay "shared" wherever they
 * go). A full pipe is -EAGAIN (wait_for_space() with SPLICE_F_NONBLOCK;
 * blocking is not modelled); the state is then unchanged.
 */
import { kernelCheck, outOfRange, precondition } from "../model/events";
import { PAGE_SIZE } from "../model/kernel";
import { assertNewName, pageOf, pipeOf } from "../model/lookup";
import type { Tx } from "../model/tx";
import type { PageId, Pipe, PipeId } from "../model/types";
import { pageGet } from "./alloc_page";
import { PIPE_DEF_BUFFERS } from "./skb_splice_bits";
import { defineOp, int, ref } from "./spec";

/** One page piece, checked as iov_iter_get_pages2() would find it. */
export function checkPiece(fn: string, offset: number, len: number): void {
  if (offset < 0 || offset >= PAGE_SIZE) outOfRange(fn, "offset", offset, PAGE_SIZE - 1, "is outside the page");
  if (len <= 0 || offset + len > PAGE_SIZE) outOfRange(fn, "len", len, PAGE_SIZE - offset, "must be a non-empty piece of the one page");
}

/** add_to_pipe(): the buffer goes in its slot, or -EAGAIN when the pipe is full. */
function addToPipe(tx: Tx, fn: string, pipe: Pipe, page: PageId, offset: number, len: number): void {
  if (pipe.bufs.length >= PIPE_DEF_BUFFERS) kernelCheck(fn, "!pipe_full(head, tail, max_usage)", `${pipe.name} has ${PIPE_DEF_BUFFERS} buffers: -EAGAIN`);
  pageGet(tx, page, fn);
  tx.set("pipes", pipe.name, { ...pipe, bufs: [...pipe.bufs, { page, offset, len }] });
}

/** The pipe the op appends to: `into`, or a new one named `result`. */
export function pipeFor(tx: Tx, fn: string, result: string | undefined, into: string | undefined): Pipe {
  if (into !== undefined) return pipeOf(tx, into, fn);
  assertNewName(tx, result!, fn);
  const pipe: Pipe = { name: result as PipeId, bufs: [] };
  tx.set("pipes", pipe.name, pipe);
  return pipe;
}

export function vmsplice_to_pipe(tx: Tx, result: string | undefined, page: string, offset: number, len: number, into?: string): void {
  const p = pageOf(tx, page, "vmsplice_to_pipe");
  if (p.owner !== "guest") precondition("vmsplice_to_pipe", `${page} is a ${p.owner} page; vmsplice takes pages of the calling process (alloc_page(guest))`);
  checkPiece("vmsplice_to_pipe", offset, len);
  const pipe = pipeFor(tx, "vmsplice_to_pipe", result, into);
  addToPipe(tx, "vmsplice_to_pipe", pipe, p.name, offset, len);
  tx.emit({ kind: "result", fn: "vmsplice_to_pipe", value: `${len} (${page} in ${pipe.name}.bufs[${pipe.bufs.length}], the process still maps it)` });
}

// --- the registry's entries ----------------------------------------------------

export const vmsplice_to_pipe_spec = defineOp({
  fn: "vmsplice_to_pipe",
  params: ["page", "int", "int", "pipe"],
  names: ["page", "offset", "len", "pipe"],
  ctypes: [null, "unsigned int", "unsigned int", null],
  optional: 1,
  result: "pipe",
  resultUnlessOptional: true,
  kernels: ["6.1"],
  history: "the model's vmsplice follows 6.1 fs/splice.c (iter_to_pipe, iov_iter_get_pages2); 2.6.32's is not modelled",
  summary: "vmsplice a user page into a pipe (no copy)",
  group: "zero-copy",
  opcode: 60,
  docs: [
    {
      call: "q = vmsplice_to_pipe(p, offset, len)",
      models:
        "6.1 `vmsplice(2)` -> `vmsplice_to_pipe()`: the user page `p` (a guest-owned page: the process keeps mapping it) goes into a new pipe `q`, one buffer holding one page reference (`iov_iter_get_pages2`)",
    },
    { call: "vmsplice_to_pipe(p, offset, len, q)", models: "the same, appending to pipe `q` (-EAGAIN when its 16 slots are full)" },
  ],
  search: {
    notSearchable:
      "the process's own moves (what it splices from its memory) make the search's starting state, like alloc_page; the kernel paths never make them",
  },
  fuzz: {
    weight: 1,
    make: (c, d, fn) => {
      const p = c.page(d[1]);
      return p && c.state.pages.get(p as PageId)?.owner === "guest"
        ? { fn, result: c.fresh("q"), args: [ref(p), int(d[2] % 2 ? 0 : 100), int(1 + (d[3] % 1000))] }
        : null;
    },
  },
  form: { offset: 0, len: 1000 },
  oracle: {
    notRecordable: "vmsplice_to_pipe() is static in fs/splice.c and needs a pipe file and the user pages of a process; the oracle module has neither",
  },
  run: (tx, r, a) => vmsplice_to_pipe(tx, r, a[0], a[1], a[2], a.length > 3 ? a[3] : undefined),
});
