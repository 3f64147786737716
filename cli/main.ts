import { readTraceSource } from "./input";
import { main } from "./skbscope";
import "./search";

const code = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + "\n"),
  err: (text) => process.stderr.write(text + "\n"),
  readFile: (path) => readTraceSource(path),
});
process.exitCode = code;
