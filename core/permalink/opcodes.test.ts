// SPDX-License-Identifier: GPL-2.0-only
/**
 * The permalink op codes come from the op registry (each spec's `opcode`):
 * every op's code is its index in OPCODES, and a link naming the op
 * decodes back to it.
 */
import { describe, expect, it } from "vitest";
import { OPS, type ParamKind } from "../ops";
import { stripPositions } from "../trace/ast";
import { parseTrace } from "../trace/parse";
import { decodeContent, encodeContent } from "./content";
import { OPCODES, RESERVED_OPCODES, SHORT_OPS } from "./opcodes";

/** An argument of each kind, as a trace writes it (PRELUDE defines the names). */
/** Defines every name an argument below uses (a link names objects by when they were made). */
const PRELUDE = "g = alloc_page(guest)\na = alloc_skb(256)\nq = skb_splice_bits(a, 0, 1)\ns = sock_create()\nsegs = skb_segment(a, 1)\n";
const ARG: Record<ParamKind, string> = { skb: "a", page: "g", pipe: "q", sock: "s", list: "segs", int: "1", owner: "guest", bool: "true" };
const RESULT = { skb: "b", page: "p", pipe: "r", sock: "k", list: "l" } as const;

describe("permalink op codes", () => {
  it("are the registry's: OPCODES[spec.opcode] is the spec's op, for every op", () => {
    // Codes reserved for other branches' ops (RESERVED_OPCODES) may be holes here.
    let holes = 0;
    for (let i = 0; i < OPCODES.length; i++) if (OPCODES[i] === undefined && RESERVED_OPCODES.has(i)) holes++;
    expect(OPCODES.length - holes).toBe(OPS.size);
    for (const spec of OPS.values()) expect(OPCODES[spec.opcode], spec.fn).toBe(spec.fn);
    for (const fn of SHORT_OPS) expect(OPS.has(fn), fn).toBe(true);
  });

  for (const spec of OPS.values()) {
    it(`${spec.fn} (code ${spec.opcode}) decodes back from a link`, () => {
      const call = `${spec.fn}(${spec.params.map((k) => ARG[k]).join(", ")})`;
      const line =
        spec.result && !spec.resultUnlessOptional
          ? `${RESULT[spec.result]} = ${call}`
          : spec.result
            ? `${RESULT[spec.result]} = ${spec.fn}(${spec.params
                .slice(0, spec.params.length - (spec.optional ?? 0))
                .map((k) => ARG[k])
                .join(", ")})`
            : call;
      const { trace } = parseTrace(PRELUDE + line);
      expect(trace.ops.at(-1)!.fn).toBe(spec.fn);
      const kernel = spec.kernels?.[0] ?? "6.1";
      const bytes = encodeContent({ trace, policy: "page-refs", kernel, step: 0, selection: null });
      expect(decodeContent(bytes).view.trace.ops.at(-1)).toEqual(stripPositions(trace).ops.at(-1));
    });
  }
});
