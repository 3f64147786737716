// SPDX-License-Identifier: GPL-2.0-only
/**
 * The search's visited set: 64-bit fingerprints of canonical states
 * (canon.ts canonicalFingerprint) in one open-addressing hash table of
 * Uint32 pairs, as TLC keeps its states. 8 bytes a slot, grown by half
 * when 4 slots in 5 are full, so between 10 and 15 bytes per state.
 *
 * A fingerprint set can merge two different states whose fingerprints
 * are equal; collisionProbability() estimates how likely that was the
 * way TLC does ("calculated (optimistic)").
 */

const MAX_LOAD = 0.8;
const GROWTH = 1.5;

export class FingerprintSet {
  private slots: Uint32Array;
  private capacity: number;
  private count = 0;

  constructor(initial = 1 << 12) {
    this.capacity = Math.max(16, initial);
    this.slots = new Uint32Array(this.capacity * 2);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes the table holds (its typed array). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Add a fingerprint; false when it was already there. */
  add(hi: number, lo: number): boolean {
    // (0, 0) marks a free slot: that one fingerprint is stored as (0, 1).
    if (hi === 0 && lo === 0) lo = 1;
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    return this.insert(this.slots, this.capacity, hi >>> 0, lo >>> 0);
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    hi >>>= 0;
    lo >>>= 0;
    const slots = this.slots;
    let i = home(hi, this.capacity);
    for (;;) {
      const a = slots[2 * i];
      const b = slots[2 * i + 1];
      if (a === 0 && b === 0) return false;
      if (a === hi && b === lo) return true;
      if (++i === this.capacity) i = 0;
    }
  }

  private insert(slots: Uint32Array, capacity: number, hi: number, lo: number): boolean {
    let i = home(hi, capacity);
    for (;;) {
      const a = slots[2 * i];
      const b = slots[2 * i + 1];
      if (a === 0 && b === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        if (slots === this.slots) this.count++;
        return true;
      }
      if (a === hi && b === lo) return false;
      if (++i === capacity) i = 0;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = Math.ceil(this.capacity * GROWTH);
    const slots = new Uint32Array(capacity * 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(slots, capacity, old[i], old[i + 1]);
    }
    this.slots = slots;
    this.capacity = capacity;
  }
}

/** A slot from the high half: the halves are independent hashes (any capacity). */
function home(hi: number, capacity: number): number {
  return Math.floor((hi / 4294967296) * capacity);
}

/**
 * TLC's "calculated (optimistic)" estimate of the probability that two
 * distinct states shared a fingerprint: distinct * (generated - distinct)
 * / 2^64, with `generated` the fingerprints looked up (every successor
 * judged) and `distinct` those kept.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}

/** The estimate as TLC writes it: 1.2E-13 (0.0 for none). */
export function collisionValue(distinct: number, generated: number): string {
  const p = collisionProbability(distinct, generated);
  return p === 0 ? "0.0" : p.toExponential(1).toUpperCase().replace("E+", "E");
}

/** As TLC prints it at the end of a run. */
export function collisionText(distinct: number, generated: number): string {
  return [
    "Estimates of the probability that the search did not check all reachable states",
    "because two distinct states had the same fingerprint:",
    `  calculated (optimistic):  val = ${collisionValue(distinct, generated)}`,
  ].join("\n");
}
