// SPDX-License-Identifier: GPL-2.0-only
/**
 * The bench's trace is the same for the same seed: a hash of the
 * 20,000-draw trace. The guided generator's indexes (core/testdata/guided.ts
 * GuidedIndex) left it unchanged; it was taken again when the receiving
 * operations' makers learned socket families (sock_queue_rcv_skb.ts
 * receiverFor).
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { printTrace } from "../core/index";
import { randomTrace } from "./bench-trace";

it("randomTrace(20000) is the same trace for the same seed", () => {
  const trace = randomTrace(20_000);
  expect(trace.ops.length).toBe(18_870);
  expect(createHash("sha256").update(printTrace(trace)).digest("hex")).toBe("4ba39ebeb93edbded500258ba881c6ef50171e8e18644e4ed57f1393544c2ed7");
});
