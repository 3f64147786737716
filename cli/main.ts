// SPDX-License-Identifier: GPL-2.0-only
/** The `skbscope` command: the process around cli/skbscope.ts's main(). */
import { isMainThread } from "node:worker_threads";
import { readTraceSource } from "./input";
import { lineWriter } from "./lineWriter";
import { main } from "./skbscope";
import "./search";
import "./link";
import "./fixes";

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
