import { readFileSync } from "node:fs";
import { main } from "./skbscope";
import "./search";
import "./link";

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + "\n"),
  err: (text) => process.stderr.write(text + "\n"),
  readFile: (path) => readFileSync(path, "utf8"),
  status: {
    tty: process.stderr.isTTY === true,
    // On a terminal the line is redrawn in place; elsewhere each is a line of its own.
    write: (text) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${text}` : text ? `${text}\n` : ""),
  },
});
process.exitCode = code;
