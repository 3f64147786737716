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
// A macrotask between background tasks lets queued requests in first. A
// message to ourselves, not setTimeout(0): nested timeouts wait at least
// 4 ms each, and a 1,000,000-step trace's matrix and lifetimes run as
// thousands of short tasks.
const later = new MessageChannel();
const queued: (() => void)[] = [];
later.port1.onmessage = () => queued.shift()?.();
const host = new EngineHost(
  (message: FromWorker, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
  (task) => {
    queued.push(task);
    later.port2.postMessage(null);
  },
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
