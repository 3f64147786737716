import { describe, expect, it } from "vitest";
import { dataref, parseTrace, runTrace, stateView } from "../../core/index";
import { datarefText } from "./format";
import { buildGraph } from "./model";

function views(source: string, step: number) {
  const run = runTrace(parseTrace(source).trace);
  return { view: stateView(run.snapshotAt(step)), prev: stateView(run.snapshotAt(step - 1)), run };
}

describe("graph model", () => {
  it("dataref shows both halves as core reads them", () => {
    for (const raw of [1, 2, 0x10001, 0x10002, 0x20003]) {
      const { all, payload } = dataref(raw);
      expect(datarefText(raw)).toBe(payload ? `${all - payload}+${payload}` : `${all}`);
    }
    expect(datarefText(0x10002)).toBe("1+1");
  });

  it("a clone shares one Data: two head edges into it, dataref 1 → 2 for one step", () => {
    const { view, prev } = views("a = alloc_skb(256)\nb = skb_clone(a)\n", 2);
    const g = buildGraph(view, prev, []);
    const heads = g.edges.filter((e) => e.kind === "head");
    expect(new Set(heads.map((e) => e.to)).size).toBe(1);
    const data = g.nodes.find((n) => n.kind === "data")!;
    expect(data.counters.find((c) => c.field === "dataref")).toEqual({ field: "dataref", value: "2", old: "1" });
    expect(g.nodes.find((n) => n.key === "skb:b")!.fresh).toBe(true);
    expect(heads.find((e) => e.from === "skb:b")!.fresh).toBe(true);
  });

  it("frag slots point at pages; findings flag the objects they name", () => {
    const src = "# policy: shinfo-release\n# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\n";
    const { view, prev, run } = views(src, 6);
    const g = buildGraph(view, prev, run.steps[5].findings);
    const page = g.nodes.find((n) => n.key === "page:g")!;
    expect(page.owner).toBe("guest");
    expect(page.counters[0]).toEqual({ field: "refcount", value: "1", old: "2" });
    expect(page.findings.map((f) => f.kind)).toContain("premature");
    expect(g.edges.find((e) => e.kind === "frag" && e.to === "page:g")!.fromSlot).toBe(0);
    expect(page.ariaLabel).toContain("refcount 2 to 1");
  });
});
