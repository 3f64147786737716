// SPDX-License-Identifier: GPL-2.0-only
/**
 * zerocopy_arm - the owner of the guest (or user) pages in an skb arms the
 * completion mechanism of the trace's policy.
 *
 * How it arms is the policy's own (core/policy/<id>.ts, arm()); a policy
 * that models code this kernel lacks fails its kernel check here.
 * An skb with no guest page can be armed; its buffer protects nothing.
 */
import { kernelCheck } from "../model/events";
import { shinfo, skbOf } from "../model/lookup";
import { policyApplies, policyInfo, policyKernels } from "../model/policies";
import type { Tx } from "../model/tx";
import type { BufferId, PageId } from "../model/types";
import { completionPolicy, ownerOwns } from "../policy/registry";
import { defineOp, fuzzOneSkb } from "./spec";

export function zerocopy_arm(tx: Tx, name: string): void {
  const skb = skbOf(tx, name, "zerocopy_arm");
  const data = shinfo(tx, skb);
  const pages: PageId[] = [];
  const owns = ownerOwns(tx.policy);
  for (const f of data.frags) {
    const page = tx.get("pages", f.page);
    if (page && owns(page) && !pages.includes(f.page)) pages.push(f.page);
  }
  if (pages.length === 0) {
    const what = completionPolicy(tx.policy).ownsPage ? "page of the owner's" : "guest page";
    tx.emit({ kind: "warn", fn: "zerocopy_arm", text: `${name} carries no ${what} in its frags: the buffer protects nothing` });
  }
  const n = tx.counters.buffer + 1;
  tx.counters = { ...tx.counters, buffer: n };
  const id = `z${n}` as BufferId;
  tx.set("buffers", id, { id, skb: skb.name, pages, armedAt: tx.step, completions: [] });

  if (!policyApplies(tx.policy, tx.kernel)) {
    const needs = policyInfo(tx.policy).needs ?? "its mechanism";
    kernelCheck("zerocopy_arm", needs, `policy ${tx.policy} models ${policyKernels(tx.policy)} code; ${needs} did not exist in ${tx.kernel}`);
  }
  completionPolicy(tx.policy).arm(tx, { name, skb, data, buffer: id });
}

// --- the registry's entries ----------------------------------------------------

export const zerocopy_arm_spec = defineOp({
  fn: "zerocopy_arm",
  params: ["skb"],
  names: ["skb"],
  ctypes: [null],
  result: null,
  summary: "the owner arms its completion, as the policy says",
  group: "zero-copy",
  opcode: 40,
  docs: [
    {
      call: "zerocopy_arm(a)",
      models:
        "the owner arms its completion as the trace's policy says (see below; an skb with no guest page arms a buffer that protects nothing; a second arm under `msg-zerocopy` completes at once, as `skb_zcopy_set` leaves a zero-copy skb alone)",
    },
  ],
  search: { notSearchable: "arming is the owner's move, made once in the search's prefix" },
  fuzz: fuzzOneSkb(2),
  oracle: "zerocopy_arm",
  run: (tx, _r, a) => zerocopy_arm(tx, a[0]),
});
