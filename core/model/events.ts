// SPDX-License-Identifier: GPL-2.0-only
/**
 * What happened inside one step, in kernel order, and what went wrong.
 * Events are data: the checker, the narration and the UI read them.
 */
import type { BufferId, DataId, PageId, SkbId, UbufId } from "./types";

export type EngineEvent =
  /** A sub-step of a composite operation, in the order the kernel runs it. */
  | { readonly kind: "substep"; readonly fn: string; readonly text: string }
  | { readonly kind: "destructor"; readonly skb: SkbId; readonly fn: string }
  /** The seed patch's shinfo->release(skb) ran for a Data. */
  | { readonly kind: "release"; readonly data: DataId; readonly buffer: BufferId }
  | {
      readonly kind: "ubuf_callback";
      readonly ubuf: UbufId;
      readonly success: boolean;
      readonly refcnt: number;
    }
  /** The owner was told its buffer is complete (as the policy defines it). */
  | {
      readonly kind: "completion";
      readonly buffer: BufferId;
      readonly via: string;
      readonly success: boolean;
      /** Host holders of the buffer's pages at that instant. */
      readonly holders: readonly string[];
    }
  /** The host reads bytes of a page (a copy). */
  | { readonly kind: "read"; readonly page: PageId; readonly by: string }
  | {
      readonly kind: "owner_reuse";
      readonly page: PageId;
      readonly holders: readonly string[];
    }
  | { readonly kind: "skb_freed"; readonly skb: SkbId }
  | { readonly kind: "data_released"; readonly data: DataId }
  | { readonly kind: "page_freed"; readonly page: PageId; readonly holders: readonly string[] }
  | { readonly kind: "refcount_underflow"; readonly page: PageId; readonly by: string }
  /** Memory freed while something still points at it (a frag_list, a queue, a stolen head). */
  | { readonly kind: "dangling"; readonly object: string; readonly holder: string; readonly text: string }
  /** A function's return value the trace may want to see (fragstolen ...). */
  | { readonly kind: "result"; readonly fn: string; readonly value: string }
  | { readonly kind: "warn"; readonly fn: string; readonly text: string }
  /**
   * The step broke a caller contract (ops/contracts.ts) and ran anyway, as
   * the trace asked (`# contracts: flag`): Linux cannot take this path.
   */
  | { readonly kind: "unreachable"; readonly fn: string; readonly contract: string; readonly text: string }
  /**
   * A page_pool page came back to its pool (__page_pool_put_page):
   * recycled into the ring (refcount 1, for the driver's next RX) or
   * released from the pool (page_pool_release_page, then put_page).
   * `holders`: who still maps the page at that instant, the ring aside.
   */
  | { readonly kind: "pp_return"; readonly page: PageId; readonly pool: string; readonly how: "recycled" | "released"; readonly holders: readonly string[] }
  /**
   * The host writes bytes of a page in place (esp_input decrypting into
   * the frags). `holders`: who else maps the bytes written — "owner"
   * (the guest or user process the page belongs to), "pagecache" (a
   * file's page), "caller", another Data's head or frag, a pipe buffer.
   */
  | { readonly kind: "write"; readonly page: PageId; readonly by: string; readonly holders: readonly string[] };

export type EngineError =
  /** BUG_ON / WARN-and-fail in the kernel, or a returned error code. */
  | { readonly kind: "kernel-check"; readonly fn: string; readonly check: string; readonly message: string }
  /**
   * A contract the kernel does not check but every caller keeps; `contract`
   * names its entry in ops/contracts.ts.
   */
  | { readonly kind: "precondition"; readonly fn: string; readonly message: string; readonly contract?: string }
  | { readonly kind: "use-after-free"; readonly object: string; readonly freedAtStep: number; readonly message: string }
  | { readonly kind: "double-free"; readonly object: string; readonly freedAtStep: number; readonly message: string }
  | { readonly kind: "out-of-range"; readonly what: string; readonly value: number; readonly limit: number; readonly message: string }
  | { readonly kind: "unknown-name"; readonly name: string; readonly message: string }
  | { readonly kind: "name-taken"; readonly name: string; readonly message: string }
  | { readonly kind: "unsupported"; readonly fn: string; readonly message: string }
  | { readonly kind: "internal"; readonly message: string };

/** Thrown inside an op to abort it; caught at the step boundary. */
export class OpFailure {
  constructor(readonly error: EngineError) {}
}

export function fail(error: EngineError): never {
  throw new OpFailure(error);
}

export function kernelCheck(fn: string, check: string, why: string): never {
  return fail({ kind: "kernel-check", fn, check, message: `${fn}: ${check} — ${why}` });
}

/**
 * Checks where the kernel does not fail but crashes: BUG_ON(), BUG(),
 * skb_over_panic()/skb_under_panic() (net/core/skbuff.c l.123-131, which
 * end in BUG()), SKB_LINEAR_ASSERT() (BUG_ON(skb_is_nonlinear())).
 */
const BUG_CHECK = /\bBUG_ON\(|\bBUG\(\)|\bskb_(over|under)_panic\b|\bSKB_LINEAR_ASSERT\(/;

/** Whether a step error is the kernel crashing rather than refusing. */
export function isKernelBug(error: EngineError | undefined): error is Extract<EngineError, { kind: "kernel-check" }> {
  return error?.kind === "kernel-check" && BUG_CHECK.test(error.check);
}

export function precondition(fn: string, message: string): never {
  return fail({ kind: "precondition", fn, message: `${fn}: ${message}` });
}

export function outOfRange(fn: string, what: string, value: number, limit: number, why: string): never {
  return fail({
    kind: "out-of-range",
    what,
    value,
    limit,
    message: `${fn}: ${what} ${value} ${why} (limit ${limit})`,
  });
}

export function unsupported(fn: string, message: string): never {
  return fail({ kind: "unsupported", fn, message: `${fn}: ${message}` });
}
