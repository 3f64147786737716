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
host.start();
