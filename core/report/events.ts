// SPDX-License-Identifier: GPL-2.0-only
/**
 * Engine events in kernel words: the one formatter behind the app's
 * narration, `skbscope run`'s text output and the email report.
 *
 * Every event kind is handled here; the `never` default makes a new kind
 * in core/model/events.ts fail to compile until it is given its words.
 * A state, when given, turns holders such as "h2.frags[0]" into the
 * kernel's "skb_shinfo(c)->frags[0]"; without one the raw holder is kept.
 */
import { describeHolder } from "../check/describe";
import type { EngineEvent } from "../model/events";
import type { State } from "../model/types";

type Names = Pick<State, "skbs"> | null | undefined;

const holder = (state: Names, h: string): string => (state ? describeHolder(state, h) : h);

/** "g:h2.frags[0]" (a completion's holder entry) as "skb_shinfo(c)->frags[0] holds g". */
function pageHolder(state: Names, entry: string): string {
  const at = entry.indexOf(":");
  return at < 0 ? holder(state, entry) : `${holder(state, entry.slice(at + 1))} holds ${entry.slice(0, at)}`;
}

/** One event as one sentence (no line breaks; callers wrap). */
export function describeEvent(e: EngineEvent, state?: Names): string {
  switch (e.kind) {
    case "substep":
      return `${e.fn}: ${e.text}`;
    case "destructor":
      return `${e.skb} released by its destructor, ${e.fn}()`;
    case "release":
      return `buffer ${e.buffer} released by shinfo->release() of Data ${e.data}`;
    case "ubuf_callback":
      return `${e.ubuf}->callback() fired (${e.success ? "zero-copy success" : "the data was copied"}), refcnt now ${e.refcnt}`;
    case "completion":
      return `completion of ${e.buffer} fired by ${e.via}${e.holders.length ? `, while ${e.holders.map((h) => pageHolder(state, h)).join(", ")}` : ""}`;
    case "read":
      return `${e.page} copied by ${e.by}`;
    case "owner_reuse":
      return `the owner writes new data into ${e.page}${e.holders.length ? `, still held by ${e.holders.map((h) => holder(state, h)).join(", ")}` : ""}`;
    case "skb_freed":
      return `skb ${e.skb} freed`;
    case "data_released":
      return `Data ${e.data} released by skb_release_data()`;
    case "page_freed":
      return `page ${e.page} back to the page allocator${e.holders.length ? `, while ${e.holders.map((h) => holder(state, h)).join(", ")} still points at it` : ""}`;
    case "refcount_underflow":
      return `put_page(${e.page}) by ${e.by} takes its refcount below 0`;
    case "dangling":
      return `dangling: ${e.text}`;
    case "result":
      return `${e.fn} returned ${e.value}`;
    case "warn":
      return `WARN in ${e.fn}: ${e.text}`;
    case "unreachable":
      return `Linux cannot take this path: ${e.text}`;
    case "pp_return":
      return e.how === "recycled"
        ? `page ${e.page} recycled into ${e.pool}'s ring for the next RX${e.holders.length ? `, while ${e.holders.map((h) => holder(state, h)).join(", ")} still maps it` : ""}`
        : `page ${e.page} released from ${e.pool} (page_pool_release_page), then put_page()`;
    case "write":
      return `${e.by} writes into ${e.page} in place${e.holders.length ? `, which ${e.holders.map((h) => holder(state, h)).join(", ")} still maps` : ""}`;
    default:
      return unknownEvent(e);
  }
}

/** A new event kind reaches here only if the switch above misses it. */
function unknownEvent(e: never): never {
  throw new Error(`describeEvent: unknown event ${JSON.stringify(e)}`);
}

/** A step's events, one sentence each, in the order the kernel ran them. */
export function describeEvents(events: readonly EngineEvent[], state?: Names): string[] {
  return events.map((e) => describeEvent(e, state));
}
