// SPDX-License-Identifier: GPL-2.0-only
/**
 * The completion policies, as data: one row per policy, the registry every
 * consumer reads (parser, CLI, matrix, search, stories, the app's selects,
 * gallery and search dialog). What a policy *does* (how it arms, whether it
 * is still armed, what its completion waits on) lives in its own module
 * under core/policy/, keyed by the same id (core/policy/registry.ts; the
 * compiler refuses an id without a module).
 *
 * This table is plain data on purpose: the app's main bundle reads it and
 * carries no engine code (e2e/share.e2e.test.ts forbids core/policy/ there).
 *
 * Adding a policy: one row here, one module in core/policy/, one line in
 * core/policy/registry.ts (and its tests: core/policy/<id>.test.ts, a story
 * of its own, its column in stories/catalog.ts).
 */
import type { KernelId } from "./kernels";

export interface PolicyInfo {
  readonly id: string;
  /**
   * Stable number in permalinks (core/permalink/policies.ts reads it):
   * never reuse or renumber one, or old links decode to another policy.
   */
  readonly code: number;
  /** What the selects, the gallery and the verdict tables show. */
  readonly label: string;
  /** One line (at most 72 columns) for tooltips and `--help`. */
  readonly description: string;
  /** The kernels whose code the policy models; elsewhere it is "n/a". */
  readonly kernels: readonly KernelId[];
  /** The kernel object the other kernels lack (said in the "n/a" reason). */
  readonly needs?: string;
}

export const POLICY_TABLE = [
  {
    id: "page-refs",
    code: 0,
    label: "page-refs",
    description: "the oracle: the owner hears when no host reference to a page is left",
    kernels: ["6.1", "2.6.32"],
  },
  {
    id: "destructor",
    code: 1,
    label: "destructor",
    description: "skb->destructor of the armed skb (the 2.6.32 AF_PACKET TX ring way)",
    kernels: ["6.1", "2.6.32"],
  },
  {
    id: "shinfo-release",
    code: 2,
    label: "shinfo-release",
    description: "the seed patch: skb_shinfo(skb)->release runs when the Data is freed",
    kernels: ["6.1", "2.6.32"],
  },
  {
    id: "ubuf-orphan",
    code: 3,
    label: "ubuf-orphan",
    description: "a vhost-style ubuf_info (SKBFL_ZEROCOPY_FRAG), orphaned on copy",
    kernels: ["6.1"],
    needs: "ubuf_info",
  },
  {
    id: "msg-zerocopy",
    code: 4,
    label: "msg-zerocopy",
    description: "MSG_ZEROCOPY: msg_zerocopy_alloc() ubuf_info with SKBFL_DONT_ORPHAN",
    kernels: ["6.1"],
    needs: "ubuf_info",
  },
  {
    id: "page-pool",
    code: 5,
    label: "page-pool",
    description: "page_pool: the driver gets its RX page back in the pool (pp_recycle)",
    kernels: ["6.1"],
    needs: "page_pool",
  },
  {
    id: "io-uring-notif",
    code: 6,
    label: "io-uring-notif",
    description: "io_uring zero-copy send: told when the notif's refcnt drops to zero",
    kernels: ["6.1"],
    needs: "ubuf_info",
  },
] as const satisfies readonly PolicyInfo[];

export type PolicyId = (typeof POLICY_TABLE)[number]["id"];

/** Every policy, in the registry's order (the matrix's rows). */
export const POLICIES: readonly PolicyId[] = POLICY_TABLE.map((p) => p.id);

/** A trace without a `# policy:` header runs under this one. */
export const DEFAULT_POLICY: PolicyId = "page-refs";

const BY_ID: ReadonlyMap<string, PolicyInfo> = new Map(POLICY_TABLE.map((p) => [p.id, p]));

export function policyInfo(policy: PolicyId): PolicyInfo {
  return BY_ID.get(policy)!;
}

/** The policy a permalink's code names, or undefined for a code no policy has (yet). */
export function policyByCode(code: number): PolicyId | undefined {
  return POLICY_TABLE.find((p) => p.code === code)?.id;
}

/** Whether the policy models code that exists on this kernel. */
export function policyApplies(policy: PolicyId, kernel: KernelId): boolean {
  return policyInfo(policy).kernels.includes(kernel);
}

/** The kernels a policy runs on, for hints ("use kernel 6.1"). */
export function policyKernels(policy: PolicyId): string {
  return policyInfo(policy).kernels.join(" or ");
}

/**
 * Why the policy is n/a on this kernel ("models ubuf_info, which Linux
 * 2.6.32 does not have"), or null where it applies.
 */
export function policyAbsence(policy: PolicyId, kernel: KernelId): string | null {
  if (policyApplies(policy, kernel)) return null;
  const info = policyInfo(policy);
  return `models ${info.needs ?? `${policyKernels(policy)} code`}, which Linux ${kernel} does not have`;
}
