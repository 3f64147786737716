#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// Checks the recorded golden traces without a VM: every NAME.trace parses,
// has kernel 6.1 and a policy header, and has a NAME.json recorded from it
// (same file name, same policy, one step per operation with the same line
// and op text, every contract field present).
//
//   node tools/kernel-oracle/check.mjs [DIR]      (default tests/conformance)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseTrace } from "./trace-parse.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] || path.resolve(HERE, "../../tests/conformance");

const SKB_FIELDS = ["name", "users", "cloned", "nohdr", "len", "data_len", "headlen", "headroom", "head", "dataref", "frags", "frag_list"];
const STEP_FIELDS = ["line", "op", "error", "skbs", "pages", "events", "warnings"];

let passed = 0;
let failed = 0;
const fail = (f, msg) => {
  failed++;
  console.error(`FAIL ${f}: ${msg}`);
};

for (const name of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".trace"))
  .sort()) {
  const file = path.join(dir, name);
  let parsed;
  try {
    parsed = parseTrace(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(name, `does not parse: ${e.message}`);
    continue;
  }
  if (parsed.header.kernel !== "6.1") {
    fail(name, 'header "# kernel: 6.1" missing');
    continue;
  }
  if (!parsed.header.policy) {
    fail(name, 'header "# policy: ..." missing');
    continue;
  }
  const jf = file.replace(/\.trace$/, ".json");
  if (!fs.existsSync(jf)) {
    fail(name, "no recorded .json (run npm run oracle)");
    continue;
  }
  let rec;
  try {
    rec = JSON.parse(fs.readFileSync(jf, "utf8"));
  } catch (e) {
    fail(name, `json does not parse: ${e.message}`);
    continue;
  }
  const problems = [];
  if (rec.trace !== name) problems.push(`trace is ${rec.trace}`);
  if (rec.policy !== parsed.header.policy) problems.push(`policy ${rec.policy} != ${parsed.header.policy}`);
  if (!/^6\.1\./.test(rec.kernel || "")) problems.push(`kernel ${rec.kernel}`);
  if (rec.error) problems.push(`recorded error: ${rec.error}`);
  if (!Array.isArray(rec.steps) || rec.steps.length !== parsed.ops.length) {
    problems.push(`${rec.steps ? rec.steps.length : 0} steps for ${parsed.ops.length} operations`);
  } else {
    rec.steps.forEach((s, i) => {
      const op = parsed.ops[i];
      for (const k of STEP_FIELDS) if (!(k in s)) problems.push(`step ${i + 1} lacks ${k}`);
      if (s.line !== op.line || s.op !== op.text) problems.push(`step ${i + 1} is line ${s.line} "${s.op}", trace has line ${op.line} "${op.text}"`);
      for (const k of s.skbs || []) for (const f of SKB_FIELDS) if (!(f in k)) problems.push(`step ${i + 1} skb ${k.name} lacks ${f}`);
    });
  }
  if (problems.length) fail(name, problems.slice(0, 5).join("; "));
  else passed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
