/**
 * Which configuration values are secrets, pure. Parity compares secrets by keyed hash only and
 * never shows them, so a false positive costs little (a difference shown without its values) and
 * a false negative leaks a credential into a report: when in doubt, a key is secret.
 *
 * By name: the key is split into words (`DB_PASSWORD`, `db.password`, `dbPassword` → db, password)
 * and is secret when a word names a secret (password, secret, token, credential, salt, dsn, …), or
 * when it ends in `key` / `auth` (`STRIPE_KEY`, `BASIC_AUTH`) — unless its last word says it only
 * describes a secret (`API_KEY_ID`, `TOKEN_TTL`, `PASSWORD_MIN_LENGTH`, `PRIVATE_KEY_PATH`).
 *
 * By value: known token shapes (PEM blocks, JWTs, Stripe/GitHub/Slack/AWS/Google keys), URLs with
 * a password (`postgres://app:pw@db`), long hex strings, and opaque random-looking tokens (mixed
 * letters and digits, high entropy, frequent character-class switches). Ordinary values are not
 * flagged: hostnames, URLs without credentials, paths, numbers, booleans, log levels, durations,
 * version strings, and UUIDs (identifiers, not credentials).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Words that make a key secret wherever they appear in its name. */
const secretWords = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'creds',
  'apikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'sessionkey',
  'signingkey',
  'authtoken',
  'signing',
  'salt',
  'pepper',
  'dsn',
]);

/** Words that make a key secret when they end its name: `STRIPE_KEY`, `BASIC_AUTH`. */
const secretLastWords = new Set(['key', 'auth', 'authorization']);

/** Keys ending in `key` that name something public or structural, not a credential. */
const nonSecretKeyKinds = new Set([
  'public',
  'publishable',
  'primary',
  'partition',
  'sort',
  'cache',
  'routing',
  'idempotency',
  'foreign',
]);

/**
 * Last words that make a key a description of a secret rather than the secret: its id, where it
 * lives, how long it lasts, how it is checked. `DATABASE_URL` is judged by its value instead.
 */
export const describingWords: ReadonlySet<string> = new Set([
  'id',
  'name',
  'path',
  'file',
  'filename',
  'dir',
  'url',
  'uri',
  'endpoint',
  'host',
  'port',
  'ttl',
  'expiry',
  'expires',
  'expiration',
  'lifetime',
  'timeout',
  'length',
  'len',
  'size',
  'min',
  'max',
  'enabled',
  'enable',
  'disabled',
  'required',
  'header',
  'field',
  'param',
  'type',
  'algorithm',
  'alg',
  'rotation',
  'version',
  'format',
  'prefix',
  'policy',
  'count',
  'limit',
  'seconds',
  'minutes',
  'hours',
  'days',
  'mode',
  'provider',
  'issuer',
  'audience',
  'scope',
  'rounds',
  'cost',
  'strength',
]);

/** Splits a key into lower-case words; array indexes (`hosts.0`) are not words. */
export function keyWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !/^\d+$/.test(w));
}

/** Set membership that also accepts the plural: `API_KEYS`, `credentials`. */
function hasWord(set: ReadonlySet<string>, word: string): boolean {
  return set.has(word) || (word.endsWith('s') && set.has(word.slice(0, -1)));
}

/** Whether a configuration key names a secret (see the module comment for the rules). */
export function isSecretKey(name: string): boolean {
  // The shell's working directory, often in a command source's output, is not a password.
  if (name === 'PWD' || name === 'OLDPWD') return false;
  const words = keyWords(name);
  const last = words.at(-1);
  if (last === undefined || hasWord(describingWords, last)) return false;
  if (words.some((w) => hasWord(secretWords, w))) return true;
  if (!hasWord(secretLastWords, last)) return false;
  const before = words.at(-2);
  return !(last === 'key' && before !== undefined && nonSecretKeyKinds.has(before));
}

/** Provider token shapes: matching one is enough. */
const knownTokenShapes: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]+-----/, // PEM: private keys and the certificates bundled with them
  /^eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*$/, // JWT (header and payload are base64url JSON)
  /^(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}$/, // Stripe secret and restricted keys
  /^whsec_[A-Za-z0-9+/=]{16,}$/, // webhook signing secrets (Stripe, Svix)
  /^(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}$/, // GitHub tokens
  /^github_pat_\w{30,}$/,
  /^glpat-[\w-]{20,}$/, // GitLab
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/, // Slack
  /^(?:AKIA|ASIA)[0-9A-Z]{16}$/, // AWS access key ids
  /^AIza[\w-]{35}$/, // Google API keys
  /^SG\.[\w-]{16,}\.[\w-]{16,}$/, // SendGrid
  /^sk-(?:proj-)?[A-Za-z0-9_-]{20,}$/, // OpenAI-style
  /^npm_[A-Za-z0-9]{36}$/,
];

/** Whether a URL-like value carries a password: `scheme://user:pass@host` or `scheme://:pass@`. */
export function hasUrlCredentials(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]*:[^/?#@\s]+@/i.test(value.trim());
}

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Cloud resource ids (`sg-0f3a9c1e5b7d2a4c6`, `ami-…`, `vpc-…`): random hex, but identifiers. */
const cloudIdShape = /^[a-z]{1,12}-[0-9a-f]{8,17}$/;

/** Whether a value has the exact shape of a known credential (precise: no entropy guessing). */
export function hasKnownSecretShape(value: string): boolean {
  const v = value.trim();
  return knownTokenShapes.some((shape) => shape.test(v)) || hasUrlCredentials(v);
}

/** Whether a value looks like a credential, whatever its key is called. */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim();
  if (v === '') return false;
  if (hasKnownSecretShape(v)) return true;
  if (v.length < 20 || /\s/.test(v) || uuidShape.test(v) || cloudIdShape.test(v)) return false;
  if (/^[0-9a-f]{32,}$/i.test(v)) return true; // hex digests and keys
  return looksRandom(v);
}

/**
 * An opaque base64/base64url-ish token: no dots or colons (hostnames, versions, URLs, times),
 * letters mixed with digits, high entropy, and character classes switching often — identifiers
 * made of words (`MyAppProduction2024`) switch rarely, random strings about every other character.
 */
function looksRandom(v: string): boolean {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(v)) return false;
  const hasUpper = /[A-Z]/.test(v);
  const hasLower = /[a-z]/.test(v);
  const hasDigit = /\d/.test(v);
  if (!hasDigit || (!hasUpper && !hasLower)) return false;
  if (shannonEntropy(v) < 3.5) return false;
  const classOf = (ch: string): number => (/[A-Z]/.test(ch) ? 0 : /[a-z]/.test(ch) ? 1 : 2);
  const alnum = v.replace(/[^A-Za-z0-9]/g, '');
  let switches = 0;
  for (let i = 1; i < alnum.length; i++) {
    if (classOf(alnum[i]!) !== classOf(alnum[i - 1]!)) switches++;
  }
  const ratio = switches / Math.max(1, alnum.length - 1);
  // Mixed-case random text switches ~60 % of the time; lower-case-and-digit only ~40 %.
  return ratio >= (hasUpper && hasLower ? 0.35 : 0.3);
}

/** HMAC-SHA256 of a secret with the run's key: secrets are only ever compared this way. */
export function secretDigest(value: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(value, 'utf8').digest();
}

/** Whether two secrets are equal, compared by keyed hash in constant time. */
export function sameSecret(a: string, b: string, key: Buffer): boolean {
  return timingSafeEqual(secretDigest(a, key), secretDigest(b, key));
}
