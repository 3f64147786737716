// SPDX-License-Identifier: GPL-2.0-only
/**
 * Running the model with catalogued fixes reverted (issue 10 item 1).
 *
 * A run carries the set of reverted fix ids (`State.without`, from the
 * trace's `# without:` header or `--without`). Each guard that a fix added
 * and the model expresses asks `fixed(tx, id)` at its own place in
 * core/ops/, core/kernel/ or core/policy/; when the fix is reverted the
 * caller runs the catalogue's `before` (cited there) instead, and this
 * helper records a substep so the narration says which code ran.
 *
 * Only the ids in REVERTIBLE can be switched off: the others need
 * mechanisms the model lacks (their `modelled` / `withoutNeeds` say which),
 * and asking for them is an error, not a silent no-op.
 */
import type { EngineEvent } from "../model/events";
import { FIXES, fixById, type KernelFix } from "./catalogue";

/**
 * What the pre-fix code does at the guard, in one line for the narration
 * (the full account, with its source, is the catalogue's `before`).
 */
const PRE_FIX = {
  "segment-uarg-clone": "the segment takes the frag pages but does not join the ubuf_info (no skb_zerocopy_clone)",
  "split-zerocopy-clone": "skb1 takes the frags without joining skb's ubuf_info (no skb_zerocopy_clone)",
  "expand-head-uarg-ref": "the new head copies destructor_arg but takes no ubuf_info reference",
  "pskb-copy-uarg-clone": "the copy takes the frag pages without joining the ubuf_info (no skb_zerocopy_clone)",
  "zerocopy-orphan-frags": "from's frags are copied into to without skb_orphan_frags (or skb_zerocopy_clone)",
  "zerocopy-uarg-clone": "to takes from's frag pages without joining from's ubuf_info (no skb_zerocopy_clone)",
  "shift-refuse-zcopy": "zero-copy skbs are not refused: their frags move to tgt",
  "coalesce-refuse-zcopy": "zero-copy skbs are not refused: from's frags are appended to to",
  "rx-orphan-frags": "skb_orphan_frags() instead of skb_orphan_frags_rx(): a MSG_ZEROCOPY skb keeps the user's pages",
  "vhost-complete-once": "vhost_zerocopy_callback completes the guest's buffer on every call, whatever the refcnt",
  "gro-refuse-zcopy": "zero-copy skbs are not refused: skb's frags (or head) move to p, which holds no ubuf_info",
  "tx-error-cloned": "skb_tx_error runs the callback and clears the zero-copy flags on a clone too, in the shinfo the clones share",
  "pp-recycle-last-clone": "a clone that is not the last returns at once and keeps pp_recycle (no `exit:` clearing it)",
  "coalesce-pp-recycle": "skbs are merged whatever their pp_recycle, and page_pool frags are taken from a cloned skb",
  "zerocopy-realloc-dgram-ref": "the extension takes a uarg reference for a datagram too, and __ip_append_data sets extra_uref whatever the tail carries",
  "pskb-copy-shared-frag": "the copy takes the frag pages but not SKBFL_SHARED_FRAG",
  "shift-shared-frag": "tgt takes skb's frag pages but not SKBFL_SHARED_FRAG",
  "coalesce-shared-frag": "to takes from's frag pages but not SKBFL_SHARED_FRAG",
  "segment-shared-frag-fraglist": "the segment takes SKBFL_SHARED_FRAG from head_skb only, not from the frag_list member whose frags it takes",
  "managed-skip-unref": "skb_release_data puts every frag page, managed frags too, although they took no reference",
  "managed-downgrade-expand":
    "pskb_expand_head counts managed frags as they are: a clone's expansion takes skb_frag_ref()s into a Data that stays managed and never puts them",
  "managed-downgrade-split": "skb_split moves managed frags into skb1, which is not managed and will put references nobody took",
} as const;

export type RevertibleFix = keyof typeof PRE_FIX;

/** Fixes the model can run without, in catalogue order. */
export const REVERTIBLE: readonly RevertibleFix[] = FIXES.map((f) => f.id).filter((id): id is RevertibleFix => id in PRE_FIX);

/** What a guard needs from the step: the reverted set and a place to say so. */
export interface FixContext {
  readonly without: ReadonlySet<string>;
  emit(event: EngineEvent): void;
}

/**
 * Whether fix `id` is in the code this run models. False only when the
 * run reverts it; then the caller runs the pre-fix code, and a substep
 * event names the fix and what runs instead.
 */
export function fixed(tx: FixContext, id: RevertibleFix): boolean {
  if (!tx.without.has(id)) return true;
  const fix = fixById(id)!;
  tx.emit({ kind: "substep", fn: fix.function, text: `without "${fix.subject}" (${id}): ${PRE_FIX[id]}` });
  return false;
}

/** The one line of pre-fix behaviour the narration prints for `id`. */
export function preFixNote(id: RevertibleFix): string {
  return PRE_FIX[id];
}

export function isRevertible(id: string): id is RevertibleFix {
  return id in PRE_FIX;
}

/**
 * Why `id` cannot be reverted, or null when it can: an unknown id gets the
 * closest catalogued one; a catalogued one the model cannot revert gets
 * what it still needs.
 */
export function withoutProblem(id: string): string | null {
  if (isRevertible(id)) return null;
  const fix = fixById(id);
  if (fix) return `fix "${id}" cannot be switched off in this model: ${cannotRevert(fix)}`;
  const near = closestFix(id);
  return `unknown fix "${id}"${near ? `; did you mean "${near}"?` : ""} (npx skbscope fixes lists them)`;
}

function cannotRevert(fix: KernelFix): string {
  if (fix.modelled !== "yes") return fix.modelled;
  return `showing its bug needs ${fix.withoutNeeds ?? "a mechanism the model lacks"}`;
}

/** The catalogued id nearest to `id` (edit distance, ties to the first). */
export function closestFix(id: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of FIXES) {
    const d = editDistance(id, f.id);
    if (d < bestD) {
      bestD = d;
      best = f.id;
    }
  }
  return bestD <= Math.max(3, Math.floor(id.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The reverted ids in catalogue order (stable for headers, links and keys). */
export function sortFixIds(ids: Iterable<string>): string[] {
  const set = new Set(ids);
  return FIXES.map((f) => f.id).filter((id) => set.has(id));
}
