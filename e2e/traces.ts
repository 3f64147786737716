// SPDX-License-Identifier: GPL-2.0-only
/** Generated traces shared by the e2e tests and tools/bench-browser.ts. */

/** ~300 objects: 75 pages, 75 skbs with a frag each, 75 clones (75 Datas). */
export function wideTrace(groups = 75): string {
  const lines = [`# title: bench: ${groups * 4} objects`, "# kernel: 6.1"];
  for (let i = 0; i < groups; i++)
    lines.push(`p${i} = alloc_page(host)`, `a${i} = alloc_skb(256)`, `skb_fill_page_desc(a${i}, 0, p${i}, 0, 4096)`, `b${i} = skb_clone(a${i})`);
  return lines.join("\n") + "\n";
}

export const LONG_TRACE_TITLE = "bench: 100,000 steps";

/** A long trace: alloc, fill, clone, free, free, over and over. */
export function longTrace(steps = 100_000): string {
  const lines = [`# title: ${LONG_TRACE_TITLE}`, "# kernel: 6.1"];
  for (let i = 0; lines.length - 2 < steps; i++) {
    lines.push(
      `p${i} = alloc_page(host)`,
      `a${i} = alloc_skb(256)`,
      `skb_fill_page_desc(a${i}, 0, p${i}, 0, 4096)`,
      `b${i} = skb_clone(a${i})`,
      `kfree_skb(a${i})`,
      `kfree_skb(b${i})`,
    );
  }
  return lines.slice(0, steps + 2).join("\n") + "\n";
}

/**
 * A tall graph: 22 pskb_copy of an skb whose four frags map four pages,
 * so 23 Datas share 4 pages (50 objects; one row each, 24 rows, unstacked).
 */
export function tallTrace(copies = 22): string {
  const lines = ["# title: tall: 23 Datas sharing 4 pages", "# kernel: 6.1", "a = alloc_skb(256)"];
  for (let i = 0; i < 4; i++) lines.push(`p${i} = alloc_page(host)`, `skb_fill_page_desc(a, ${i}, p${i}, 0, 1024)`);
  for (let i = 1; i <= copies; i++) lines.push(`k${i} = pskb_copy(a)`);
  return lines.join("\n") + "\n";
}

/**
 * A mixed graph of ~60 objects: clones, copies of two skbs, splits, a
 * socket, a pipe and a page handed to a pipe by splice.
 */
export function mixedTrace(): string {
  const lines = [
    "# title: mixed: 60 objects",
    "# kernel: 6.1",
    "g = alloc_page(guest)",
    "h = alloc_page(host)",
    "a = alloc_skb(256)",
    "skb_fill_page_desc(a, 0, g, 0, 4096)",
    "b = alloc_skb(256)",
    "skb_fill_page_desc(b, 0, h, 0, 2048)",
    ...Array.from({ length: 10 }, (_, i) => `c${i + 1} = skb_clone(a)`),
    ...Array.from({ length: 8 }, (_, i) => `k${i + 1} = pskb_copy(a)`),
    ...Array.from({ length: 8 }, (_, i) => `m${i + 1} = pskb_copy(b)`),
    ...Array.from({ length: 3 }, (_, i) => `s${i + 1} = skb_split(k${i + 1}, 100)`),
    ...Array.from({ length: 4 }, (_, i) => `d${i + 1} = skb_clone(b)`),
    "sk = sock_create()",
    "sock_queue_rcv_skb(sk, k4)",
    "q = skb_splice_bits(k4, 0, 4096)",
  ];
  return lines.join("\n") + "\n";
}
