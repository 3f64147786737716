// SPDX-License-Identifier: GPL-2.0-only
/** The `skbscope` command: the process around cli/skbscope.ts's main(). */
import { writeSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import { readTraceSource } from "./input";
import { main } from "./skbscope";
import "./search";
import "./link";
import "./fixes";

/**
 * Lines to a file descriptor, written before the call returns: a long
 * `run --json` piped into a slow reader waits for it instead of queueing
 * its output in memory (stream.write on a pipe queued gigabytes and failed
 * with ENOBUFS). A full non-blocking pipe (EAGAIN) is retried after 1 ms.
 * A reader that leaves early (`skbscope run t | head -1`): EPIPE stops the
 * output quietly and the exit status stays the run's, since 1 would read as
 * "a violation".
 */
function lineWriter(fd: number): (text: string) => void {
  let open = true;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return (text) => {
    if (!open) return;
    let rest = Buffer.from(text + "\n");
    while (rest.length > 0) {
      try {
        rest = rest.subarray(writeSync(fd, rest));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
        else if (code === "EPIPE") {
          open = false;
          return;
        } else throw e;
      }
    }
  };
}

// A search worker (cli/searchWorkers.ts) loads the bundle too: it only serves.
if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2), {
    out: lineWriter(1),
    err: lineWriter(2),
    readFile: (path) => readTraceSource(path),
    status: {
      tty: process.stderr.isTTY === true,
      // On a terminal the line is redrawn in place; elsewhere each is a line of its own.
      write: (text) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${text}` : text ? `${text}\n` : ""),
    },
  });
}
