// SPDX-License-Identifier: GPL-2.0-only
/**
 * The bench's trace is the same for the same seed: a hash of the
 * 20,000-draw trace. The guided generator's indexes (core/testdata/guided.ts
 * GuidedIndex) left it unchanged; it was taken again when the receiving
 * operations' makers learned socket families (sock_queue_rcv_skb.ts
 * receiverFor), and again when inet_create, packet_create and
 * netlink_create joined the registry (each a maker of its own, and a new
 * tap's or upcall's socket made by its family's create: upcalls went from
 * 1 to 173 of the trace's operations), and again when do_tcp_sendpages
 * learned zero-copy skbs (same operations, other states after them), and
 * again when the generator stopped picking the kernel's own skbs (~s1, ...:
 * 52 uses in the old trace, names no trace can write, so the text did not
 * parse back).
 */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { printTrace } from "../core/index";
import { randomTrace } from "./bench-trace";

it("randomTrace(20000) is the same trace for the same seed", () => {
  const trace = randomTrace(20_000);
  expect(trace.ops.length).toBe(19_154);
  expect(createHash("sha256").update(printTrace(trace)).digest("hex")).toBe("3438365170779f608f083fd69be399e14f7d8cec4845482192910e3d9c3008be");
});
