// SPDX-License-Identifier: GPL-2.0-only
/**
 * A search that ran to its bound, in words: a bounded proof. The CLI and
 * the app's search panel print this same sentence.
 */
import type { FindingKind } from "../check/checker";
import { printOp } from "../trace/print";
import { KIND_ORDER, type SearchResult } from "./search";

/** What each kind is called in the sentence. */
const KIND_WORDS: Partial<Record<FindingKind, string>> = {
  premature: "premature completion",
  duplicate: "duplicate completion",
  missed: "missed completion",
  late: "late completion",
  "use-after-free": "use-after-free",
  "double-free": "double free",
  "refcount-underflow": "refcount underflow",
  conservation: "conservation breach",
};

function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

/**
 * "no <kind> in any sequence of up to N steps from <start> over <menu>
 * (S distinct states[; not judged: K steps the model does not cover ...])",
 * for every kind the search did not find; null when
 * it stopped before its bound (budget, time, cancel, stop-when-found) or
 * found every kind. A per-operation result that leaned on the whole search
 * (kindsImpliedBy) says so instead of counting states.
 */
export function proofText(r: SearchResult): string | null {
  if (r.kindsImpliedBy) return settledText(r);
  if (r.stoppedBy !== null) return null;
  const found = new Set(r.counterexamples.map((c) => c.kind));
  const kinds = KIND_ORDER.filter((k) => !found.has(k)).map((k) => KIND_WORDS[k] ?? k);
  if (kinds.length === 0) return null;
  return `${claim(r, kinds, r.depth)} (${statesText(r)}${r.exhausted ? ", every reachable one" : ""}${unmodelled(r)})`;
}

/**
 * Steps the engine refused as not modelled ("unsupported": skb_segment of
 * a frag_list member with linear bytes ...) or could not run (an engine
 * bug) end their paths unjudged: the sentence says how many, so "any
 * sequence" is never read as covering them.
 */
function unmodelled(r: SearchResult): string {
  return r.notModelled > 0 ? `; not judged: ${plural(r.notModelled, "step")} the model does not cover, and every path through them` : "";
}

/**
 * Whether a result judged every path up to its bound: it ran to it or saw
 * every reachable state, or the whole search settled it (throughImplied;
 * throughShortcut, unless what it searched for again was cut short by the
 * budget, the time or a cancel). Where not, a report says how far it got,
 * never "none" up to the bound.
 */
export function reachedBound(r: SearchResult): boolean {
  if (r.impliedBy || r.exhausted) return true;
  if (r.kindsImpliedBy) return (r.searchedKinds?.length ?? 0) === 0 || r.stoppedBy === null || r.stoppedBy === "found";
  return r.depth >= r.maxDepth;
}

/**
 * The states behind a proof. States at the bound are judged but not
 * deduplicated (SearchOptions.dedupeLeaves): the distinct ones are those
 * below it, and the steps judged at the bound are counted apart.
 */
export function statesText(r: SearchResult): string {
  if (r.leaves === 0) return plural(r.states, "distinct state");
  return `${plural(r.states, "distinct state")} of up to ${plural(Math.max(0, r.depth - 1), "step")}, ${plural(r.leaves, "step")} judged at step ${r.depth}`;
}

function claim(r: SearchResult, kinds: readonly string[], depth: number): string {
  const start = r.prefix.map(printOp).join("; ");
  const through = r.require ? ` using ${r.require}` : "";
  return `no ${orList(kinds)} in any sequence${through} of up to ${plural(depth, "step")} from ${start || "the empty state"} over ${r.ops.join(", ")}`;
}

/**
 * A per-operation result the whole search settled in part
 * (throughShortcut): the kinds the whole search did not find are absent
 * up to its bound, which is this search's bound too; a kind this search
 * looked for and did not find is absent only if it ran to the bound.
 */
function settledText(r: SearchResult): string | null {
  const found = new Set(r.counterexamples.map((c) => c.kind));
  const searched = new Set(r.searchedKinds ?? []);
  const open = r.stoppedBy !== null && r.stoppedBy !== "found";
  const kinds = KIND_ORDER.filter((k) => !found.has(k) && !(open && searched.has(k))).map((k) => KIND_WORDS[k] ?? k);
  if (kinds.length === 0) return null;
  return `${claim(r, kinds, r.maxDepth)} (settled by the search over every operation, which judged every path of up to ${plural(r.maxDepth, "step")}${unmodelled(r)})`;
}
