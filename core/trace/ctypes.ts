// SPDX-License-Identifier: GPL-2.0-only
/**
 * The C type of every integer argument of a trace operation: the type of
 * the kernel parameter it stands for, so a value the C caller could not
 * pass (a negative `unsigned int`, an `unsigned short` above 65535) is
 * refused when the trace is read, with the prototype's words.
 *
 * The types themselves live in the op registry: each spec's `ctypes`
 * (core/ops/*.ts, read in the Linux 6.1 prototypes; skb_recycle_check in
 * 2.6.32). This module reads them through `paramCType` and knows the
 * ranges.
 */
import { OPS, type CType } from "../ops";

/** The C types of integer parameters (a `bool` parameter takes keywords). */
export type IntCType = Exclude<CType, "bool">;

/** Inclusive range of each C type on x86-64 (LP64: int is 32 bits). */
const RANGES: Readonly<Record<IntCType, readonly [number, number]>> = {
  int: [-(2 ** 31), 2 ** 31 - 1],
  "unsigned int": [0, 2 ** 32 - 1],
  u32: [0, 2 ** 32 - 1],
  "unsigned short": [0, 2 ** 16 - 1],
};

/** The C type of argument `index` (0-based) of `fn`, if it is an integer. */
export function paramCType(fn: string, index: number): IntCType | undefined {
  const type = OPS.get(fn)?.ctypes[index];
  return type && type !== "bool" ? type : undefined;
}

export function cTypeRange(type: IntCType): readonly [number, number] {
  return RANGES[type];
}

export function fitsCType(type: IntCType, value: number): boolean {
  const [lo, hi] = RANGES[type];
  return Number.isInteger(value) && value >= lo && value <= hi;
}
