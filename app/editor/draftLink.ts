// SPDX-License-Identifier: GPL-2.0-only
/**
 * Draft links: the text of a trace exactly as typed, mistakes included, in
 * a URL fragment, so the address bar carries a trace while it has errors
 * (a permalink carries only a trace that parses; its bad lines would be
 * lost). Same rules as a permalink: a version, a checksum, bounded
 * decoding that never throws.
 *
 * Fragment (draft format 1): "d" base64url(frame), no padding
 * Frame:   byte 0     version (bits 0-5) | deflated (bit 6)
 *          bytes 1-4  CRC-32 of the content (big-endian)
 *          payload    content, or deflate-raw(content)
 * Content: UTF-8 "policy\tkernel\tstep\n" then the text ("-" for no choice).
 *
 * A link that is cut short or altered fails its checksum; what can still
 * be read of its text is returned as `recovered`, for the user to take.
 */
import type { KernelId, PolicyId } from "../../core/index";

export const DRAFT_PREFIX = "d";
export const DRAFT_VERSION = 1;
/** The longest fragment read, and the most text a link may unpack to. */
export const DRAFT_LIMITS = { fragment: 400_000, text: 1_000_000 } as const;

export interface Draft {
  readonly source: string;
  readonly policyChoice: PolicyId | null;
  readonly kernelChoice: KernelId | null;
  readonly step: number;
}

export type DraftResult = { ok: true; draft: Draft } | { ok: false; message: string; recovered: string | null };

export const isDraftFragment = (fragment: string) => fragment.startsWith(DRAFT_PREFIX);

export async function encodeDraft(d: Draft): Promise<string> {
  const content = new TextEncoder().encode(`${d.policyChoice ?? "-"}\t${d.kernelChoice ?? "-"}\t${Math.max(0, Math.floor(d.step))}\n${d.source}`);
  const deflated = await pipe(content, new CompressionStream("deflate-raw"), Infinity);
  const packed = deflated.bytes.length < content.length;
  const payload = packed ? deflated.bytes : content;
  const frame = new Uint8Array(5 + payload.length);
  frame[0] = DRAFT_VERSION | (packed ? 0x40 : 0);
  new DataView(frame.buffer).setUint32(1, crc32(content));
  frame.set(payload, 5);
  return DRAFT_PREFIX + toBase64url(frame);
}

export async function decodeDraft(fragment: string): Promise<DraftResult> {
  const fail = (message: string, recovered: string | null = null): DraftResult => ({ ok: false, message, recovered });
  try {
    if (!isDraftFragment(fragment)) return fail("not a draft link");
    if (fragment.length > DRAFT_LIMITS.fragment) return fail(`the link is ${fragment.length} characters; a draft link has at most ${DRAFT_LIMITS.fragment}`);
    const frame = fromBase64url(fragment.slice(DRAFT_PREFIX.length));
    if (!frame || frame.length < 5) return fail("the link is cut short or has characters a link never has");
    const version = frame[0] & 0x3f;
    if (version !== DRAFT_VERSION) return fail(`the link is draft format ${version}; this skbscope reads format ${DRAFT_VERSION}`);
    const crc = new DataView(frame.buffer, frame.byteOffset).getUint32(1);
    const payload = frame.subarray(5);
    const out = frame[0] & 0x40 ? await pipe(payload, new DecompressionStream("deflate-raw"), DRAFT_LIMITS.text) : { bytes: payload, complete: true };
    if (out.bytes.length > DRAFT_LIMITS.text) return fail(`the link unpacks to more than ${DRAFT_LIMITS.text} bytes`);
    const content = new TextDecoder().decode(out.bytes);
    const nl = content.indexOf("\n");
    const text = nl >= 0 ? content.slice(nl + 1) : "";
    if (!out.complete || crc32(out.bytes) !== crc) return fail("the link is damaged (its checksum does not match): it was cut short or altered", text || null);
    const [policy, kernel, step] = content.slice(0, nl).split("\t");
    return {
      ok: true,
      draft: {
        source: text,
        policyChoice: policy && policy !== "-" ? (policy as PolicyId) : null,
        kernelChoice: kernel && kernel !== "-" ? (kernel as KernelId) : null,
        step: Number(step) || 0,
      },
    };
  } catch (e) {
    return fail(`the link cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs bytes through a (de)compression stream, stopping past `cap`; keeps what came out before an error. */
async function pipe(input: Uint8Array, stream: CompressionStream | DecompressionStream, cap: number): Promise<{ bytes: Uint8Array; complete: boolean }> {
  const writer = stream.writable.getWriter();
  writer.write(input as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch {
    complete = false;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, complete };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function toBase64url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const c of text) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

let table: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = table[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
