/**
 * Maskers of generic values: number noise, keyed hash, keyed UUID, length-keeping redaction,
 * constants and regex-guided masking.
 */
import { createHmac } from 'node:crypto';
import { deriveSubkey } from './keyed-prf.js';
import { permuteShape } from './format-preserving.js';
import { fitLength, type MaskerContext, type TextMasker } from './masker-context.js';

const numberText = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+)?$/;
const integerLimits: Readonly<Record<string, bigint>> = {
  smallint: 32767n,
  integer: 2147483647n,
  bigint: 9223372036854775807n,
};

/** The default of `number_noise.percent`. */
export const DEFAULT_NOISE_PERCENT = 10;

/**
 * Multiplies by a keyed factor within ±percent, exactly (BigInt on the decimal digits), keeping
 * the sign, the number of decimals, and the column's range (integer bounds, numeric precision).
 * A non-zero value always changes: where the noise rounds away (`3` at 10 %), it moves by one
 * unit of its last digit. Zero stays zero.
 */
export function createNumberNoiseMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('number_noise');
  const spread = ((ctx.spec.percent ?? DEFAULT_NOISE_PERCENT) / 100) * 1e9;
  const precision = /^numeric\((\d+),\s*(\d+)\)/.exec(ctx.column.type);
  const maxIntegerDigits =
    precision === null ? undefined : Number(precision[1]) - Number(precision[2]);
  const limit = integerLimits[ctx.column.baseType];
  return (text) => {
    const m = numberText.exec(text);
    if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return text; // NaN, Infinity
    const sign = m[1] === '-' ? '-' : '';
    const fraction = m[3] ?? '';
    const scaled = BigInt((m[2] ?? '') + fraction || '0');
    // A factor in parts per billion, e.g. 1e9 ± 1e8 for 10 %.
    const factor = BigInt(Math.round(1e9 + ((prf.text(text) / 2 ** 53) * 2 - 1) * spread));
    let noisy = (scaled * factor + 500_000_000n) / 1_000_000_000n;
    if (limit !== undefined && noisy > limit) noisy = limit;
    // Noise smaller than the last digit would keep the real value: move one unit instead.
    if (noisy === scaled && scaled !== 0n)
      noisy =
        factor >= 1_000_000_000n && (limit === undefined || scaled < limit)
          ? scaled + 1n
          : scaled - 1n;
    let digits = noisy.toString().padStart(fraction.length + 1, '0');
    let whole = digits.slice(0, digits.length - fraction.length);
    if (maxIntegerDigits !== undefined && whole.length > maxIntegerDigits) {
      whole = '9'.repeat(maxIntegerDigits) || '0';
      digits = whole + '9'.repeat(fraction.length);
    }
    const decimals = digits.slice(digits.length - fraction.length);
    const point = m[3] === undefined ? '' : `.${decimals}`;
    return `${noisy === 0n ? '' : sign}${whole}${point}${m[4] ?? ''}`;
  };
}

/** Hex of HMAC-SHA256 (a real HMAC: its whole output is visible), cut to the column's length. */
export function createHashMasker(ctx: MaskerContext): TextMasker {
  const subkey = deriveSubkey(ctx.key, 'hash');
  const bytea = ctx.column.baseType === 'bytea';
  return (text) => {
    const hex = createHmac('sha256', subkey).update(text).digest('hex');
    return bytea ? `\\x${hex}` : fitLength(hex, ctx.column.maxLength);
  };
}

/** A version-4-shaped UUID from 122 keyed bits. */
export function createUuidMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('uuid');
  const w = new Uint32Array(4);
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  return (text) => {
    prf.textWords(text.toLowerCase(), 0, w, 0);
    prf.textWords(text.toLowerCase(), 1, w, 2);
    const timeMid = w[1]! >>> 16;
    const version = ((w[1]! & 0x0fff) | 0x4000) >>> 0;
    const variant = (((w[2]! >>> 16) & 0x3fff) | 0x8000) >>> 0;
    return `${hex(w[0]!, 8)}-${hex(timeMid, 4)}-${hex(version, 4)}-${hex(variant, 4)}-${hex(w[2]! & 0xffff, 4)}${hex(w[3]!, 8)}`;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const nonAsciiLetter = /\p{L}/u;

/**
 * Same length; letters become letters (case kept), digits digits, whitespace and punctuation
 * stay, so the text keeps its look without any of its words.
 */
export function createRedactTextMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('redact_text');
  const seed = new Uint32Array(2);
  return (text) => {
    prf.textWords(text, 0, seed, 0);
    // xorshift32 stream seeded per value: one keyed hash per value, then cheap arithmetic.
    let x = seed[0]! | 1;
    let out = '';
    for (const ch of text) {
      const c = ch.charCodeAt(0);
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const r = (x >>> 0) % 26;
      if (c >= 97 && c <= 122) out += LETTERS[r];
      else if (c >= 65 && c <= 90) out += LETTERS[r]!.toUpperCase();
      else if (c >= 48 && c <= 57) out += String(r % 10);
      else if (c > 127 && nonAsciiLetter.test(ch)) out += LETTERS[r];
      else out += ch;
    }
    return out;
  };
}

/** `options.value` as text (objects as JSON). */
export function constantText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}

/**
 * Keeps the text of the pattern's capture groups and masks every other letter and digit as a
 * keyed bijection (per kept text), e.g. `(\d{4})$` keeps a card's last four digits.
 */
export function createRegexMasker(ctx: MaskerContext): TextMasker {
  const prf = ctx.prf('regex');
  const pattern = new RegExp(ctx.spec.pattern ?? '$^', 'd');
  return (text) => {
    const m = pattern.exec(text);
    const ranges: [number, number][] = [];
    let kept = '';
    for (let g = 1; g < (m?.indices?.length ?? 0); g++) {
      const range = m!.indices![g];
      if (range === undefined) continue;
      ranges.push(range);
      kept += `${range[0]}:${text.slice(range[0], range[1])};`;
    }
    const isKept = (i: number): boolean => ranges.some(([a, b]) => i >= a && i < b);
    return permuteShape(
      prf,
      text,
      prf.words(prf.text(kept) >>> 0, text.length, 0),
      0,
      text.length,
      isKept,
    );
  };
}
