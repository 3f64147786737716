// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { Drafts, RECENT_MAX, titleOf, type KeyValue } from "./persist";

/** A Map as localStorage, with a quota in characters. */
function memory(quota = Infinity): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  const used = () => [...map].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem(k, v) {
      const before = map.get(k);
      map.set(k, v);
      if (used() > quota) {
        if (before === undefined) map.delete(k);
        else map.set(k, before);
        throw new DOMException("full", "QuotaExceededError");
      }
    },
    removeItem: (k) => void map.delete(k),
  };
}

const base = { policyChoice: null, kernelChoice: null, cursor: 3, storyId: null, fragment: "" };

describe("local drafts", () => {
  it("restores the session as saved, errors and all", () => {
    let t = 1000;
    const drafts = new Drafts(memory(), () => t++);
    const source = "g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nkfree_skb(a\n";
    expect(drafts.save({ ...base, id: "x1", source })).toBe(true);
    expect(drafts.session()).toMatchObject({ id: "x1", source, cursor: 3, savedAt: 1000 });
    expect(new Drafts(memory()).session()).toBeNull();
  });

  it("keeps a story as shipped out of the recent list, but restores it", () => {
    const drafts = new Drafts(memory());
    drafts.save({ ...base, id: null, source: "# title: a story\nx = alloc_skb(1)\n", storyId: "s" });
    expect(drafts.recent()).toEqual([]);
    expect(drafts.session()).toMatchObject({ id: null, storyId: "s" });
  });

  it("lists the last 20 own traces, newest first, with title, date and size; saving again moves one to the top", () => {
    let t = 0;
    const storage = memory();
    const drafts = new Drafts(storage, () => ++t);
    for (let i = 1; i <= RECENT_MAX + 3; i++) drafts.save({ ...base, id: `t${i}`, source: `# title: trace ${i}\na = alloc_skb(${i})\n` });
    const list = drafts.recent();
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0]).toEqual({ id: `t${RECENT_MAX + 3}`, title: `trace ${RECENT_MAX + 3}`, savedAt: RECENT_MAX + 3, lines: 2 });
    expect(list.at(-1)!.id).toBe("t4");
    // The texts of dropped entries are gone from the storage too.
    expect(drafts.source("t1")).toBeNull();
    drafts.save({ ...base, id: "t10", source: "# title: trace 10, again\n" });
    expect(drafts.recent()[0]).toMatchObject({ id: "t10", title: "trace 10, again" });
    expect(drafts.recent()).toHaveLength(RECENT_MAX);
  });

  it("evicts the oldest traces when the storage is full, never the one being saved", () => {
    const drafts = new Drafts(memory(900), () => 1);
    for (let i = 1; i <= 5; i++) drafts.save({ ...base, id: `t${i}`, source: `${"x".repeat(150)}${i}\n` });
    const ids = drafts.recent().map((e) => e.id);
    expect(ids[0]).toBe("t5");
    expect(ids).not.toContain("t1");
    expect(drafts.session()!.source).toBe(`${"x".repeat(150)}5\n`);
  });

  it("titles a trace by its header, else its first operation", () => {
    expect(titleOf("# title:  My trace \nx = alloc_skb(1)\n")).toBe("My trace");
    expect(titleOf("# a comment\n\n  b = skb_clone(a)  # why\n")).toBe("b = skb_clone(a)");
    expect(titleOf("")).toBe("untitled trace");
  });

  it("writes a long text once, not again for a save that only moved the cursor", () => {
    const storage = memory();
    let writes = 0;
    const counting = { ...storage, setItem: (k: string, v: string) => (k.startsWith("skbscope:trace:") && writes++, storage.setItem(k, v)) };
    const drafts = new Drafts(counting);
    const source = "get_page(g)\n".repeat(1000);
    drafts.save({ ...base, id: "t", source });
    drafts.save({ ...base, id: "t", source, cursor: 7 });
    expect(writes).toBe(1);
    expect(drafts.session()).toMatchObject({ cursor: 7, source });
  });

  it("survives a corrupt storage", () => {
    const storage = memory();
    storage.setItem("skbscope:session", "{not json");
    storage.setItem("skbscope:recent", "42");
    const drafts = new Drafts(storage);
    expect(drafts.session()).toBeNull();
    expect(drafts.recent()).toEqual([]);
  });
});
