// SPDX-License-Identifier: GPL-2.0-only
/**
 * The argument menu: lengths where the kernel branches, fresh names, and
 * the callers' contracts the engine does not check.
 */
import { describe, expect, it } from "vitest";
import { trace } from "../testdata/harness";
import { printOp } from "../trace/print";
import { DEFAULT_OPS, candidates, cutPoints, freshName, menuOps } from "./menu";
import type { SkbId } from "../model/types";

const PREFIX = `
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;

const steps = (body: string, kernel: "6.1" | "2.6.32" = "2.6.32") => {
  const state = trace(`${PREFIX}${body}`, { policy: "shinfo-release", kernel }).final;
  return candidates(state, menuOps(DEFAULT_OPS, kernel)).map((s) => s.map(printOp).join("; "));
};

describe("the argument menu", () => {
  it("cuts at 0, inside and at the end of the linear part, inside and at the end of each frag", () => {
    const run = trace(`h = alloc_page(host)\nb = alloc_skb(256)\nskb_put(b, 100)\nskb_fill_page_desc(b, 0, h, 0, 1000)`);
    const skb = run.final.skbs.get("b" as SkbId)!;
    expect(cutPoints(skb, run.final.datas.get(skb.head)!)).toEqual([0, 50, 100, 600, 1100]);
  });

  it("skb_split, pskb_trim and __pskb_pull_tail get those lengths", () => {
    const all = steps("");
    // tcp_fragment splits strictly inside the skb: never at 0 or at skb->len.
    expect(all.filter((s) => s.includes("skb_split"))).toEqual(["b = skb_split(a, 2048)"]);
    expect(all.filter((s) => s.startsWith("pskb_trim"))).toEqual(["pskb_trim(a, 0)", "pskb_trim(a, 2048)"]);
    expect(all.filter((s) => s.startsWith("__pskb_pull_tail"))).toEqual(["__pskb_pull_tail(a, 2048)", "__pskb_pull_tail(a, 4096)"]);
  });

  it("a delivery to a new socket is one step of two operations", () => {
    expect(steps("")).toContain("s = sock_create(); sock_queue_rcv_skb(s, a)");
    expect(steps("")).not.toContain("s = sock_create()");
  });

  it("a queued skb belongs to its reader: read, splice, eat, nothing else", () => {
    const all = steps("s = sock_create()\nsock_queue_rcv_skb(s, a)").filter((s) => /\ba\b/.test(s));
    expect(all).toEqual(["q = skb_splice_bits(a, 0, 4096)", "skb_copy_datagram_iter(a, 0, 4096)", "sk_eat_skb(s, a)"]);
  });

  it("never offers the owner's moves, nor operations that would do nothing", () => {
    const fns = new Set(steps("").map((s) => s.replace(/^\w+ = /, "").split("(")[0]));
    for (const fn of ["owner_reuse", "get_page", "put_page", "zerocopy_arm", "skb_fill_page_desc"]) expect(fns.has(fn), fn).toBe(false);
    // no destructor under shinfo-release, and no second skb to shift into
    expect(fns.has("skb_orphan")).toBe(false);
    expect(fns.has("skb_shift")).toBe(false);
    expect(steps("b = alloc_skb(256)")).toContain("skb_shift(b, a, 2048)");
  });

  it("operations the kernel does not have are not offered (6.1 only, 2.6.32 only)", () => {
    expect(menuOps(DEFAULT_OPS, "2.6.32")).not.toContain("skb_try_coalesce");
    expect(menuOps(DEFAULT_OPS, "6.1")).not.toContain("skb_recycle_check");
    expect(menuOps(DEFAULT_OPS, "6.1")).toContain("skb_orphan_frags");
  });

  it("new names: the first free one, never a name the trace used, freed ones included", () => {
    const run = trace(`${PREFIX}b = skb_clone(a)\nkfree_skb(b)\nc = pskb_copy(a)\nsegs = skb_segment(a, 4096)`);
    expect(freshName(run.final, "skb")).toBe("d");
    expect(freshName(run.final, "list")).toBe("segs2");
    expect(freshName(run.final, "pipe")).toBe("q");
  });
});
