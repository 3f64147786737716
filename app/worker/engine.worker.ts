// SPDX-License-Identifier: GPL-2.0-only
/**
 * The engine worker: the only place the engine runs in the browser. It
 * wires EngineHost to the worker's message port; every message is typed in
 * protocol.ts.
 */
/// <reference lib="webworker" />
import { EngineHost } from "./engineHost";
import type { FromWorker, ToWorker } from "./protocol";

const port = self as unknown as DedicatedWorkerGlobalScope;
const host = new EngineHost(
  (message: FromWorker, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
  // A macrotask between background tasks lets queued requests in first.
  (task) => setTimeout(task, 0),
);
port.onmessage = (e: MessageEvent<ToWorker>) => host.handle(e.data);
// The worker holds a Web Lock named after it for as long as it lives; the
// page asks for the same lock after "ready" and is granted it the moment
// the worker is gone (WorkerLike.exited). Ready is sent once it is held.
const locks = (navigator as Navigator & { locks?: LockManager }).locks;
if (port.name && locks) {
  void locks.request(port.name, () => {
    host.start(true);
    return new Promise<never>(() => {});
  });
} else {
  host.start();
}
