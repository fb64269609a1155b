/**
 * Keyed bijections on small domains: the reason masked phone numbers, card numbers, ids and
 * dates stay unique. A Feistel network over the bits of [0, N) with a SipHash round function,
 * cycle-walked back into the domain, is a permutation of [0, N); applying it per chunk of a
 * string's digits and letters permutes every string of one shape among strings of that shape.
 */
import type { KeyedPrf } from './keyed-prf.js';

const ROUNDS = 8;

interface Split {
  readonly lowBits: number;
  readonly lowSize: number;
  readonly lowMask: number;
  readonly highMask: number;
}

const splits = new Map<number, Split>();

function splitFor(n: number): Split {
  let split = splits.get(n);
  if (split === undefined) {
    const bits = Math.max(2, Math.ceil(Math.log2(n)));
    const lowBits = bits >> 1;
    const highBits = bits - lowBits;
    split = {
      lowBits,
      lowSize: 2 ** lowBits,
      lowMask: 2 ** lowBits - 1,
      highMask: 2 ** highBits - 1,
    };
    splits.set(n, split);
  }
  return split;
}

/** One pass of the unbalanced Feistel network over the bits of x (no swap: each half in turn). */
function feistel(prf: KeyedPrf, x: number, tweak: number, sp: Split, inverse: boolean): number {
  let high = Math.floor(x / sp.lowSize);
  let low = x % sp.lowSize;
  for (let i = 0; i < ROUNDS; i++) {
    const round = inverse ? ROUNDS - 1 - i : i;
    const id = (round << 8) | sp.lowBits;
    if (round % 2 === 0) high = (high ^ prf.words(tweak, id, low)) & sp.highMask;
    else low = (low ^ prf.words(tweak, id, high)) & sp.lowMask;
  }
  return high * sp.lowSize + low;
}

/** A keyed permutation of [0, n) for n ≤ 2^52: same (prf, n, tweak) → same bijection. */
export function permuteIndex(prf: KeyedPrf, n: number, x: number, tweak: number): number {
  if (n <= 1) return x;
  const sp = splitFor(n);
  // Cycle-walking: the network permutes [0, 2^bits) with 2^bits < 2n, so this ends in < 2 steps on average.
  do x = feistel(prf, x, tweak, sp, false);
  while (x >= n);
  return x;
}

/** The inverse of `permuteIndex`. */
export function unpermuteIndex(prf: KeyedPrf, n: number, y: number, tweak: number): number {
  if (n <= 1) return y;
  const sp = splitFor(n);
  do y = feistel(prf, y, tweak, sp, true);
  while (y >= n);
  return y;
}

/**
 * A keyed permutation of [0, n) without fixed points (n ≥ 2): σ⁻¹((σ(x) + 1) mod n). Used where
 * a value mapping to itself would be a visible leak (a date not shifted at all).
 */
export function derangeIndex(prf: KeyedPrf, n: number, x: number, tweak: number): number {
  if (n <= 1) return x;
  return unpermuteIndex(prf, n, (permuteIndex(prf, n, x, tweak) + 1) % n, tweak);
}

const DIGIT = 1;
const UPPER = 2;
const LOWER = 3;
/** Largest chunk value: digits and letters of one chunk are one mixed-radix number below this. */
const CHUNK_LIMIT = 2 ** 52;

function classOf(c: number): number {
  if (c >= 48 && c <= 57) return DIGIT;
  if (c >= 65 && c <= 90) return UPPER;
  if (c >= 97 && c <= 122) return LOWER;
  return 0;
}

/**
 * Replaces ASCII digits by digits and letters by letters of the same case, keeping every other
 * character in place, as a keyed bijection among strings of the same shape. Positions in
 * `from..to` only (others kept); `tweak` selects an independent permutation.
 */
export function permuteShape(
  prf: KeyedPrf,
  text: string,
  tweak: number,
  from = 0,
  to = text.length,
  keep?: (index: number) => boolean,
): string {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
  const positions: number[] = [];
  let chunk = 0;
  let size = 1;
  const flush = (): void => {
    if (positions.length === 0) return;
    let value = 0;
    for (const p of positions) {
      const radix = classOf(out[p]!) === DIGIT ? 10 : 26;
      value = value * radix + (out[p]! - (classOf(out[p]!) === DIGIT ? 48 : base(out[p]!)));
    }
    let masked = permuteIndex(prf, size, value, (tweak + Math.imul(chunk, 0x9e3779b1)) >>> 0);
    for (let j = positions.length - 1; j >= 0; j--) {
      const p = positions[j]!;
      const cls = classOf(out[p]!);
      const radix = cls === DIGIT ? 10 : 26;
      const digit = masked % radix;
      masked = Math.floor(masked / radix);
      out[p] = (cls === DIGIT ? 48 : cls === UPPER ? 65 : 97) + digit;
    }
    positions.length = 0;
    size = 1;
    chunk++;
  };
  for (let i = from; i < to; i++) {
    const cls = classOf(out[i]!);
    if (cls === 0 || keep?.(i) === true) continue;
    const radix = cls === DIGIT ? 10 : 26;
    if (size * radix > CHUNK_LIMIT) flush();
    positions.push(i);
    size *= radix;
  }
  flush();
  return String.fromCharCode(...out);
}

function base(c: number): number {
  return c >= 97 ? 97 : 65;
}

/** The Luhn check digit for `payload` (the card number without its last digit). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** ISO 7064 mod 97-10 of an alphanumeric string (letters count as 10–35), as IBANs use it. */
export function mod97(text: string): number {
  let rest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else rest = (rest * 100 + (c - (c >= 97 ? 87 : 55))) % 97;
  }
  return rest;
}
