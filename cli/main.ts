import { readFileSync } from "node:fs";
import { main } from "./skbscope";
import "./search";
import "./link";
import "./fixes";

const code = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + "\n"),
  err: (text) => process.stderr.write(text + "\n"),
  readFile: (path) => readFileSync(path, "utf8"),
});
process.exitCode = code;
