// SPDX-License-Identifier: GPL-2.0-only
/**
 * Framing: content bytes <-> the "s..." fragment (version byte, CRC-24,
 * optional deflate-raw, base64url). Decoding checks sizes before it
 * decompresses and stops decompressing at a cap.
 */
import { Malformed, crc24, fromBase64url, toBase64url } from "./bits";
import { DEFLATED, FORMAT_VERSION, LIMITS, PADDED, PREFIX, fail, type LinkResult } from "./format";

/**
 * The few Web Streams pieces the framing uses. Core has no DOM types;
 * browsers, workers and Node >= 18 all have these globals.
 */
interface Reader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
interface Readable {
  pipeThrough(transform: ByteStream): Readable;
  getReader(): Reader;
}
interface ByteStream {
  readonly readable: unknown;
  readonly writable: unknown;
}
interface Streams {
  ReadableStream: new (source: { start(c: { enqueue(chunk: Uint8Array): void; close(): void }): void }) => Readable;
  CompressionStream?: new (format: "deflate-raw") => ByteStream;
  DecompressionStream?: new (format: "deflate-raw") => ByteStream;
}
const streams = (): Streams => globalThis as unknown as Streams;

async function pump(input: Uint8Array, stream: ByteStream, cap: number): Promise<Uint8Array | "too-large" | "corrupt"> {
  const source = new (streams().ReadableStream)({
    start(c) {
      c.enqueue(input);
      c.close();
    },
  });
  const reader = source.pipeThrough(stream).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!value) continue;
      total += value.byteLength;
      if (total > cap) {
        reader.cancel().catch(() => {});
        return "too-large";
      }
      chunks.push(value);
    }
  } catch {
    return "corrupt";
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** Frames content: deflates it when that is shorter, adds version and CRC. */
export async function sealContent(content: Uint8Array, options: { deflate?: "auto" | "never" | "always"; version?: number } = {}): Promise<string> {
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1 || version > FORMAT_VERSION) throw new RangeError(`no link format ${version}`);
  let payload = content;
  let deflated = false;
  const mode = options.deflate ?? "auto";
  const Compression = streams().CompressionStream;
  if (mode !== "never" && Compression !== undefined) {
    const packed = await pump(content, new Compression("deflate-raw"), Infinity);
    if (packed instanceof Uint8Array && (mode === "always" || packed.length < content.length)) {
      payload = packed;
      deflated = true;
    }
  }
  for (const pad of [false, true]) {
    const head = new Uint8Array([version | (deflated ? DEFLATED : 0) | (pad ? PADDED : 0)]);
    const body = pad ? new Uint8Array([...payload, 0]) : payload;
    const crc = crc24([head, body]);
    const frame = new Uint8Array(4 + body.length);
    frame[0] = head[0];
    frame[1] = crc >> 16;
    frame[2] = (crc >> 8) & 0xff;
    frame[3] = crc & 0xff;
    frame.set(body, 4);
    const text = PREFIX + toBase64url(frame);
    // Linkifiers drop a trailing "_" (and some a "-"); with a zero pad
    // byte the link ends in "A" instead.
    if (!/[-_]$/.test(text)) return text;
  }
  throw new Error("unreachable: a zero pad byte never encodes as - or _");
}

/**
 * Cleans what mail and chat do to a link: a leading "#", line breaks and
 * spaces inside it, quoted-printable soft breaks, and punctuation after
 * it ("...z)." or "...z>"). None of these characters is in the format, so
 * removing them cannot turn one link into another; the CRC has the last
 * word.
 */
export function cleanFragment(raw: string): string {
  let s = raw.replace(/=(?:\r\n|\r|\n)/g, "").replace(/\s+/g, "");
  const hash = s.lastIndexOf("#");
  if (hash >= 0) s = s.slice(hash + 1);
  // Trailing punctuation, by hand: `[^A-Za-z0-9_-]+$` backtracks
  // quadratically on a long run of it (80,000 characters: 29 s).
  let end = s.length;
  while (end > 0 && !FRAGMENT_CHAR.test(s[end - 1])) end--;
  return s.slice(0, end);
}

const FRAGMENT_CHAR = /[A-Za-z0-9_-]/;

/** Unframes: returns the content bytes, or an error. */
export async function openFragment(raw: string): Promise<LinkResult<Uint8Array>> {
  if (typeof raw !== "string") return fail("not-a-link", "a link must be text");
  if (raw.length > LIMITS.fragmentChars * 2)
    return fail("too-long", `the link is ${raw.length} characters; skbscope links have at most ${LIMITS.fragmentChars}`);
  const s = cleanFragment(raw);
  if (s.length === 0) return fail("not-a-link", "the link has no skbscope fragment (the part after #)");
  if (s.length > LIMITS.fragmentChars) return fail("too-long", `the link is ${s.length} characters; skbscope links have at most ${LIMITS.fragmentChars}`);
  if (s[0] !== PREFIX) return fail("not-a-link", `not an skbscope link: the fragment should start with "${PREFIX}"`);
  const bad = /[^A-Za-z0-9_-]/.exec(s);
  if (bad) return fail("bad-character", `the link has a character that does not belong in it: ${JSON.stringify(bad[0])} at position ${bad.index + 1}`);
  let frame: Uint8Array;
  try {
    frame = fromBase64url(s.slice(1));
  } catch (e) {
    return fail(e instanceof Malformed && /length/.test(e.message) ? "truncated" : "bad-character", e instanceof Error ? e.message : String(e));
  }
  if (frame.length < 5) return fail("truncated", "the link is too short to hold a trace");
  const version = frame[0] & 0x3f;
  const body = frame.subarray(4);
  const crc = (frame[1] << 16) | (frame[2] << 8) | frame[3];
  const intact = crc24([frame.subarray(0, 1), body]) === crc;
  // Garbage after an "s" has a version byte of any value: only a checksum
  // that holds makes it a link at all (newer or altered).
  if (!intact && (version === 0 || version > FORMAT_VERSION)) {
    return fail("not-a-link", "not an skbscope link: its framing and checksum are not skbscope's");
  }
  if (version === 0) return fail("unknown-version", `unknown link format (first byte ${frame[0]}); was it made by skbscope?`);
  if (version > FORMAT_VERSION) {
    return fail("unknown-version", `this link uses format ${version}, from a newer skbscope; this one reads format ${FORMAT_VERSION} and older`);
  }
  if (!intact) {
    return fail("checksum", "the link was altered in transit (checksum mismatch): some characters changed or went missing");
  }
  const padded = (frame[0] & PADDED) !== 0;
  if (padded && (body.length === 0 || body[body.length - 1] !== 0)) return fail("malformed", "the link's pad byte is wrong");
  const payload = padded ? body.subarray(0, body.length - 1) : body;
  if (!(frame[0] & DEFLATED)) {
    if (payload.length > LIMITS.contentBytes) return fail("too-large", "the link's content is too large");
    return { ok: true, value: payload };
  }
  const Decompression = streams().DecompressionStream;
  if (Decompression === undefined) return fail("decompress", "this browser cannot decompress links (no DecompressionStream)");
  const out = await pump(payload, new Decompression("deflate-raw"), LIMITS.contentBytes);
  if (out === "too-large") return fail("too-large", `the link unpacks to more than ${LIMITS.contentBytes} bytes; refused`);
  if (out === "corrupt") return fail("decompress", "the link's compressed data is damaged");
  return { ok: true, value: out };
}
