// SPDX-License-Identifier: GPL-2.0-only
import { writeSync } from "node:fs";

/** What lineWriter writes with: fs.writeSync's shape (bytes written, or a thrown errno). */
export type WriteFn = (fd: number, bytes: Uint8Array) => number;

/**
 * Lines to a file descriptor, written before the call returns: a long
 * `run --json` piped into a slow reader waits for it instead of queueing
 * its output in memory (stream.write on a pipe queued gigabytes and failed
 * with ENOBUFS). A short write goes on with the rest; a full non-blocking
 * pipe (EAGAIN) is retried after 1 ms. A reader that leaves early
 * (`skbscope run t | head -1`): EPIPE stops the output quietly and the exit
 * status stays the run's, since 1 would read as "a violation".
 */
export function lineWriter(fd: number, write: WriteFn = writeSync): (text: string) => void {
  let open = true;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return (text) => {
    if (!open) return;
    let rest = Buffer.from(text + "\n");
    while (rest.length > 0) {
      try {
        rest = rest.subarray(write(fd, rest));
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
