// SPDX-License-Identifier: GPL-2.0-only
/**
 * The permalink policy codes (format 1): a link names a policy by its
 * `code` in the policy registry (core/model/policies.ts), which is
 * append-only: never renumber or remove a code.
 */
import { POLICY_TABLE, type PolicyId } from "../model/policies";

export const POLICY_CODES: readonly PolicyId[] = [...POLICY_TABLE].sort((a, b) => a.code - b.code).map((p) => p.id);
