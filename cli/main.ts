// SPDX-License-Identifier: GPL-2.0-only
/** The `skbscope` command: the process around cli/skbscope.ts's main(). */
import { isMainThread } from "node:worker_threads";
import { readTraceSource } from "./input";
import { main } from "./skbscope";
import "./search";
import "./link";
import "./fixes";

/**
 * Lines to a stream whose reader may leave early (`skbscope run t | head -1`):
 * EPIPE stops the output quietly and the exit status stays the run's, since
 * 1 would read as "a violation".
 */
function lineWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    open = false;
  });
  return (text) => {
    if (open) stream.write(text + "\n");
  };
}

// A search worker (cli/searchWorkers.ts) loads the bundle too: it only serves.
if (isMainThread) {
  process.exitCode = await main(process.argv.slice(2), {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    readFile: (path) => readTraceSource(path),
    status: {
      tty: process.stderr.isTTY === true,
      // On a terminal the line is redrawn in place; elsewhere each is a line of its own.
      write: (text) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${text}` : text ? `${text}\n` : ""),
    },
  });
}
