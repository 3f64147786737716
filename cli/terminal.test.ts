// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { jsonText, terminalSafe } from "./terminal";

describe("terminalSafe", () => {
  it("shows terminal escapes as text and keeps the CLI's own line feeds", () => {
    expect(terminalSafe("\u001b[2J\u001b]0;t\u0007\nnext")).toBe("\\x1b[2J\\x1b]0;t\\x07\nnext");
    expect(terminalSafe("a\tb\rc\u0000\u007f\u009b")).toBe("a\\tb\\rc\\x00\\x7f\\x9b");
    expect(terminalSafe("line\u2028sep \u202eevil\u2066")).toBe("line\\u2028sep \\u202eevil\\u2066");
  });

  it("leaves ordinary text alone, other scripts and symbols included", () => {
    const text = "page g (guest): refcount 2 held by h1.frags[0] — naïve 日本 ≥ \\x1b";
    expect(terminalSafe(text)).toBe(text);
  });
});

describe("jsonText", () => {
  it("is valid JSON with nothing left for terminalSafe to change", () => {
    const value = { title: "\u001b[2J\u009b\u202e\u2028 ok", n: 1 };
    const text = jsonText(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(terminalSafe(text)).toBe(text);
    expect(text).toBe(JSON.stringify(value, null, 2).replace("\u009b", "\\u009b").replace("\u202e", "\\u202e").replace("\u2028", "\\u2028"));
  });
});
