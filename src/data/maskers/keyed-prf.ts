/**
 * The keyed pseudo-random function every masker draws from. Each masker gets its own 128-bit
 * subkey, derived once with HKDF-SHA256 from the masking key and the masker's name, so outputs
 * depend only on (key, masker, value) and never on the table or column.
 *
 * The per-value function is SipHash-2-4, a cryptographic PRF designed for short inputs: in
 * plain JavaScript it costs a fraction of one `createHmac` call (which allocates a native object
 * per value), which is what keeps masking within the 15 % overhead budget of a copy.
 */
import { hkdfSync } from 'node:crypto';

/** A keyed hash of strings and small integers. */
export interface KeyedPrf {
  /** 53 uniformly distributed bits of the keyed hash of `text` under `tweak`. */
  text(text: string, tweak?: number): number;
  /** Writes the full 64-bit keyed hash of `text` under `tweak` as two 32-bit words at `out[at]`. */
  textWords(text: string, tweak: number, out: Uint32Array, at: number): void;
  /** 32 bits of the keyed hash of three 32-bit words (a Feistel round function). */
  words(a: number, b: number, c: number): number;
}

/** Derives the 16-byte subkey of one masker (or other purpose) from the masking key. */
export function deriveSubkey(key: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, 'understudy/mask/v1', label, 16));
}

// The SipHash result of the last call; module-level so the hot path allocates nothing
// (JavaScript is single-threaded, so sharing it is safe).
let resultHigh = 0;
let resultLow = 0;
// Message words of one call, little-endian 64-bit words as [low, high] pairs.
let message = new Int32Array(64);

/**
 * SipHash-2-4 over `blocks` 64-bit words of `message` (the last one already carries the length
 * byte). One loop with the round written once, on local int32 variables that V8 keeps in
 * registers: an order of magnitude faster than state in an array or in module variables.
 */
function sipCore(k: Int32Array, blocks: number): void {
  let v0h = k[1]! ^ 0x736f6d65;
  let v0l = k[0]! ^ 0x70736575;
  let v1h = k[3]! ^ 0x646f7261;
  let v1l = k[2]! ^ 0x6e646f6d;
  let v2h = k[1]! ^ 0x6c796765;
  let v2l = k[0]! ^ 0x6e657261;
  let v3h = k[3]! ^ 0x74656462;
  let v3l = k[2]! ^ 0x79746573;
  const compression = blocks * 2;
  for (let r = 0; r < compression + 4; r++) {
    if (r < compression && r % 2 === 0) {
      v3l ^= message[r]!;
      v3h ^= message[r + 1]!;
    }
    let l = (v0l >>> 0) + (v1l >>> 0);
    v0h = (v0h + v1h + (l > 0xffffffff ? 1 : 0)) | 0;
    v0l = l | 0;
    let h = v1h;
    v1h = ((h << 13) | (v1l >>> 19)) ^ v0h;
    v1l = ((v1l << 13) | (h >>> 19)) ^ v0l;
    h = v0h;
    v0h = v0l;
    v0l = h;
    l = (v2l >>> 0) + (v3l >>> 0);
    v2h = (v2h + v3h + (l > 0xffffffff ? 1 : 0)) | 0;
    v2l = l | 0;
    h = v3h;
    v3h = ((h << 16) | (v3l >>> 16)) ^ v2h;
    v3l = ((v3l << 16) | (h >>> 16)) ^ v2l;
    l = (v0l >>> 0) + (v3l >>> 0);
    v0h = (v0h + v3h + (l > 0xffffffff ? 1 : 0)) | 0;
    v0l = l | 0;
    h = v3h;
    v3h = ((h << 21) | (v3l >>> 11)) ^ v0h;
    v3l = ((v3l << 21) | (h >>> 11)) ^ v0l;
    l = (v2l >>> 0) + (v1l >>> 0);
    v2h = (v2h + v1h + (l > 0xffffffff ? 1 : 0)) | 0;
    v2l = l | 0;
    h = v1h;
    v1h = ((h << 17) | (v1l >>> 15)) ^ v2h;
    v1l = ((v1l << 17) | (h >>> 15)) ^ v2l;
    h = v2h;
    v2h = v2l;
    v2l = h;
    if (r < compression && r % 2 === 1) {
      v0l ^= message[r - 1]!;
      v0h ^= message[r]!;
      if (r === compression - 1) v2l ^= 0xff;
    }
  }
  resultHigh = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  resultLow = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

let scratch = new Uint8Array(256);

/** SipHash-2-4 of `bytes[0..length)`; read the result from `resultHigh`/`resultLow`. */
function sipBytes(k: Int32Array, bytes: Uint8Array, length: number): void {
  const blocks = (length >> 3) + 1;
  if (message.length < blocks * 2) message = new Int32Array(blocks * 4);
  const whole = length - (length % 8);
  let w = 0;
  for (let i = 0; i < whole; i += 8) {
    message[w++] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    message[w++] =
      bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
  }
  let low = 0;
  let high = (length & 0xff) << 24;
  for (let i = whole; i < length; i++) {
    const shift = (i - whole) * 8;
    if (shift < 32) low |= bytes[i]! << shift;
    else high |= bytes[i]! << (shift - 32);
  }
  message[w++] = low;
  message[w] = high;
  sipCore(k, blocks);
}

/** Writes the tweak and UTF-8 of `text` into the scratch buffer; returns the byte length. */
function encode(text: string, tweak: number): number {
  const n = text.length;
  if (scratch.length < n * 3 + 4) scratch = new Uint8Array(n * 3 + 4);
  const buf = scratch;
  buf[0] = tweak & 0xff;
  buf[1] = (tweak >>> 8) & 0xff;
  buf[2] = (tweak >>> 16) & 0xff;
  buf[3] = (tweak >>> 24) & 0xff;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return 4 + encoder.encodeInto(text, buf.subarray(4)).written;
    buf[4 + i] = c;
  }
  return 4 + n;
}
const encoder = new TextEncoder();

/** SipHash-2-4 of the 16-byte `key`, exported for the reference test vectors. */
export function sipHash24(key: Uint8Array, message: Uint8Array): bigint {
  const k = keyWords(key);
  sipBytes(k, message, message.length);
  return (BigInt(resultHigh) << 32n) | BigInt(resultLow);
}

function keyWords(key: Uint8Array): Int32Array {
  if (key.length !== 16) throw new Error('a SipHash key has 16 bytes');
  const view = new DataView(key.buffer, key.byteOffset, 16);
  return Int32Array.of(
    view.getInt32(0, true),
    view.getInt32(4, true),
    view.getInt32(8, true),
    view.getInt32(12, true),
  );
}

/** A keyed PRF over a 16-byte subkey. */
export function createPrf(subkey: Uint8Array): KeyedPrf {
  const k = keyWords(subkey);
  return {
    text(text, tweak = 0) {
      sipBytes(k, scratch, encode(text, tweak));
      return (resultHigh & 0x1fffff) * 0x100000000 + resultLow;
    },
    textWords(text, tweak, out, at) {
      sipBytes(k, scratch, encode(text, tweak));
      out[at] = resultHigh;
      out[at + 1] = resultLow;
    },
    words(a, b, c) {
      message[0] = a;
      message[1] = b;
      message[2] = c;
      message[3] = 12 << 24;
      sipCore(k, 2);
      return resultLow;
    },
  };
}

/** A PRF for one masker: HKDF once, then SipHash per value. */
export function prfFor(key: Buffer, label: string): KeyedPrf {
  return createPrf(deriveSubkey(key, label));
}
