// SPDX-License-Identifier: GPL-2.0-only
// Types of trace-parse.mjs for the TypeScript tests that check it.
export interface OracleOp {
  ret: string | null;
  args: string[];
  alt?: { args: string[] };
  kernel?: string;
  command?: string;
  notRecordable?: string;
}
export const OPS: Record<string, OracleOp>;
export const ALIASES: Record<string, string>;
export const KEYWORDS: Set<string>;
export const POLICIES: string[];
export class TraceError extends Error {
  line: number;
  col: number;
  msg: string;
}
export interface ParsedOp {
  line: number;
  text: string;
  dst: string | null;
  fn: string;
  command: string;
  kernel?: string;
}
export function parseTrace(source: string): { header: Record<string, string>; ops: ParsedOp[]; warnings: string[] };
export function toCommands(name: string, parsed: ReturnType<typeof parseTrace>, policy: string): string;
