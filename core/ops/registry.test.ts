// SPDX-License-Identifier: GPL-2.0-only
/**
 * The op registry is complete: every operation is searched (or says why
 * not), fuzzed, documented, has its own permalink opcode, its C types and
 * its form defaults line up with its parameters, and the kernel oracle's
 * parser knows it (or it says why it cannot be recorded). A new op that
 * leaves any of these out fails here, by name.
 */
import { describe, expect, it } from "vitest";
import { OPS as ORACLE_OPS, parseTrace as oracleParse, toCommands } from "../../tools/kernel-oracle/trace-parse.mjs";
import { runTrace } from "../engine/replay";
import { parseTrace } from "../trace/parse";
import { BASE_OPS, ROOT_OPS, candidates, menuOps } from "../search/menu";
import { makerContext } from "../testdata/guided";
import { printOp } from "../trace/print";
import { OPS } from "./index";
import { RESERVED_OPCODES } from "../permalink/opcodes";
import { OP_GROUPS, type OpSpec } from "./spec";

const specs = [...OPS.values()];

/** A state with one of everything: pages (one with a reference of the caller's), skbs with frags, a queued skb, a pipe with pages, a socket, a segment list. */
const RICH = `g = alloc_page(guest)
p = alloc_page(host)
a = alloc_skb(256)
skb_put(a, 100)
skb_fill_page_desc(a, 0, g, 0, 4096)
b = alloc_skb(256)
skb_put(b, 50)
c = alloc_skb(256)
skb_fill_page_desc(c, 0, p, 0, 1000)
zerocopy_arm(a)
s = sock_create()
sock_queue_rcv_skb(s, c)
q = skb_splice_bits(c, 0, 1000)
d = skb_clone(a)
segs = skb_segment(d, 1448)
get_page(g)`;
const each = (test: (spec: OpSpec) => void) => () => {
  for (const spec of specs) {
    try {
      test(spec);
    } catch (e) {
      throw new Error(`${spec.fn}: ${(e as Error).message}`, { cause: e });
    }
  }
};

/** A call of the op with placeholder arguments of the right kinds, for the oracle parser. */
function sampleCall(spec: OpSpec): string {
  const setup: string[] = [];
  const args = spec.params.slice(0, spec.params.length - (spec.optional ?? 0)).map((kind, i) => {
    const name = `x${i}`;
    switch (kind) {
      case "int":
        return "1";
      case "owner":
        return "guest";
      case "bool":
        return "true";
      case "skb":
        setup.push(`${name} = alloc_skb(1)`);
        return name;
      case "page":
        setup.push(`${name} = alloc_page(guest)`);
        return name;
      case "pipe":
        setup.push(`${name} = skb_splice_bits(${name}s, 0, 1)`);
        setup.splice(setup.length - 1, 0, `${name}s = alloc_skb(1)`);
        return name;
      case "sock":
        setup.push(`${name} = sock_create()`);
        return name;
      case "list":
        setup.push(`${name}s = alloc_skb(1)`, `${name} = skb_segment(${name}s, 1)`);
        return name;
    }
  });
  return [...setup, `${spec.result ? "r = " : ""}${spec.fn}(${args.join(", ")})`].join("\n");
}

describe("the op registry", () => {
  it(
    "every op is on the search menu with a role and a unique place, or says why not",
    each((spec) => {
      if ("notSearchable" in spec.search) {
        expect(spec.search.notSearchable.length).toBeGreaterThan(20);
        expect([...BASE_OPS, ...ROOT_OPS]).not.toContain(spec.fn);
      } else {
        expect([...BASE_OPS, ...ROOT_OPS]).toContain(spec.fn);
      }
    }),
  );

  it("the menu's places are 0..n-1 in each role (the order searches through roots run)", () => {
    for (const role of ["base", "root"] as const) {
      const orders = specs.flatMap((s) => ("role" in s.search && s.search.role === role ? [s.search.order] : [])).sort((a, b) => a - b);
      expect(orders).toEqual(orders.map((_, i) => i));
    }
  });

  it(
    "every op is fuzzed: its maker makes it from a state that has what it needs",
    each((spec) => {
      expect(spec.fuzz.weight).toBeGreaterThan(0);
      const kernel = spec.kernels?.[0] ?? "6.1";
      const state = runTrace(parseTrace(RICH).trace, { kernel, policy: "page-refs" }).final;
      const c = makerContext(() => state);
      const made = Array.from({ length: 64 }, (_, i) => spec.fuzz.make(c, [0, i, i >> 1, i >> 2, i >> 3], spec.fn))
        .flatMap((m) => (m === null ? [] : Array.isArray(m) ? m : [m]))
        .some((op) => op.fn === spec.fn);
      expect(made).toBe(true);
    }),
  );

  it(
    "every op is documented: docs rows that call it by name",
    each((spec) => {
      expect(spec.docs.length).toBeGreaterThan(0);
      for (const row of spec.docs) {
        expect(row.call).toMatch(new RegExp(`(^|= )${spec.fn}\\(`));
        expect(row.models.length).toBeGreaterThan(0);
      }
    }),
  );

  it("every op has a permalink opcode of its own, with no gaps", () => {
    const codes = specs.map((s) => s.opcode).sort((a, b) => a - b);
    // A code reserved for another branch's ops (RESERVED_OPCODES) may be missing here.
    const dense = Array.from({ length: codes[codes.length - 1] + 1 }, (_, i) => i).filter((i) => !RESERVED_OPCODES.has(i) || codes.includes(i));
    expect(codes).toEqual(dense);
  });

  it(
    "signatures line up: a name and a C type per parameter, C types exactly on int/bool params, form defaults on int params",
    each((spec) => {
      expect(spec.names).toHaveLength(spec.params.length);
      expect(spec.ctypes).toHaveLength(spec.params.length);
      spec.params.forEach((kind, i) => expect(spec.ctypes[i] !== null).toBe(kind === "int" || kind === "bool"));
      for (const name of Object.keys(spec.form ?? {})) expect(spec.params[spec.names.indexOf(name)]).toBe("int");
      expect(OP_GROUPS).toContain(spec.group);
    }),
  );

  it(
    "the kernel oracle's parser knows every op, or the op says why it cannot be recorded",
    each((spec) => {
      const known = ORACLE_OPS[spec.fn];
      expect(known).toBeDefined();
      if (typeof spec.oracle !== "string") {
        expect(known.notRecordable).toBe(spec.oracle.notRecordable);
        return;
      }
      const parsed = oracleParse(sampleCall(spec));
      const last = parsed.ops[parsed.ops.length - 1];
      expect(last.fn).toBe(spec.fn);
      expect(toCommands("t", parsed, "page-refs")).toContain(`op ${last.line} ${spec.oracle} `);
    }),
  );

  it("the search menu offers do_tcp_sendpages once a pipe holds pages, into each skb a caller holds", () => {
    const ops = menuOps(["do_tcp_sendpages"], "6.1");
    expect(ops).toEqual(["do_tcp_sendpages"]);
    const at = (text: string) => candidates(runTrace(parseTrace(text).trace, { kernel: "6.1" }).final, ops).map((step) => step.map(printOp).join("; "));
    const prefix = "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\n";
    expect(at(`${prefix}b = alloc_skb(256)`)).toEqual([]);
    expect(at(`${prefix}q = skb_splice_bits(a, 0, 4096)\nb = alloc_skb(256)`)).toEqual(["do_tcp_sendpages(b, q)"]);
  });
});
