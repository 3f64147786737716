// SPDX-License-Identifier: GPL-2.0-only
/**
 * The byte- and bit-level pieces of the link format: a bit writer and a
 * reader that never reads past its end, Exp-Golomb numbers, base64url
 * without padding, LEB128 lengths and CRC-24. No DOM, no Node: these run
 * in the browser, the worker and Node alike.
 */

/** Thrown inside the decoder only; the codec turns it into an error value. */
export class Malformed extends Error {}

export class BitWriter {
  private bytes = new Uint8Array(64);
  private bit = 0;

  /** Writes the low `n` bits of `value` (0 <= value < 2^n, n <= 53), high bit first. */
  write(value: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.pushBit(Math.floor(value / 2 ** i) % 2);
  }

  /** Exp-Golomb, order 0: 0 -> "1", 1 -> "010", 2 -> "011", 3 -> "00100", ... */
  ue(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** 52) throw new RangeError(`ue: ${value}`);
    const v = value + 1;
    let len = 1;
    while (2 ** len <= v) len++;
    this.write(0, len - 1);
    this.write(v, len);
  }

  private pushBit(b: number): void {
    const byte = this.bit >> 3;
    if (byte >= this.bytes.length) {
      const next = new Uint8Array(this.bytes.length * 2);
      next.set(this.bytes);
      this.bytes = next;
    }
    if (b) this.bytes[byte] |= 0x80 >> (this.bit & 7);
    this.bit++;
  }

  /** The bits written so far, padded with zeros to a whole byte. */
  finish(): Uint8Array {
    return this.bytes.slice(0, (this.bit + 7) >> 3);
  }
}

export class BitReader {
  private bit = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly end = bytes.length * 8,
  ) {}

  read(n: number): number {
    if (this.bit + n > this.end) throw new Malformed("the link ends in the middle of a field");
    let v = 0;
    for (let i = 0; i < n; i++) {
      const b = (this.bytes[this.bit >> 3] >> (7 - (this.bit & 7))) & 1;
      v = v * 2 + b;
      this.bit++;
    }
    return v;
  }

  ue(): number {
    let zeros = 0;
    while (this.read(1) === 0) {
      if (++zeros > 52) throw new Malformed("a number in the link is absurdly large");
    }
    return 2 ** zeros + this.read(zeros) - 1;
  }

  /** Skips to the next whole byte; returns its index. */
  align(): number {
    this.bit = (this.bit + 7) & ~7;
    return this.bit >> 3;
  }
}

/** LEB128 unsigned (lengths in the text section). */
export function writeLeb(out: number[], value: number): void {
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
}

export function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 5; i++) {
    value += (bytes[i] & 0x7f) * scale;
    scale *= 128;
    if ((bytes[i] & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Malformed("a text length in the link is cut off");
}

export const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_INDEX = new Map([...BASE64URL].map((c, i) => [c, i]));

export function toBase64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63] + BASE64URL[(n >> 6) & 63] + BASE64URL[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += BASE64URL[n >> 18] + BASE64URL[(n >> 12) & 63] + BASE64URL[(n >> 6) & 63];
  }
  return out;
}

/** Strict: only the base64url alphabet, no padding, canonical trailing bits. */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Malformed("the link's length is impossible for base64url: a character was lost or added");
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let nbits = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64_INDEX.get(text[i]);
    if (v === undefined) throw new Malformed(`character ${JSON.stringify(text[i])} at position ${i + 1} is not base64url`);
    acc = ((acc << 6) | v) & 0xffffff;
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[o++] = (acc >> nbits) & 0xff;
    }
  }
  if (nbits > 0 && (acc & ((1 << nbits) - 1)) !== 0) throw new Malformed("the link's last character was altered");
  return out;
}

/** CRC-24 (OpenPGP, RFC 4880 section 6.1). */
export function crc24(chunks: readonly Uint8Array[]): number {
  let crc = 0xb704ce;
  for (const bytes of chunks) {
    for (const b of bytes) {
      crc ^= b << 16;
      for (let i = 0; i < 8; i++) {
        crc <<= 1;
        if (crc & 0x1000000) crc ^= 0x1864cfb;
      }
    }
  }
  return crc & 0xffffff;
}
