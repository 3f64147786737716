// SPDX-License-Identifier: GPL-2.0-only
/**
 * Reading a trace from the command line: a file, or `-` for standard input,
 * never more than MAX_TRACE_BYTES, never a device (`/dev/zero` would be
 * read without end). Errors are thrown as plain Errors whose message the
 * CLI prints after "cannot read FILE: ".
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { MAX_TRACE_BYTES } from "../core/index";

const MIB = 1024 * 1024;

/** Reads `path` ("-": standard input) as UTF-8 text, bounded. */
export function readTraceSource(path: string, limit = MAX_TRACE_BYTES): string {
  if (path === "-") return readBounded(0, "standard input", limit);
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new Error("it is a directory, not a trace file");
    // A FIFO (a shell's <(...)) is read like standard input, bounded.
    if (!st.isFile() && !st.isFIFO()) throw new Error("it is a device or socket, not a trace file (give a file, or - for standard input)");
    if (st.isFile() && st.size > limit) throw new Error(tooLarge(`${st.size} bytes`, limit));
    return readBounded(fd, path, limit);
  } finally {
    closeSync(fd);
  }
}

const tooLarge = (size: string, limit: number) => `the trace is ${size}; skbscope reads at most ${limit % MIB === 0 ? `${limit / MIB} MiB` : `${limit} bytes`}`;

/** Reads until end of file, refusing past `limit` bytes. */
function readBounded(fd: number, what: string, limit: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking stdin with nothing yet (EAGAIN): wait a little, try again.
      if ((e as { code?: string }).code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if ((e as { code?: string }).code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw new Error(`${what}: ${tooLarge(`over ${limit} bytes`, limit)}`);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
