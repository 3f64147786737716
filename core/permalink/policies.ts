/**
 * The permalink policy codes (format 1): a link names a policy by its
 * index here. Append-only, as OPCODES: never reorder or remove. Kept in a
 * file of its own so the policy registry can later carry each policy's
 * code and this table be read from it.
 */
import type { PolicyId } from "../model/types";

export const POLICY_CODES: readonly PolicyId[] = ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy"];
