/**
 * Redaction tokens: what a redacted value becomes. A token is an HMAC of the value under the
 * redaction key, so equal values give equal tokens (sessions and users still correlate across a
 * capture) while a different key gives unrelated tokens, and nobody without the key can test a
 * guess. The prefix hints at what was there, and an e-mail token still looks like an e-mail.
 */
import { createHmac } from 'node:crypto';

/** What a redacted value looked like; decides only the token's prefix, never its value. */
export type TokenKind = 'secret' | 'jwt' | 'email' | 'card';

/** Every token starts with this; values already starting with it are never redacted again. */
export const TOKEN_PREFIX = 'us_tok_';

/** The domain every e-mail token uses (`.invalid` is reserved: it can never receive mail). */
export const TOKEN_EMAIL_DOMAIN = 'redacted.invalid';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lower-case RFC 4648 base32 without padding: safe in URLs, cookies, headers and e-mails. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(acc << (5 - bits)) & 31];
  return out;
}

// The key is never used directly: a sub-key for this one purpose means a key shared with other
// uses (the data masking key, say) still gives tokens unrelated to anything else it computes.
const derived = new WeakMap<Buffer, Buffer>();
function subKey(key: Buffer): Buffer {
  let sub = derived.get(key);
  if (sub === undefined) {
    sub = createHmac('sha256', key).update('understudy traffic redaction v1').digest();
    derived.set(key, sub);
  }
  return sub;
}

/**
 * The token for `value` under `key`: `us_tok_<26 base32 chars>` for secrets, `us_tok_jwt_…`,
 * `us_tok_card_…`, and `us_tok_email_…@redacted.invalid`. The 16-byte HMAC does not depend on
 * `kind`, so a value has one identity wherever it was found; the replayer calls this to map a
 * production credential's token to a staging credential.
 */
export function redactionToken(key: Buffer, kind: TokenKind, value: string): string {
  const mac = createHmac('sha256', subKey(key)).update(value, 'utf8').digest().subarray(0, 16);
  const body = base32(mac);
  switch (kind) {
    case 'secret':
      return `${TOKEN_PREFIX}${body}`;
    case 'email':
      return `${TOKEN_PREFIX}email_${body}@${TOKEN_EMAIL_DOMAIN}`;
    default:
      return `${TOKEN_PREFIX}${kind}_${body}`;
  }
}

/** Whether a value is (or starts with) a redaction token, so redacting twice changes nothing. */
export function isToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX);
}
