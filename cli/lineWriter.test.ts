// SPDX-License-Identifier: GPL-2.0-only
/**
 * The CLI's output path (lineWriter): every line is in the descriptor
 * before the call returns (what keeps `run --json` into a slow reader in
 * bounded memory), through short writes and a full pipe (EAGAIN), and a
 * reader that left (EPIPE) ends the output quietly.
 */
import { describe, expect, it } from "vitest";
import { lineWriter, type WriteFn } from "./lineWriter";

const errno = (code: string) => Object.assign(new Error(code), { code });

/** A pipe that takes at most `chunk` bytes a write and is full (EAGAIN) every `fullEvery`-th call. */
function slowPipe(chunk: number, fullEvery: number) {
  const got: number[] = [];
  let calls = 0;
  let full = 0;
  const write: WriteFn = (_fd, bytes) => {
    calls++;
    if (calls % fullEvery === 0) {
      full++;
      throw errno("EAGAIN");
    }
    const n = Math.min(chunk, bytes.length);
    got.push(...bytes.subarray(0, n));
    return n;
  };
  return { write, text: () => Buffer.from(got).toString(), full: () => full };
}

describe("lineWriter", () => {
  it("has every line in the pipe, in order, before it returns, through short writes and EAGAIN", () => {
    const pipe = slowPipe(16, 4);
    const out = lineWriter(1, pipe.write);
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ step: i, text: "x".repeat(i % 50) }));
    let expected = "";
    for (const line of lines) {
      out(line);
      expected += line + "\n";
      // Nothing is queued in memory: the reader has it all already.
      expect(pipe.text()).toBe(expected);
    }
    expect(pipe.full()).toBeGreaterThan(10);
  });

  it("stops quietly when the reader has left (EPIPE), and writes nothing after", () => {
    let calls = 0;
    const write: WriteFn = (_fd, bytes) => {
      calls++;
      if (calls > 1) throw errno("EPIPE");
      return bytes.length;
    };
    const out = lineWriter(1, write);
    out("first");
    expect(() => out("second")).not.toThrow();
    out("third");
    expect(calls).toBe(2);
  });

  it("throws any other error", () => {
    const out = lineWriter(1, () => {
      throw errno("EIO");
    });
    expect(() => out("line")).toThrow("EIO");
  });
});
