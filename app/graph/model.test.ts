// SPDX-License-Identifier: GPL-2.0-only
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

  it("the device holding a transmitted skb is drawn beside the sockets, with a tx ring edge (issue 11.4)", () => {
    const { view, prev } = views("a = alloc_skb(256)\ndev_queue_xmit(a)\n", 2);
    const g = buildGraph(view, prev, []);
    expect(g.nodes.find((n) => n.key === "sock:@dev")).toMatchObject({ kind: "sock", fresh: true });
    expect(g.edges.find((e) => e.kind === "queue" && e.to === "skb:a")).toMatchObject({ from: "sock:@dev", label: "tx ring" });
    const armed = views("g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\ndev_queue_xmit(a)\n", 5);
    const flagged = buildGraph(armed.view, armed.prev, armed.run.steps[4].findings).nodes.find((n) => n.key === "sock:@dev")!;
    expect(flagged.findings.map((f) => f.kind)).toEqual(["late"]);
    const done = views("a = alloc_skb(256)\ndev_queue_xmit(a)\ndev_consume_skb_any(a)\n", 3);
    expect(buildGraph(done.view, done.prev, []).nodes.some((n) => n.key === "sock:@dev")).toBe(false);
  });

  it("a socket's subtitle names its family once it has received: a tap's is AF_PACKET", () => {
    const src = "# kernel: 6.1\na = alloc_skb(256)\nk = sock_create()\nj = sock_create()\nt = dev_queue_xmit_nit(k, a)\nsock_queue_rcv_skb(j, a)\n";
    const subtitles = (step: number) => {
      const { view, prev } = views(src, step);
      return Object.fromEntries(
        buildGraph(view, prev, [])
          .nodes.filter((n) => n.kind === "sock")
          .map((n) => [n.key, n.subtitle]),
      );
    };
    expect(subtitles(3)).toEqual({ "sock:k": "struct sock", "sock:j": "struct sock" });
    expect(subtitles(5)).toEqual({ "sock:k": "AF_PACKET sock", "sock:j": "inet sock" });
  });

  it("a socket made by its family's create names the family before it receives anything", () => {
    const { view, prev } = views("p = packet_create()\nn = netlink_create()\ni = inet_create()\n", 3);
    const subtitles = Object.fromEntries(
      buildGraph(view, prev, [])
        .nodes.filter((n) => n.kind === "sock")
        .map((n) => [n.key, n.subtitle]),
    );
    expect(subtitles).toEqual({ "sock:p": "AF_PACKET sock", "sock:n": "netlink sock", "sock:i": "inet sock" });
  });

  it("a page_pool page names its pool, and its ring once recycled; a marked skb says pp_recycle", () => {
    const src = "p = page_pool_alloc(pool)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1500, 4096)\nskb_mark_for_recycle(a)\nkfree_skb(a)\n";
    const marked = views(src, 4);
    const g = buildGraph(marked.view, marked.prev, []);
    expect(g.nodes.find((n) => n.key === "page:p")!.subtitle).toMatch(/ · page_pool pool$/);
    expect(g.nodes.find((n) => n.key === "skb:a")!.subtitle).toContain("pp_recycle");
    const back = views(src, 5);
    expect(buildGraph(back.view, back.prev, []).nodes.find((n) => n.key === "page:p")!.subtitle).toMatch(/ · page_pool pool \(in ring\)$/);
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
    const src =
      "# policy: shinfo-release\n# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\n";
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

describe("shared frags and in-place writes", () => {
  it("a page-cache page is drawn as the file's; SHARED_FRAG tags the Data; a shared write flags the page", () => {
    const src =
      "# kernel: 6.1\n# without: pskb-copy-shared-frag\nf = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1000)\nput_page(f)\na = alloc_skb(256)\ndo_tcp_sendpages(a, q)\nc = pskb_copy(a)\nesp_input(c)\n";
    const { view, prev, run } = views(src, 7);
    const g = buildGraph(view, prev, run.steps[6].findings);
    const page = g.nodes.find((n) => n.key === "page:f")!;
    expect(page.owner).toBe("file");
    expect(page.subtitle).toBe("page-cache page");
    expect(page.findings.map((f) => f.kind)).toEqual(["shared-write"]);
    const tagged = g.nodes.filter((n) => n.kind === "data" && n.subtitle.includes("SHARED_FRAG")).map((n) => n.name);
    // a's Data has it; without the fix the copy c's has not.
    expect(tagged).toEqual(["h1"]);
  });
});

describe("ghosts: objects freed in this step stay in place, faded, for the step", () => {
  const tsirkin =
    "# policy: shinfo-release\n# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\nc = pskb_copy(a)\nkfree_skb(a)\n";

  it("kfree_skb(a): a and its Data h1 are ghosts with their references; c, h2 and g are live", () => {
    const { view, prev } = views(tsirkin, 6);
    const g = buildGraph(view, prev, []);
    const ghosts = g.nodes.filter((n) => n.ghost).map((n) => n.key);
    expect(ghosts).toEqual(["skb:a", "data:h1"]);
    expect(g.nodes.filter((n) => !n.ghost).map((n) => n.key)).toEqual(expect.arrayContaining(["skb:c", "data:h2", "page:g"]));
    const a = g.nodes.find((n) => n.key === "skb:a")!;
    expect(a.counters.find((c) => c.field === "users")).toEqual({ field: "users", value: "0", old: "1" });
    expect(g.nodes.find((n) => n.key === "data:h1")!.counters[0]).toEqual({ field: "dataref", value: "0", old: "1" });
    expect(a.ariaLabel).toMatch(/freed in this step/);
    const ghostEdges = g.edges.filter((e) => e.ghost).map((e) => e.key);
    expect(ghostEdges).toEqual(expect.arrayContaining(["head:a", "frag:h1:0:g"]));
    expect(g.edges.filter((e) => !e.ghost).map((e) => e.key)).toEqual(expect.arrayContaining(["head:c", "frag:h2:0:g"]));
  });

  it("ghosts keep the order of the step before, so they keep their rows", () => {
    const { view, prev } = views(tsirkin, 6);
    const skbs = buildGraph(view, prev, [])
      .nodes.filter((n) => n.kind === "skb")
      .map((n) => n.key);
    expect(skbs).toEqual(["skb:a", "skb:c"]);
  });

  it("a ghost lasts one step", () => {
    const { view, prev } = views(tsirkin + "owner_reuse(g)\n", 7);
    expect(buildGraph(view, prev, []).nodes.filter((n) => n.ghost)).toEqual([]);
  });

  it("no ghosts at step 0 or without a step before", () => {
    const { view } = views(tsirkin, 1);
    expect(buildGraph(view, null, []).nodes.some((n) => n.ghost)).toBe(false);
  });
});
