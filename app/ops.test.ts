// SPDX-License-Identifier: GPL-2.0-only
import { beforeAll, describe, expect, it } from "vitest";
import { parseTrace, printOp, runTrace, stateView } from "../core/index";
import { candidates, defaultArgs, draftOf, dryRunKey, filterOps, freshName, freshNames, loadOpDefaults, opsFor, targetOf } from "./ops";
import { opTable } from "./worker/engineHost";

beforeAll(loadOpDefaults);

const ops = opTable();
const view = stateView(runTrace(parseTrace("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\n").trace).final);

describe("operation forms", () => {
  it("offers the operations taking the selected kind, on this kernel", () => {
    const c = candidates(view);
    const forSkb = opsFor(targetOf("skb:a", view), ops, "6.1", c).map((o) => o.fn);
    expect(forSkb).toEqual(
      expect.arrayContaining([
        "skb_clone",
        "skb_copy",
        "pskb_copy",
        "pskb_expand_head",
        "skb_split",
        "skb_splice_bits",
        "kfree_skb",
        "skb_segment",
        "skb_try_coalesce",
      ]),
    );
    expect(forSkb).not.toContain("pipe_release");
    expect(opsFor(targetOf("skb:a", view), ops, "2.6.32", c).map((o) => o.fn)).not.toContain("skb_try_coalesce");
    expect(opsFor(targetOf("page:g", view), ops, "6.1", c).map((o) => o.fn)).toEqual(expect.arrayContaining(["get_page", "put_page", "owner_reuse"]));
    expect(opsFor(null, ops, "6.1", c).map((o) => o.fn)).toEqual(expect.arrayContaining(["alloc_page", "alloc_skb", "sock_create"]));
  });

  it("a Data selection acts on its skb", () => {
    expect(targetOf("data:h1", view)).toEqual({ kind: "skb", name: "a" });
  });

  it("defaults: the selection in its slot, numbers from the skb", () => {
    const c = candidates(view);
    const split = ops.find((o) => o.fn === "skb_split")!;
    expect(defaultArgs(split, { kind: "skb", name: "a" }, view, c)).toEqual(["a", 2048]);
    const fill = ops.find((o) => o.fn === "skb_fill_page_desc")!;
    expect(defaultArgs(fill, { kind: "page", name: "g" }, view, c)).toEqual(["a", 1, "g", 0, 4096]);
  });

  it("names results freshly and leaves the pipe result out when appending to a pipe", () => {
    expect(freshName("skb", ["a", "b", "c"])).toBe("d");
    expect(freshNames(["a", "b", "p", "h", "q"])).toEqual({ skb: "c", page: "p1", pipe: "q1", sock: "s", list: "segs" });
    const splice = ops.find((o) => o.fn === "skb_splice_bits")!;
    expect(draftOf(splice, ["a", 0, 4096], freshNames(["a"]))).toEqual({ fn: "skb_splice_bits", result: "q", args: ["a", 0, 4096] });
    expect(draftOf(splice, ["a", 0, 4096, "q"], freshNames(["a", "q"]))).toEqual({ fn: "skb_splice_bits", args: ["a", 0, 4096, "q"] });
  });

  it("defaults the kernel accepts: the next frag index and a page the skb does not hold yet (issue 17.3)", () => {
    const two = stateView(
      runTrace(parseTrace("g = alloc_page(guest)\nh = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\n").trace).final,
    );
    const fill = ops.find((o) => o.fn === "skb_fill_page_desc")!;
    // The skb selected: frags[1] with h, not a second ref of g, the page just handed over.
    expect(defaultArgs(fill, { kind: "skb", name: "a" }, two, candidates(two))).toEqual(["a", 1, "h", 0, 4096]);
    // Only g left: it is still offered (the user may mean it).
    expect(defaultArgs(fill, { kind: "skb", name: "a" }, view, candidates(view))).toEqual(["a", 1, "g", 0, 4096]);
  });

  it("offers a receiving operation only on a socket of its family, and picks such a socket by default (contract socket-family)", () => {
    const run = runTrace(
      parseTrace("# kernel: 6.1\na = alloc_skb(256)\nk = sock_create()\nj = sock_create()\nt = dev_queue_xmit_nit(k, a)\nb = alloc_skb(256)\n").trace,
    );
    const v = stateView(run.final);
    const fns = (sock: string) => opsFor(targetOf(`sock:${sock}`, v), ops, "6.1", candidates(v), v).map((o) => o.fn);
    expect(fns("k")).toContain("dev_queue_xmit_nit");
    expect(fns("k")).not.toContain("sock_queue_rcv_skb");
    expect(fns("k")).not.toContain("queue_userspace_packet");
    expect(fns("j")).toEqual(expect.arrayContaining(["dev_queue_xmit_nit", "sock_queue_rcv_skb", "queue_userspace_packet"]));
    const deliver = ops.find((o) => o.fn === "sock_queue_rcv_skb")!;
    expect(defaultArgs(deliver, targetOf("skb:b", v), v, candidates(v))[0]).toBe("j");
  });

  it("reads a receive queue only where there is one: sk_eat_skb defaults to an skb on its socket's queue, copy and splice to a queued skb (contracts eat-own-queue, read-from-receive-queue)", () => {
    const run = runTrace(
      parseTrace(
        "# kernel: 6.1\na = alloc_skb(256)\nb = alloc_skb(256)\nc = alloc_skb(256)\ns = sock_create()\nr = sock_create()\nsock_queue_rcv_skb(s, b)\nsock_queue_rcv_skb(r, c)\n",
      ).trace,
    );
    const v = stateView(run.final);
    const fns = (target: string) => opsFor(targetOf(target, v), ops, "6.1", candidates(v), v).map((o) => o.fn);
    const eat = ops.find((o) => o.fn === "sk_eat_skb")!;
    const copy = ops.find((o) => o.fn === "skb_copy_datagram_iter")!;
    // a is on no queue: nothing reads it off one.
    expect(fns("skb:a")).not.toContain("sk_eat_skb");
    expect(fns("skb:a")).not.toContain("skb_copy_datagram_iter");
    expect(fns("skb:c")).toEqual(expect.arrayContaining(["sk_eat_skb", "skb_copy_datagram_iter", "skb_splice_bits"]));
    // From a socket: its own queued skb, not the first skb (a) nor the other socket's (b).
    expect(defaultArgs(eat, targetOf("sock:r", v), v, candidates(v))).toEqual(["r", "c"]);
    // From an skb: the socket whose queue holds it.
    expect(defaultArgs(eat, targetOf("skb:c", v), v, candidates(v))).toEqual(["r", "c"]);
    expect(defaultArgs(copy, targetOf("skb:c", v), v, candidates(v))[0]).toBe("c");
    // A socket with an empty queue has nothing to eat.
    const emptied = stateView(runTrace(parseTrace(`${run.ops.map((o) => printOp(o)).join("\n")}\nsk_eat_skb(r, c)\n`).trace).final);
    expect(opsFor(targetOf("sock:r", emptied), ops, "6.1", candidates(emptied), emptied).map((o) => o.fn)).not.toContain("sk_eat_skb");
  });

  it("does not offer skb_split or skb_fill_page_desc on a cloned skb, and offers them again once it is unshared (contracts split-unclone-first, fill-uncloned)", () => {
    const run = runTrace(parseTrace("g = alloc_page(guest)\na = alloc_skb(256)\nskb_put(a, 200)\nb = skb_clone(a)\nkfree_skb(b)\n").trace);
    const cloned = stateView(run.snapshotAt(4));
    const fns = (v: typeof cloned) => opsFor(targetOf("skb:a", v), ops, "6.1", candidates(v), v).map((o) => o.fn);
    expect(fns(cloned)).not.toContain("skb_split");
    expect(fns(cloned)).not.toContain("skb_fill_page_desc");
    expect(fns(cloned)).toContain("pskb_expand_head");
    // After kfree_skb(b) a is the Data's only user: skb_cloned() is false again.
    const alone = stateView(run.snapshotAt(5));
    expect(fns(alone)).toEqual(expect.arrayContaining(["skb_split", "skb_fill_page_desc"]));
  });

  it("filters the picker by every word typed, in the op's name or group", () => {
    const names = (q: string) => filterOps(ops, q).map((o) => o.fn);
    expect(names("")).toHaveLength(ops.length);
    expect(names("split")).toEqual(["skb_split"]);
    expect(names("PSKB copy")).toEqual(["pskb_copy", "pskb_expand_head"]);
    expect(names("pskb_c")).toEqual(["pskb_copy"]);
    expect(names("fill")).toEqual(expect.arrayContaining(["skb_fill_page_desc"]));
    expect(names("no such op")).toEqual([]);
  });

  it("names a dry run by the text, the step and the draft", () => {
    const d = { fn: "skb_clone", result: "b", args: ["a"] };
    expect(dryRunKey(1, 2, d)).toBe(dryRunKey(1, 2, { ...d }));
    expect(new Set([dryRunKey(1, 2, d), dryRunKey(2, 2, d), dryRunKey(1, 3, d), dryRunKey(1, 2, { ...d, args: ["c"] })]).size).toBe(4);
  });
});
