// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { parseTrace, runTrace, stateView } from "../../core/index";
import { pointerText, related } from "./highlight";
import { buildGraph } from "./model";

const src =
  "# policy: shinfo-release\n# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nb = skb_clone(c)\ns = sock_create()\nsock_queue_rcv_skb(s, b)\nq = skb_splice_bits(b, 0, 4096)\n";

function graphAt(step: number) {
  const run = runTrace(parseTrace(src).trace);
  return buildGraph(stateView(run.snapshotAt(step)), step > 0 ? stateView(run.snapshotAt(step - 1)) : null, []);
}

describe("pointing: an object, its holders and what it holds", () => {
  it("a page lights up every holder: frag slots' Datas, the skbs on them, pipe buffers, the owner", () => {
    const g = graphAt(9);
    const r = related(g, "page:g")!;
    expect(new Set(r.holders)).toEqual(new Set(["data:h1", "data:h2", "pipe:q", "buffer:z1", "skb:a", "skb:c", "skb:b", "sock:s"]));
    expect(r.holds).toEqual([]);
    expect(r.edges.has("frag:h2:0:g")).toBe(true);
    expect(r.edges.has("head:b")).toBe(true);
  });

  it("an skb lights up what it holds, down to the page, and not its siblings", () => {
    const g = graphAt(9);
    const r = related(g, "skb:a")!;
    expect(r.holds).toEqual(["data:h1", "page:g"]);
    expect(r.nodes.has("skb:c")).toBe(false);
    expect(r.nodes.has("data:h2")).toBe(false);
  });

  it("says it in words", () => {
    const g = graphAt(9);
    expect(pointerText(g, "page:g")).toMatch(
      /^page g: held by Data h1 frags\[0\], Data h2 frags\[0\], pipe q bufs\[0\], owner's buffer z1 \(through skb a, skb c, skb b, sk s\)$/,
    );
    expect(pointerText(g, "skb:c")).toBe("skb c: holds Data h2, page g");
    expect(pointerText(g, "page:nope")).toBeNull();
  });

  it("a ghost's old references are not holders; pointing at the ghost shows what it held", () => {
    const run = runTrace(parseTrace(src.replace(/b = skb_clone[^]*$/, "kfree_skb(a)\n")).trace);
    const g = buildGraph(stateView(run.snapshotAt(6)), stateView(run.snapshotAt(5)), []);
    expect(related(g, "page:g")!.holders).not.toContain("data:h1");
    expect(pointerText(g, "page:g")).toBe("page g: held by Data h2 frags[0], owner's buffer z1 (through skb c)");
    expect(related(g, "skb:a")!.holds).toEqual(["data:h1", "page:g"]);
    expect(pointerText(g, "data:h1")).toBe("Data h1 (freed in this step): held by skb a; holds page g");
  });
});
