// SPDX-License-Identifier: GPL-2.0-only
/**
 * A search worker: expands the slices of a counterexample search that the
 * search machine hands it (protocol.ts: ToSearchWorker). Several run at
 * once, one per core; none shares anything with the engine worker, so a
 * search never delays a step on screen. Loaded only when a search starts.
 */
/// <reference lib="webworker" />
import { SEARCH_PROTOCOL_VERSION, type FromSearchWorker, type ToSearchWorker } from "./protocol";
import { answerSearch } from "./searchHost";

const port = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromSearchWorker) => port.postMessage(message);
port.onmessage = (e: MessageEvent<ToSearchWorker>) => {
  const msg = e.data;
  if (typeof msg !== "object" || msg === null || msg.kind !== "expand") return;
  post(answerSearch(msg));
};
post({ kind: "ready", version: SEARCH_PROTOCOL_VERSION });
