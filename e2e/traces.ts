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
