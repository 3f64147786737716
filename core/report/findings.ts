// SPDX-License-Identifier: GPL-2.0-only
/**
 * A violation in words a reviewer can paste: the step it happened at, the
 * holder that makes it one, and the chain of kernel references from a
 * root (a socket's receive queue, a pipe, an skb) down to the buffer's
 * page. Used by `skbscope check`'s text output; at most 72 columns.
 */
import type { Finding } from "../check/checker";
import { dataName, describeHolder } from "../check/describe";
import { skbsOfData } from "../model/lookup";
import type { BufferId, DataId, SkbId, State } from "../model/types";
import { TEXT_WIDTH, wrap } from "./wrap";

type Named = Pick<State, "skbs" | "datas" | "buffers" | "ubufs">;

/** The references from a root to what the finding is about, root first. */
export function findingChain(state: Named, f: Finding): string[] {
  const h = f.holder;
  const buffer = f.buffer ? state.buffers.get(f.buffer) : undefined;
  let chain: string[];
  const queued = h && /^(\S+) \(receive queue, (\S+)\)$/.exec(h);
  const piped = h && /^(\S+) \(pipe, (\S+)\)$/.exec(h);
  if (queued) {
    chain = [`${queued[1]}->sk_receive_queue`, `skb ${queued[2]}`, ...skbToBuffer(state, queued[2] as SkbId, f.buffer)];
  } else if (piped) {
    chain = [`pipe ${piped[1]}`, `page ${piped[2]}`];
  } else if (h) {
    const data = /^(h\d+)\./.exec(h);
    const skbs = data ? skbsOfData(state, data[1] as DataId) : [];
    const page = f.objects.find((o) => buffer?.pages.includes(o as never)) ?? (f.kind === "premature" ? f.objects[0] : undefined);
    chain = [...(skbs.length ? [`skb ${skbs.join("/")}`] : []), describeHolder(state, h), ...(page ? [`page ${page}`] : [])];
  } else {
    chain = [...f.objects];
  }
  if (f.buffer && !chain.includes(`buffer ${f.buffer}`)) chain.push(`buffer ${f.buffer}`);
  return chain;
}

/** From a queued skb to the buffer it keeps back: a frag page, release(), a ubuf or its destructor. */
function skbToBuffer(state: Named, name: SkbId, buffer: BufferId | undefined): string[] {
  const skb = state.skbs.get(name);
  const data = skb && state.datas.get(skb.head);
  const zb = buffer && state.buffers.get(buffer);
  if (!skb || !data || !zb) return [];
  const frag = data.frags.findIndex((fr) => zb.pages.includes(fr.page));
  if (frag >= 0) return [`${dataName(state, data.id)}->frags[${frag}]`, `page ${data.frags[frag].page}`];
  if (data.release === zb.id) return [`${dataName(state, data.id)}->release`];
  if (data.zcopy) return [`${dataName(state, data.id)}->destructor_arg (${data.zcopy.ubuf})`];
  if (skb.destructor) return [`${name}->destructor (${skb.destructor.fn})`];
  return [];
}

/**
 * One violation: "step N: op", then the finding, the holder and the
 * chain, each wrapped to `width` under `indent`.
 */
export function violationLines(f: Finding, op: string | undefined, state: Named | null, indent = "  ", width = TEXT_WIDTH): string[] {
  const more = `${indent}    `;
  const out = wrap(`step ${f.step}${op ? `: ${op}` : ""}`, width, indent, more);
  out.push(...wrap(`${f.kind}: ${f.message}`, width, `${indent}  `, more));
  if (f.holder) out.push(...wrap(`holder: ${state ? describeHolder(state, f.holder) : f.holder}`, width, `${indent}  `, more));
  const chain = state ? findingChain(state, f) : [];
  if (chain.length > 1) out.push(...wrap(`chain: ${chain.join(" -> ")}`, width, `${indent}  `, more));
  return out;
}
