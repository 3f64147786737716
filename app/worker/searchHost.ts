// SPDX-License-Identifier: GPL-2.0-only
/**
 * What a search worker does with a message: expand one slice of a frontier
 * level with core/search's expandTask. Pure apart from expandTask's cache
 * of the start state, so the worker entry, the fake workers of the unit
 * tests and the tests themselves share it.
 */
import { expandTask } from "../../core/search/index";
import { unhandled, type FromSearchWorker, type ToSearchWorker } from "./protocol";

export function answerSearch(msg: ToSearchWorker): FromSearchWorker {
  switch (msg.kind) {
    case "expand":
      try {
        return { kind: "expanded", id: msg.id, result: expandTask(msg.task) };
      } catch (e) {
        // An engine bug (expandSlice turns the engine's own failures into data): report it, stay alive.
        return { kind: "failed", id: msg.id, message: e instanceof Error ? e.message : String(e) };
      }
    default:
      return unhandled(msg.kind);
  }
}
