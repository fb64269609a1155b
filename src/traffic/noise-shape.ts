/**
 * Volatile values recognised by their shape: two values that differ but are both timestamps,
 * both UUIDs, both random tokens… are noise, not a regression. Each rule needs *both* sides to
 * have the shape (a timestamp that became `null` is a regression), and numbers count as epoch
 * times only near the moment each answer was given. Pure.
 */
import type { PathSegment } from './diff-path.js';
import { TOKEN_EMAIL_DOMAIN, TOKEN_PREFIX } from './redact-token.js';

/** Why a pair of values was recognised as volatile. */
export type ShapeReason =
  | 'timestamp'
  | 'date'
  | 'uuid'
  | 'epoch'
  | 'token'
  | 'redacted'
  | 'increasing-id'
  /** Text bodies equal once timestamps, UUIDs and tokens are replaced by placeholders. */
  | 'volatile-text';

/** What a shape rule may know besides the two values. */
export interface ShapeContext {
  /** The last path segment (the JSON key or index), or a header name. */
  readonly key: PathSegment | undefined;
  /** The request's method: a POST answering with a larger id created a new resource. */
  readonly method: string;
  /** When the recorded answer was given and when the actual one was (epoch ms). */
  readonly recordedAt: number;
  readonly replayedAt: number;
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const httpDate = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const jwt = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/;
const tokenChars = /^[A-Za-z0-9+/=_.~-]+$/;
const idKey = /^(id|.*_id|.*Id)$/;

/** Epoch values count as "now" within a month of the answer (expiry times included). */
const epochWindowMs = 31 * 86_400_000;

/** Why `recorded` and `actual` (which differ) are volatile, or undefined when they are not. */
export function volatileShape(
  recorded: unknown,
  actual: unknown,
  context: ShapeContext,
): ShapeReason | undefined {
  // The recorder replaced (part of) the value by a token: the original cannot be compared. The
  // answer went through the same redaction, so equal values already met as equal tokens; a
  // value that differs is noise as long as it is still text (a token that became null or a
  // number is a regression).
  if (typeof recorded === 'string' && recorded.includes(TOKEN_PREFIX) && typeof actual === 'string')
    return 'redacted';
  if (typeof recorded === 'string' && typeof actual === 'string')
    return stringShape(recorded, actual, context);
  if (typeof recorded === 'number' && typeof actual === 'number') {
    if (nearEpoch(recorded, context.recordedAt) && nearEpoch(actual, context.replayedAt))
      return 'epoch';
    if (
      context.method.toUpperCase() === 'POST' &&
      typeof context.key === 'string' &&
      idKey.test(context.key) &&
      Number.isInteger(recorded) &&
      Number.isInteger(actual) &&
      actual > recorded
    )
      return 'increasing-id';
  }
  return undefined;
}

function stringShape(a: string, b: string, context: ShapeContext): ShapeReason | undefined {
  if (isoTimestamp.test(a) && isoTimestamp.test(b)) return 'timestamp';
  if (httpDate.test(a) && httpDate.test(b)) return 'timestamp';
  if (isoDate.test(a) && isoDate.test(b)) return 'date';
  if (uuid.test(a) && uuid.test(b)) return 'uuid';
  if (jwt.test(a) && jwt.test(b)) return 'token';
  // Epoch times sent as strings ("1763720100").
  if (/^\d{10,13}$/.test(a) && /^\d{10,13}$/.test(b))
    return nearEpoch(Number(a), context.recordedAt) && nearEpoch(Number(b), context.replayedAt)
      ? 'epoch'
      : undefined;
  return randomPair(a, b) ? 'token' : undefined;
}

/**
 * Two random tokens: after a shared prefix (`sess_`, `tok-`), both the same length, at least 16
 * characters from one token alphabet, holding letters and digits, and high in entropy. Words,
 * sentences and numbers never qualify.
 */
function randomPair(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const cut = sharedPrefix(a, b);
  const ra = a.slice(cut);
  const rb = b.slice(cut);
  return isRandomToken(ra) && isRandomToken(rb);
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  // Back to the last separator, so a prefix that happens to match a token's first letters stays.
  const upTo = a.slice(0, i);
  const separator = Math.max(upTo.lastIndexOf('_'), upTo.lastIndexOf('-'), upTo.lastIndexOf('.'));
  return separator === -1 ? 0 : separator + 1;
}

/**
 * Whether one string looks like a random token (used by the text normaliser too): 16+ characters
 * of one token alphabet, close to the most entropy their length allows, changing character class
 * often (lower, upper, digit), holding letters and digits — or, without digits, at least 20
 * characters of both cases with few vowels (random letters are one-fifth vowels, words and
 * identifiers more than a third).
 */
export function isRandomToken(text: string): boolean {
  if (text.length < 16 || !tokenChars.test(text) || !/[A-Za-z]/.test(text)) return false;
  const entropy = entropyBitsPerChar(text);
  // Hex: 16 random digits hold about 3.3 bits each of the 4 possible, 32 about 3.6.
  if (/^[0-9a-f]+$/i.test(text)) return /\d/.test(text) && entropy >= (text.length < 24 ? 2.7 : 3);
  if (entropy < 0.75 * Math.log2(Math.min(text.length, 64))) return false;
  // Random characters change class (lower, upper, digit, other) at most steps; "Order1234…" does not.
  let switches = 0;
  for (let i = 1; i < text.length; i += 1)
    if (charClass(text.charCodeAt(i)) !== charClass(text.charCodeAt(i - 1))) switches += 1;
  const switchRate = switches / (text.length - 1);
  if (switchRate < 0.25) return false;
  if (/\d/.test(text)) return true;
  if (text.length < 20 || !/[a-z]/.test(text) || !/[A-Z]/.test(text)) return false;
  const letters = text.replace(/[^A-Za-z]/g, '');
  const vowelShare = letters.replace(/[^aeiouAEIOU]/g, '').length / letters.length;
  // Few vowels; or not many more than chance gives, with the case changing as often as chance
  // does (CamelCase words change case once a word and hold a third vowels or more).
  return vowelShare < 0.25 || (vowelShare < 0.34 && switchRate >= 0.4);
}

function charClass(code: number): number {
  if (code >= 97 && code <= 122) return 0;
  if (code >= 65 && code <= 90) return 1;
  if (code >= 48 && code <= 57) return 2;
  return 3;
}

function entropyBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function nearEpoch(value: number, at: number): boolean {
  if (!Number.isFinite(at)) return false;
  // Seconds (10 digits now), milliseconds (13 digits now); fractions of seconds allowed.
  const asMs = value >= 1e12 ? value : value * 1_000;
  return value >= 1e9 && Math.abs(asMs - at) <= epochWindowMs;
}

const volatileInText = [
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?/g,
  /[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/g,
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
  new RegExp(`${TOKEN_PREFIX}[A-Za-z0-9_]+(@${TOKEN_EMAIL_DOMAIN.replace('.', '\\.')})?`, 'g'),
];

/**
 * Text with its volatile values (timestamps, UUIDs, redaction tokens, random tokens) replaced by
 * placeholders: two texts equal after this differ only in noise.
 */
export function normalizeVolatileText(text: string): string {
  let out = text;
  for (const re of volatileInText) out = out.replace(re, '\u2039v\u203a');
  return out.replace(/[A-Za-z0-9+/=_~-]{16,}/g, (word) =>
    isRandomToken(word) ? '\u2039v\u203a' : word,
  );
}
