// SPDX-License-Identifier: GPL-2.0-only
/**
 * Input limits through the real CLI (issues 16.4, 11.6): standard input,
 * special files, size, binary data, and how many diagnostics are shown.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_TRACE_BYTES } from "../core/trace/limits";
import { readTraceSource } from "./input";

const dir = mkdtempSync(join(tmpdir(), "skbscope-input-"));
// A command that does not end is killed at the timeout: its status is then null, not the one expected.
const cli = (args: string[], input?: string) => {
  const r = spawnSync("node", ["--import", "tsx", "cli/main.ts", ...args], { encoding: "utf8", input, timeout: 60_000, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const TRACE = "a = alloc_skb(256)\nskb_put(a, 100)\nkfree_skb(a)\n";

describe("what the CLI reads", () => {
  it("- reads standard input", () => {
    const r = cli(["run", "-"], TRACE);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verdict: ok/);
  });

  it("/dev/zero is refused at once, not read without end", () => {
    const r = cli(["check", "/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe("skbscope: cannot read /dev/zero: it is a device or socket, not a trace file (give a file, or - for standard input)");
  });

  it("a directory is refused", () => {
    expect(() => readTraceSource(dir)).toThrow(/a directory/);
  });

  it(`a file over ${MAX_TRACE_BYTES / 1024 / 1024} MiB is refused before it is read`, () => {
    const big = join(dir, "big.trace");
    const fd = openSync(big, "w");
    ftruncateSync(fd, MAX_TRACE_BYTES + 1);
    closeSync(fd);
    expect(() => readTraceSource(big)).toThrow(`the trace is ${MAX_TRACE_BYTES + 1} bytes; skbscope reads at most 64 MiB`);
  });

  it("standard input over the limit is refused once the limit is passed", () => {
    const r = spawnSync(
      "node",
      ["--import", "tsx", "-e", `import("./cli/input.ts").then(m => { try { m.readTraceSource("-", 1000) } catch (e) { console.log(e.message) } })`],
      {
        encoding: "utf8",
        input: "#".repeat(5000),
      },
    );
    expect(r.stdout.trim()).toBe("standard input: the trace is over 1000 bytes; skbscope reads at most 1000 bytes");
  });

  it("a 3 MB binary file is one line: not a text trace", () => {
    const bin = join(dir, "bin.trace");
    const bytes = Buffer.alloc(3_000_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(bin, bytes);
    const r = cli(["check", bin]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/not a text trace: (a NUL byte|bytes that are not UTF-8) at character \d+/);
  });

  it("20,000 bad lines give the first 20 errors and a count of the rest", () => {
    const bad = join(dir, "bad.trace");
    writeFileSync(bad, "nonsense(\n".repeat(20_000));
    const r = cli(["check", bad]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatch(/^skbscope: .*bad.trace:1:1: error: unknown operation "nonsense"/);
    expect(lines[20]).toBe(`${bad}: and 19980 more errors`);
  });

  it("a 1 MiB name is answered promptly, its echo cut short", () => {
    const long = join(dir, "long.trace");
    writeFileSync(long, `${"a".repeat(1 << 20)} = alloc_skb(1)\n`);
    const r = cli(["run", long]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(400);
    expect(r.err).toMatch(/name too long: "a{40}…" \(1048576 characters\)/);
  });
});
