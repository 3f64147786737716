#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
// skbscope kernel oracle, host side: translates traces, packs the module,
// busybox and the command scripts into an initramfs, boots the Debian 6.1
// kernel in QEMU (TCG), collects the JSON results from the second serial
// port and writes NAME.json next to every NAME.trace.
//
// Normally run through oracle.sh, which installs the packages, picks the
// kernel and builds the module:
//   node oracle.mjs --kernel /boot/vmlinuz-R --module skboracle.ko \
//        --busybox /bin/busybox [--work DIR] [--policy P] FILE|DIR...

import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseTrace, toCommands, TraceError, POLICIES } from "./trace-parse.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function usage(msg) {
  if (msg) console.error(`oracle: ${msg}`);
  console.error("usage: oracle.mjs --kernel VMLINUZ --module KO --busybox BUSYBOX [--work DIR] [--policy P] [--timeout S] FILE|DIR...");
  process.exit(2);
}

function parseArgs(argv) {
  const o = { files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--kernel") o.kernel = val();
    else if (a === "--module") o.module = val();
    else if (a === "--busybox") o.busybox = val();
    else if (a === "--work") o.work = val();
    else if (a === "--policy") o.policy = val();
    else if (a === "--timeout") o.timeout = Number(val());
    else if (a === "--help" || a === "-h") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (!o.kernel || !o.module || !o.busybox) usage("--kernel, --module and --busybox are required");
  return o;
}

function collectTraces(inputs) {
  const files = [];
  for (const f of inputs) {
    const st = fs.statSync(f);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(f).sort()) if (e.endsWith(".trace")) files.push(path.join(f, e));
    } else files.push(f);
  }
  return files;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
  if (r.error) throw r.error;
  return r;
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
O=/dev/ttyS1
stty -F $O raw -echo 2>/dev/null
insmod /skboracle.ko || echo "@@SKBORACLE INSMOD-FAILED" > $O
echo "@@SKBORACLE UNAME $(uname -r) $(uname -v)" > $O
for t in /traces/*.cmd; do
  n=\${t##*/}
  echo 1 > /sys/kernel/debug/clear_warn_once 2>/dev/null
  echo "@@SKBORACLE BEGIN $n" > $O
  if cat "$t" > /sys/kernel/debug/skboracle/trace; then
    cat /sys/kernel/debug/skboracle/result > $O
  else
    echo "@@SKBORACLE WRITE-FAILED $n" > $O
  fi
  echo "@@SKBORACLE END $n" > $O
done
echo "@@SKBORACLE DONE" > $O
sync
poweroff -f
`;

function buildInitramfs(dir, opts, batch) {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of ["bin", "proc", "sys", "dev", "tmp", "traces"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(opts.busybox, path.join(dir, "bin/busybox"));
  fs.chmodSync(path.join(dir, "bin/busybox"), 0o755);
  fs.copyFileSync(opts.module, path.join(dir, "skboracle.ko"));
  fs.writeFileSync(path.join(dir, "init"), INIT, { mode: 0o755 });
  for (const t of batch) fs.writeFileSync(path.join(dir, "traces", t.id), t.commands);
  const img = `${dir}.cpio.gz`;
  const r = run("sh", ["-c", `cd "${dir}" && find . | cpio -o -H newc --quiet | gzip -1 > "${img}"`]);
  if (r.status !== 0) throw new Error(`cpio failed: ${r.stderr}`);
  return img;
}

function boot(opts, img, outFile, consoleFile, ntraces) {
  const limit = opts.timeout || Math.max(120, 60 + 10 * ntraces);
  for (const f of [outFile, consoleFile]) fs.rmSync(f, { force: true });
  const args = [
    "--kill-after=10",
    `${limit}s`,
    "qemu-system-x86_64",
    "-nographic",
    "-m",
    "512",
    "-smp",
    "1",
    "-no-reboot",
    "-accel",
    "tcg",
    "-nic",
    "none",
    "-monitor",
    "none",
    "-kernel",
    opts.kernel,
    "-initrd",
    img,
    "-append",
    "console=ttyS0 quiet loglevel=7 panic=-1 oops=panic",
    "-serial",
    `file:${consoleFile}`,
    "-serial",
    `file:${outFile}`,
  ];
  const t0 = Date.now();
  const r = run("timeout", args);
  return { status: r.status, ms: Date.now() - t0, limit, stderr: String(r.stderr || "") };
}

// Split the second serial port's output into per-trace texts.
function splitOutput(text) {
  const res = new Map();
  let uname = null;
  let insmodFailed = false;
  let done = false;
  const lines = text.replace(/\r/g, "").split("\n");
  let cur = null;
  let buf = [];
  for (const l of lines) {
    const m = /^@@SKBORACLE (\S+) ?(.*)$/.exec(l);
    if (!m) {
      if (cur) buf.push(l);
      continue;
    }
    const [, what, rest] = m;
    if (what === "UNAME") uname = rest;
    else if (what === "INSMOD-FAILED") insmodFailed = true;
    else if (what === "BEGIN") {
      cur = rest;
      buf = [];
    } else if (what === "WRITE-FAILED") res.set(rest, { writeFailed: true });
    else if (what === "END" && cur === rest) {
      if (!res.has(cur)) res.set(cur, { text: buf.join("\n") });
      cur = null;
    } else if (what === "DONE") done = true;
  }
  return { res, uname, insmodFailed, done };
}

function consoleExcerpt(file) {
  let t = "";
  try {
    t = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const lines = t.replace(/\r/g, "").split("\n");
  const i = lines.findIndex((l) => /(BUG|Oops|Kernel panic|general protection)/.test(l));
  if (i < 0) return lines.slice(-15);
  return lines.slice(Math.max(0, i - 2), i + 25).map((l) => l.replace(/^\[\s*[0-9.]+\]\s*/, ""));
}

function kernelString(k) {
  const m = /^(\S+) .*Debian (\S+)/.exec(k || "");
  return m ? `${m[1]} (Debian ${m[2]})` : k;
}

// Ordered, readable JSON: small values on one line.
function pretty(v, indent = "") {
  const flat = JSON.stringify(v);
  if (flat === undefined) return "null";
  if (flat.length + indent.length <= 110 || v === null || typeof v !== "object") return flat;
  const ni = indent + " ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => ni + pretty(x, ni)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(v);
  return `{\n${keys.map((k) => `${ni}${JSON.stringify(k)}: ${pretty(v[k], ni)}`).join(",\n")}\n${indent}}`;
}

function assemble(trace, raw, uname) {
  const data = JSON.parse(raw);
  const byLine = new Map(trace.parsed.ops.map((o) => [o.line, o]));
  const steps = (data.steps || []).map((s) => {
    const op = byLine.get(s.line);
    const o = { line: s.line, op: op ? op.text : null, error: s.error };
    if ("result" in s) o.result = s.result;
    if ("fragstolen" in s) o.fragstolen = s.fragstolen;
    o.skbs = s.skbs;
    o.pages = s.pages;
    o.events = s.events;
    o.warnings = s.warnings;
    o.pipes = s.pipes;
    o.sockets = s.sockets;
    o.ubufs = s.ubufs;
    return o;
  });
  const out = {
    trace: path.basename(trace.file),
    kernel: kernelString(data.kernel || uname),
    policy: data.policy,
    steps,
    cleanup: data.cleanup,
  };
  if (trace.parsed.header.title) out.title = trace.parsed.header.title;
  if (data.error) out.error = data.error;
  if (data.truncated) out.truncated = true;
  out.oracle = data.oracle;
  return out;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const files = collectTraces(opts.files.length ? opts.files : [path.resolve(HERE, "../../tests/conformance")]);
  if (!files.length) usage("no trace files");
  if (opts.policy && !POLICIES.includes(opts.policy)) usage(`unknown policy ${opts.policy}`);
  const traces = [];
  let failed = 0;
  files.forEach((file, i) => {
    const src = fs.readFileSync(file, "utf8");
    let parsed;
    try {
      parsed = parseTrace(src);
    } catch (e) {
      if (e instanceof TraceError) {
        console.error(`${file}:${e.message}`);
        failed++;
        return;
      }
      throw e;
    }
    const kernel = parsed.header.kernel || "6.1";
    if (kernel !== "6.1") {
      console.error(`${file}: header says kernel ${kernel}; the oracle runs Linux 6.1 only: skipped`);
      failed++;
      return;
    }
    for (const w of parsed.warnings) console.error(`${file}:${w} (warning)`);
    const policy = opts.policy || parsed.header.policy || "page-refs";
    if (!POLICIES.includes(policy)) {
      console.error(`${file}: unknown policy ${policy}`);
      failed++;
      return;
    }
    const id = `${String(i).padStart(4, "0")}.cmd`;
    traces.push({ file, parsed, policy, id, commands: toCommands(path.basename(file), parsed, policy) });
  });

  const work = opts.work || fs.mkdtempSync(path.join(os.tmpdir(), "skboracle-"));
  fs.mkdirSync(work, { recursive: true });
  let pending = traces.slice();
  let boots = 0;
  let steps = 0;
  let uname = null;
  const bootMs = [];
  while (pending.length) {
    boots++;
    const img = buildInitramfs(path.join(work, `initramfs-${boots}`), opts, pending);
    const outFile = path.join(work, `serial-${boots}.txt`);
    const consoleFile = path.join(work, `console-${boots}.txt`);
    const b = boot(opts, img, outFile, consoleFile, pending.length);
    bootMs.push(b.ms);
    const text = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
    const { res, uname: u, insmodFailed, done } = splitOutput(text);
    uname = u || uname;
    if (insmodFailed) {
      console.error(`oracle: insmod failed; console tail:\n${consoleExcerpt(consoleFile).join("\n")}`);
      process.exit(1);
    }
    const next = [];
    let crashed = null;
    for (const t of pending) {
      const r = res.get(t.id);
      if (crashed || !r) {
        if (!crashed) crashed = t;
        else next.push(t);
        continue;
      }
      let out;
      try {
        if (r.writeFailed) throw new Error("writing the trace to the module failed");
        out = assemble(t, r.text, uname);
      } catch (e) {
        out = { trace: path.basename(t.file), kernel: kernelString(uname), policy: t.policy, error: `oracle: ${e.message}`, steps: [] };
        failed++;
      }
      steps += out.steps.length;
      const dest = t.file.replace(/\.trace$/, "") + ".json";
      fs.writeFileSync(dest, pretty(out) + "\n");
      const errs = out.steps.filter((s) => s.error).length;
      const warns = out.steps.reduce((n, s) => n + (s.warnings ? s.warnings.length : 0), 0);
      console.log(
        `${path.relative(process.cwd(), dest)}: ${out.steps.length} steps${errs ? `, ${errs} with errors` : ""}${warns ? `, ${warns} warnings` : ""}`,
      );
    }
    if (crashed) {
      const excerpt = consoleExcerpt(consoleFile);
      const why = b.status === 124 || b.status === 137 ? `the VM did not finish within ${b.limit} s` : "the kernel crashed or the VM stopped";
      const out = {
        trace: path.basename(crashed.file),
        kernel: kernelString(uname),
        policy: crashed.policy,
        error: `oracle: ${why} while running this trace`,
        console: excerpt,
        steps: [],
      };
      fs.writeFileSync(crashed.file.replace(/\.trace$/, "") + ".json", pretty(out) + "\n");
      console.error(`${crashed.file}: ${why}; console:\n  ${excerpt.join("\n  ")}`);
      failed++;
    } else if (!done && next.length === 0 && pending.length && res.size === 0) {
      console.error("oracle: no output from the VM");
      process.exit(1);
    }
    pending = next;
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(
    `oracle: ${traces.length} traces, ${steps} steps, ${boots} boot(s) (${bootMs.map((m) => (m / 1000).toFixed(1) + " s").join(", ")}), ${secs} s wall clock; kernel ${kernelString(uname)}`,
  );
  if (!opts.work) fs.rmSync(work, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
