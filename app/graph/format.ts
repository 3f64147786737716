// SPDX-License-Identifier: GPL-2.0-only
/**
 * Counter text in the kernel's terms.
 *
 * dataref is one atomic int: the low 16 bits count every skb on the Data,
 * the high 16 the payload-only (nohdr) ones (core/model/README.md). Shown
 * as "2" when no reference is payload-only, else "header+payload", e.g.
 * "1+1" for 0x10002: two references, one of them payload-only.
 */
const MASK = 0xffff;
const SHIFT = 16;

export function datarefHalves(raw: number): { all: number; payload: number } {
  return { all: raw & MASK, payload: raw >>> SHIFT };
}

export function datarefText(raw: number): string {
  const { all, payload } = datarefHalves(raw);
  return payload === 0 ? String(all) : `${all - payload}+${payload}`;
}

/** "0x10002 (dataref & 0xffff = 2, dataref >> 16 = 1)" for the inspector. */
export function datarefExplained(raw: number): string {
  const { all, payload } = datarefHalves(raw);
  return `0x${raw.toString(16)} (dataref & 0xffff = ${all}, dataref >> 16 = ${payload})`;
}
