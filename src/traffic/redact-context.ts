/**
 * What every redaction step shares: the key (through `token`), the report being built, and the
 * decisions that do not depend on where a value was found — which names are secret, and what
 * kind of value a secret is.
 */
import type { Redaction } from './capture-format.js';
import { isToken, redactionToken, type TokenKind } from './redact-token.js';

/** The state of redacting one record. */
export interface RedactContext {
  /** The token of `value`; its kind is chosen from the value's shape. */
  token(value: string): string;
  /** Counts one (or `count`) redaction at `where` by `rule`. */
  note(where: string, rule: string, count?: number): void;
}

/** Tokens already computed, shared by the records of one redactor (values repeat: sessions, users). */
export type TokenCache = Map<string, string>;

const cacheLimit = 10_000;

/** Builds a context and the list of redactions it collected. */
export function createRedactContext(
  key: Buffer,
  cache: TokenCache = new Map(),
): RedactContext & { list(): Redaction[] } {
  const counts = new Map<string, { where: string; rule: string; count: number }>();
  return {
    token(value) {
      let token = cache.get(value);
      if (token === undefined) {
        token = redactionToken(key, tokenKind(value), value);
        // Cleared rather than evicted one by one: cheap, and a miss only costs one HMAC.
        if (cache.size >= cacheLimit) cache.clear();
        cache.set(value, token);
      }
      return token;
    },
    note(where, rule, count = 1) {
      const id = `${where}\u0000${rule}`;
      const seen = counts.get(id);
      if (seen === undefined) counts.set(id, { where, rule, count });
      else seen.count += count;
    },
    list: () =>
      [...counts.values()].sort((a, b) =>
        a.where === b.where ? compare(a.rule, b.rule) : compare(a.where, b.where),
      ),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const jwtShape = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
const emailShape = /^[^\s@]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const cardShape = /^\d(?:[ -]?\d){12,18}$/;

/** The kind of token a secret value gets: a JWT, an e-mail or a card keep a hint of what they were. */
export function tokenKind(value: string): TokenKind {
  if (jwtShape.test(value)) return 'jwt';
  if (emailShape.test(value)) return 'email';
  if (cardShape.test(value)) return 'card';
  return 'secret';
}

const secretParts = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'signature',
];
const secretNames = new Set([
  'pass',
  'pwd',
  'key',
  'auth',
  'authorization',
  'cookie',
  'setcookie',
  'otp',
  'pin',
  'cvv',
  'cvv2',
  'cvc',
  'ssn',
  'sid',
  'sessid',
  'sessionid',
  'sig',
]);

const known = new Map<string, boolean>();

/**
 * Whether a field, parameter or header name says its value is a secret: password, secret, token,
 * api_key, access_key, private_key, credential, signature anywhere in the name (case, `-` and `_`
 * ignored), or exactly pass, pwd, key, auth, otp, pin, cvv, cvc, ssn, sid, session_id, sig.
 */
export function isSecretName(name: string): boolean {
  let secret = known.get(name);
  if (secret === undefined) {
    const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
    secret = secretNames.has(n) || secretParts.some((part) => n.includes(part));
    // Field names repeat across records; a small cache saves the work (cleared, never grown).
    if (known.size >= 4096) known.clear();
    known.set(name, secret);
  }
  return secret;
}

/** Replaces a whole secret value by its token (empty values and tokens stay as they are). */
export function tokenize(value: string, ctx: RedactContext): string {
  if (value === '' || isToken(value)) return value;
  return ctx.token(value);
}
