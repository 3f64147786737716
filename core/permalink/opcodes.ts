// SPDX-License-Identifier: GPL-2.0-only
/**
 * The permalink op tables (format 1). A link names each operation by its
 * code, so codes only ever grow at the end: a link made today decodes in
 * every later version (core/permalink/golden.test.ts holds links made
 * before the codec moved to core).
 *
 * The codes live in the op registry: each spec's `opcode` (core/ops/*.ts).
 * OPCODES is read from it, index = code; registry.test.ts keeps the codes
 * dense and unique, and app/share/permalink.test.ts pins the first ones.
 */
import { OPS } from "../ops";

/**
 * Codes handed out to op families on branches merged one by one (issue 10
 * item 2: page_pool 50-54, managed frags 55-59, shared frags 60-64,
 * delivery 65-69). One this tree lacks is a hole a link cannot use, not
 * an engine bug; once every branch is in, the set can go.
 */
export const RESERVED_OPCODES: ReadonlySet<number> = new Set(Array.from({ length: 20 }, (_, i) => 50 + i));

/** Append-only: the op code is the index. Never renumber or remove an op's code. */
export const OPCODES: readonly string[] = opcodeTable();

function opcodeTable(): string[] {
  const table: string[] = [];
  for (const spec of OPS.values()) {
    if (table[spec.opcode] !== undefined) throw new Error(`engine bug: opcode ${spec.opcode} of ${spec.fn} is ${table[spec.opcode]}'s`);
    table[spec.opcode] = spec.fn;
  }
  const hole = table.findIndex((fn, i) => fn === undefined && !RESERVED_OPCODES.has(i));
  if (hole >= 0) throw new Error(`engine bug: no op has opcode ${hole}`);
  return table;
}

/** The eight commonest operations, 4 bits each (fixed for format 1); the rest take 7. */
export const SHORT_OPS: readonly string[] = [
  "alloc_page",
  "alloc_skb",
  "skb_fill_page_desc",
  "zerocopy_arm",
  "kfree_skb",
  "skb_clone",
  "pskb_copy",
  "pskb_expand_head",
];
