// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { nodeWidth } from "./GraphView";

const skb = (counters: { field: string; value: string; old: string | null }[], title = "skb a") => ({ kind: "skb" as const, counters, title, owner: null });

describe("node width", () => {
  it("keeps the kind's width for short text", () => {
    expect(
      nodeWidth(
        skb([
          { field: "users", value: "1", old: null },
          { field: "cloned", value: "0", old: null },
        ]),
        1,
      ),
    ).toBe(150);
  });

  it("grows so 'len 0→4096' stays inside the box, up to the next column", () => {
    const w = nodeWidth(
      skb([
        { field: "nohdr", value: "0", old: null },
        { field: "len", value: "4096", old: "0" },
      ]),
      1,
    );
    expect(w).toBeGreaterThan(150);
    expect(w).toBeGreaterThanOrEqual(10 + "nohdr 0len 0→4096".length * 7.6 + 12 + 10 - 1);
    expect(nodeWidth(skb([], `${"x".repeat(80)}`), 1)).toBe(200 - 24);
  });
});
