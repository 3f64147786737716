// SPDX-License-Identifier: GPL-2.0-only
/**
 * The policy registry is the only place a policy is defined: every row of
 * core/model/policies.ts has a complete module here, every module keeps
 * the contract the checker relies on, and no consumer outside the
 * registry keeps its own list of policies or switches on their ids.
 *
 * A new policy is checked by all of this without editing this file.
 */
import { describe, expect, it } from "vitest";
import { runTrace } from "../engine/replay";
import { POLICY_TABLE, policyAbsence, policyApplies, policyByCode } from "../model/policies";
import { KERNELS, POLICIES, type BufferId, type KernelId, type PolicyId, type State } from "../model/types";
import { parseTrace } from "../trace/parse";
import { POLICY_MODULES, completionPolicy } from "./registry";

describe("the policy table", () => {
  it("lists each policy once, every id a module's", () => {
    expect(new Set(POLICIES).size).toBe(POLICIES.length);
    expect(Object.keys(POLICY_MODULES).sort()).toEqual([...POLICIES].sort());
    for (const p of POLICIES) expect(completionPolicy(p).id).toBe(p);
  });

  it("keeps the permalink codes of the first five policies, and every code is unique", () => {
    // core/permalink/policies.ts POLICY_CODES: links made since version 1 carry these.
    const golden: Record<string, number> = { "page-refs": 0, destructor: 1, "shinfo-release": 2, "ubuf-orphan": 3, "msg-zerocopy": 4 };
    for (const [id, code] of Object.entries(golden)) expect(POLICY_TABLE.find((p) => p.id === id)?.code, id).toBe(code);
    const codes = POLICY_TABLE.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(Number.isInteger(c) && c >= 0).toBe(true);
    for (const p of POLICY_TABLE) expect(policyByCode(p.code)).toBe(p.id);
    expect(policyByCode(Math.max(...codes) + 1)).toBeUndefined();
  });

  it.each(POLICY_TABLE.map((p) => [p.id, p] as const))("%s has a label, one line of description and its kernels", (_id, p) => {
    expect(p.label).toMatch(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
    expect(p.description).toMatch(/^[\x20-\x7e]+$/);
    expect(p.description.length).toBeLessThanOrEqual(72);
    expect(p.kernels.length).toBeGreaterThan(0);
    for (const k of p.kernels) expect(KERNELS).toContain(k);
    // A policy missing from some kernel says what that kernel lacks.
    const partial = KERNELS.some((k) => !policyApplies(p.id, k));
    expect("needs" in p && typeof p.needs === "string" && p.needs.length > 0).toBe(partial);
  });

  it("has unique labels", () => {
    const labels = POLICY_TABLE.map((p) => p.label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

/**
 * One page of the owner's (a guest page, or what the policy's ownerPage
 * says) in one skb, armed, then freed: the simplest complete lifetime.
 */
const lifetime = (policy: PolicyId) => `g = ${completionPolicy(policy).ownerPage ?? "alloc_page(guest)"}
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
kfree_skb(a)
`;
const ARM_STEP = 4;
const BUFFER = "z1" as BufferId;

/** What arm() wrote besides the buffer record: the mechanism it installed. */
function mechanismTables(s: State): unknown {
  return { skbs: [...s.skbs], datas: [...s.datas], ubufs: [...s.ubufs] };
}

const applicable = POLICIES.flatMap((p) => KERNELS.filter((k) => policyApplies(p, k)).map((k) => [p, k] as [PolicyId, KernelId]));
const absent = POLICIES.flatMap((p) => KERNELS.filter((k) => !policyApplies(p, k)).map((k) => [p, k] as [PolicyId, KernelId]));

describe.each(applicable)("policy %s on %s keeps the module contract", (policy, kernel) => {
  const run = runTrace(parseTrace(lifetime(policy)).trace, { policy, kernel });
  const mod = completionPolicy(policy);
  const before = run.snapshotAt(ARM_STEP - 1);
  const armed = run.snapshotAt(ARM_STEP);
  const zb = armed.buffers.get(BUFFER)!;
  const skb = armed.skbs.get(zb.skb)!;

  it("arms without a failed step, completes once at the free, verdict ok", () => {
    expect(run.steps.filter((s) => s.error).map((s) => s.error!.message)).toEqual([]);
    expect(run.steps.map((s) => s.completion)).toEqual([false, false, false, false, true]);
    expect(run.findings).toEqual([]);
    expect(run.verdict).toBe("ok");
  });

  it("is still armed exactly when arm() installed a mechanism, and not after the completion", () => {
    const installed = JSON.stringify(mechanismTables(before)) !== JSON.stringify(mechanismTables(armed));
    expect(mod.stillArmed(armed, zb)).toBe(installed);
    expect(mod.stillArmed(run.final, run.final.buffers.get(BUFFER)!)).toBe(false);
  });

  it("waits on the armed skb, which holds the buffer's page", () => {
    expect(mod.waitsOnSkb(armed, zb, skb, armed.datas.get(skb.head)!)).toBe(true);
  });
});

describe.each(absent)("policy %s on %s", (policy, kernel) => {
  it("is n/a, and arming it fails its kernel check naming what the kernel lacks", () => {
    expect(policyAbsence(policy, kernel)).toMatch(new RegExp(`which Linux ${kernel.replace(/\./g, "\\.")} does not have`));
    const run = runTrace(parseTrace(lifetime(policy)).trace, { policy, kernel });
    const err = run.steps[ARM_STEP - 1].error;
    expect(err?.kind).toBe("kernel-check");
    const needs = POLICY_TABLE.find((p) => p.id === policy)!;
    expect(err?.message).toContain("needs" in needs ? needs.needs : "");
  });
});

// Every consumer reads the registry: outside it, no source keeps a list of
// policies or decides by a policy's id. Tests and story expectations name
// policies as data (story and fix-demo verdict rows); core/permalink/
// policies.ts derives POLICY_CODES from the table's `code`s.
const sources = import.meta.glob<string>(
  [
    "../../{core,app,cli,stories}/**/*.{ts,tsx}",
    "!../../**/*.test.ts",
    "!../../**/*.test.tsx",
    "!../../core/testdata/**",
    "!../../core/policy/**",
    "!../../core/model/policies.ts",
    "!../../stories/catalog.ts",
    "!../../core/fixes/demos.ts",
  ],
  { query: "?raw", import: "default", eager: true },
);

/** Why a source file is a second registry, or null. */
function policyDrift(text: string, ids: readonly string[]): string | null {
  const alt = ids.map((id) => id.replace(/[-.]/g, "\\$&")).join("|");
  const named = new Set([...text.matchAll(new RegExp(`["'\`](${alt})["'\`]`, "g"))].map((m) => m[1]));
  if (named.size >= 2) return `names policies ${[...named].join(", ")}`;
  const decides = new RegExp(
    `policy\\)?\\s*[!=]==?\\s*["'\`](${alt})["'\`]|["'\`](${alt})["'\`]\\s*[!=]==?\\s*\\w*[pP]olicy\\b|switch\\s*\\([^)]*[pP]olicy\\w*\\)`,
  ).exec(text);
  if (decides) return `decides by a policy's id: ${decides[0]}`;
  return null;
}

describe("no second registry", () => {
  it("finds the sources it guards", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(60);
    expect(Object.keys(sources).some((p) => p.includes("/app/components/Gallery.tsx"))).toBe(true);
  });

  it("catches a copied list, an id comparison and a switch on the policy", () => {
    expect(policyDrift(`const SHORT = { "page-refs": "refs", destructor: "d", "shinfo-release": "r" };`, POLICIES)).toMatch(/names policies/);
    expect(policyDrift(`return kernel === "6.1" || policy !== "ubuf-orphan";`, POLICIES)).toMatch(/decides/);
    expect(policyDrift(`if (this.policy === "page-refs") return;`, POLICIES)).toMatch(/decides/);
    expect(policyDrift(`switch (tx.policy) {\n  case "destructor":`, POLICIES)).toMatch(/decides/);
    // An event kind that shares a policy's name is not a policy.
    expect(policyDrift(`switch (ev.kind) {\n  case "destructor":`, POLICIES)).toBeNull();
  });

  it("finds none outside core/policy/ and core/model/policies.ts", () => {
    const drift = Object.entries(sources)
      .map(([path, text]) => [path, policyDrift(text, POLICIES)] as const)
      .filter(([, why]) => why !== null);
    expect(drift).toEqual([]);
  });
});
