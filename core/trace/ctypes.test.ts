// SPDX-License-Identifier: GPL-2.0-only
/**
 * C argument types (issue 16.2): a value the C caller could not pass is
 * refused when the trace is read, in the prototype's words.
 */
import { describe, expect, it } from "vitest";
import { OPS } from "../ops";
import { cTypeRange, paramCType } from "./ctypes";
import { parseTrace } from "./parse";

const errors = (src: string) =>
  parseTrace(src)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.line}:${d.column} ${d.message}`);
const A = "a = alloc_skb(256)\nb = alloc_skb(256)\np = alloc_page(guest)\n";

describe("every integer argument has the C type of its kernel parameter", () => {
  it("the table covers every integer parameter of the operation table, and nothing else", () => {
    for (const spec of OPS.values()) {
      spec.params.forEach((kind, i) => {
        expect([spec.fn, i, paramCType(spec.fn, i) !== undefined]).toEqual([spec.fn, i, kind === "int"]);
      });
    }
  });

  it.each([
    ["skb_push(a, -4096)", "4:13 skb_push takes unsigned int len; -4096 is not one"],
    ["skb_pull(a, -64)", "4:13 skb_pull takes unsigned int len; -64 is not one"],
    ["skb_put(a, -4096)", "4:12 skb_put takes unsigned int len; -4096 is not one"],
    ["skb_shift(b, a, 2147483648)", "4:17 skb_shift takes int shiftlen; 2147483648 is not one"],
    ["c = napi_alloc_skb(-1)", "4:20 napi_alloc_skb takes unsigned int len; -1 is not one"],
    ["skb_add_rx_frag(a, 0, p, 0, 100, -1)", "4:34 skb_add_rx_frag takes unsigned int truesize; -1 is not one"],
    ["pskb_may_pull(a, -1)", "4:18 pskb_may_pull takes unsigned int len; -1 is not one"],
    ["c = alloc_skb(-5)", "4:15 alloc_skb takes unsigned int size; -5 is not one"],
    ["pskb_expand_head(a, 2147483648, 0)", "4:21 pskb_expand_head takes int nhead; 2147483648 is not one"],
    ["c = skb_segment(a, 65536)", "4:20 skb_segment takes unsigned short mss; 65536 is not one"],
    ["skb_put(a, 4294967296)", "4:12 skb_put takes unsigned int len; 4294967296 is not one"],
  ])("%s is a parse-time error at its column", (line, message) => {
    expect(errors(A + line)).toEqual([message]);
  });

  it("skb_zerocopy's int hlen may not be below INT_MIN", () => {
    expect(errors(`${A}skb_zerocopy(b, a, 0, -2147483649)`)).toEqual(["4:23 skb_zerocopy takes int hlen; -2147483649 is not one"]);
  });

  it("accepts each type's extremes", () => {
    expect(errors(`${A}skb_put(a, 4294967295)\npskb_expand_head(a, -2147483648, 2147483647)\nc = skb_segment(a, 65535)`)).toEqual([]);
  });
});

describe("integer constants read as C reads them", () => {
  it("0777 is octal, 511", () => {
    const p = parseTrace("a = alloc_skb(0777)\nb = alloc_skb(0x10)\nc = alloc_skb(0)");
    expect(p.trace.ops.map((op) => op.args[0])).toMatchObject([{ value: 511 }, { value: 16 }, { value: 0 }]);
  });

  it("089 is refused: octal has no 8 or 9", () => {
    expect(errors("a = alloc_skb(089)")).toEqual(["1:15 089 is not an integer: a leading 0 makes it octal, as in C, and octal has no 8 or 9"]);
  });

  it.each([
    ["a = alloc_skb(1e309)", "1:15 1e309 is not an integer"],
    ["a = alloc_skb(1.5)", "1:15 1.5 is not an integer"],
    ["a = alloc_skb(1e+5)", "1:15 1e+5 is not an integer"],
    ["skb_put(a, -2.5)", "1:13 2.5 is not an integer"],
    ["a = alloc_skb(12abc)", "1:15 12abc is not an integer"],
  ])("%s: not an integer, at its column", (line, message) => {
    expect(errors(line)).toEqual([message]);
  });

  it("-0 is 0", () => {
    expect(parseTrace("a = alloc_skb(-0)").trace.ops[0].args[0]).toMatchObject({ value: 0 });
  });
});

describe("every integer parameter refuses the values just outside its C type", () => {
  const sample: Record<string, string> = { skb: "a", page: "p", pipe: "q", sock: "s", list: "l", owner: "guest", bool: "true" };
  const setup = "a = alloc_skb(256)\np = alloc_page(guest)\nq = skb_splice_bits(a, 0, 0)\ns = sock_create()\nl = skb_segment(a, 100)\n";
  for (const spec of OPS.values()) {
    spec.params.forEach((kind, i) => {
      if (kind !== "int") return;
      const type = paramCType(spec.fn, i)!;
      const [lo, hi] = cTypeRange(type);
      it(`${spec.fn} argument ${i + 1} (${spec.names[i]}, ${type}): ${lo - 1} and ${hi + 1} refused, ${lo} and ${hi} read`, () => {
        const call = (v: number) => {
          const args = spec.params.map((k, j) => (j === i ? String(v) : k === "int" ? "0" : sample[k]));
          const res = spec.result !== null && !(spec.resultUnlessOptional && args.length > spec.params.length - (spec.optional ?? 0)) ? "r = " : "";
          return `${setup}${res}${spec.fn}(${args.join(", ")})`;
        };
        for (const bad of [lo - 1, hi + 1]) {
          expect(errors(call(bad))).toEqual([expect.stringContaining(`${spec.fn} takes ${type} ${spec.names[i]}; ${bad} is not one`)]);
        }
        for (const ok of [lo, hi]) expect(errors(call(ok))).toEqual([]);
      });
    });
  }
});
