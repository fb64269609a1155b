import { describe, expect, it } from 'vitest';
import { base32, isToken, redactionToken } from './redact-token.js';

const key = Buffer.from('first redaction key, long enough');
const other = Buffer.from('second redaction key, also long!');

describe('redactionToken', () => {
  it('is stable for one key and value, and differs across keys and values', () => {
    const a = redactionToken(key, 'secret', 'hunter2');
    expect(redactionToken(key, 'secret', 'hunter2')).toBe(a);
    expect(redactionToken(other, 'secret', 'hunter2')).not.toBe(a);
    expect(redactionToken(key, 'secret', 'hunter3')).not.toBe(a);
  });

  it('shows the kind, keeps one identity per value, and keeps e-mails looking like e-mails', () => {
    const secret = redactionToken(key, 'secret', 'v');
    expect(secret).toMatch(/^us_tok_[a-z2-7]{26}$/);
    expect(redactionToken(key, 'jwt', 'v')).toBe(`us_tok_jwt_${secret.slice(7)}`);
    expect(redactionToken(key, 'card', 'v')).toBe(`us_tok_card_${secret.slice(7)}`);
    expect(redactionToken(key, 'email', 'v')).toBe(
      `us_tok_email_${secret.slice(7)}@redacted.invalid`,
    );
    expect(isToken(secret)).toBe(true);
    expect(isToken('hunter2')).toBe(false);
  });
});

describe('base32', () => {
  it('encodes as RFC 4648 (lower case, no padding)', () => {
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(base32(Buffer.alloc(16)).length).toBe(26);
  });
});
