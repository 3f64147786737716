// SPDX-License-Identifier: GPL-2.0-only
/**
 * No import cycles in core/: each module can be read (and loaded) after
 * the modules it imports. Type-only imports count too: a cycle of types
 * is still two modules that cannot be understood apart.
 */
import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["./**/*.ts", "!./**/*.test.ts", "!./testdata/**"], {
  query: "?raw",
  import: "default",
  eager: true,
});

/** "./a/b.ts" importing "../c" -> "./c.ts" (or "./c/index.ts"). */
function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const p of spec.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  const base = parts.join("/").replace(/\.(js|ts)$/, "");
  for (const f of [`${base}.ts`, `${base}/index.ts`]) if (f in sources) return f;
  return null;
}

export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const spec = /(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/g;
  for (const [file, text] of Object.entries(sources)) {
    const deps = [...text.matchAll(spec)].map((m) => resolve(file, m[1])).filter((d): d is string => d !== null);
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Every cycle, each once, as the list of files around it. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === "open") {
        const cycle = stack.slice(stack.indexOf(d));
        found.set([...cycle].sort().join(" "), [...cycle, d]);
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return [...found.values()];
}

describe("core import graph", () => {
  it("sees the imports (the barrel imports the engine)", () => {
    expect(importGraph().get("./index.ts")).toContain("./engine/replay.ts");
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "a"]]);
  });
  it("has no cycle", () => {
    expect(cycles(importGraph()).map((c) => c.join(" -> "))).toEqual([]);
  });
});
