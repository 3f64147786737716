// SPDX-License-Identifier: GPL-2.0-only
/**
 * For the CLI's tests: run `main` on an in-memory file system and collect
 * what it writes. Not a test file itself (a *.test.ts imported by another
 * would run its tests twice).
 */
import { main, type Io } from "./skbscope";

export function cli(args: string[], files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => {
      if (p in files) return files[p];
      throw new Error("ENOENT: no such file");
    },
  };
  const code = main(args, io);
  // errors(): what an async command wrote after main returned.
  return { code, out: out.join("\n"), err: err.join("\n"), errors: () => err.join("\n") };
}
