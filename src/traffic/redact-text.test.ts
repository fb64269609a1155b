import { describe, expect, it } from 'vitest';
import { createRedactContext } from './redact-context.js';
import { redactFreeText, redactText } from './redact-text.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFsaWNlIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

function run(text: string, free = false) {
  const ctx = createRedactContext(key);
  const out = free ? redactFreeText(text, ctx, 'body:text') : redactText(text, ctx, 'body:text');
  return { out, rules: ctx.list().map((r) => `${r.rule}×${r.count}`) };
}

describe('redactText', () => {
  it('replaces JWTs anywhere, the same JWT by the same token', () => {
    const { out, rules } = run(`a ${jwt} b ${jwt}.`);
    expect(out).toMatch(/^a us_tok_jwt_[a-z2-7]{26} b us_tok_jwt_[a-z2-7]{26}\.$/);
    const [first, second] = out.match(/us_tok_jwt_\w+/g)!;
    expect(first).toBe(second);
    expect(rules).toEqual(['default:jwt×2']);
  });

  it('replaces e-mails (also URL-encoded) by tokens that are still e-mails', () => {
    const { out } = run('write to alice.smith+x@example.co.uk or bob%40example.org');
    expect(out).not.toContain('alice');
    expect(out).not.toContain('bob');
    expect(out).toMatch(
      /^write to us_tok_email_\w+@redacted\.invalid or us_tok_email_\w+@redacted\.invalid$/,
    );
  });

  it('replaces card numbers only when Luhn-valid, with or without separators', () => {
    expect(run('card 4111 1111 1111 1111 ok').out).toMatch(/^card us_tok_card_\w+ ok$/);
    expect(run('card 4111-1111-1111-1111').out).toMatch(/^card us_tok_card_\w+$/);
    expect(run('5500005555555559').out).toMatch(/^us_tok_card_\w+$/);
    expect(run('qty 2 4111 1111 1111 1111').out).toMatch(/^qty 2 us_tok_card_\w+$/);
    // Not Luhn-valid, a millisecond timestamp, too long a run: left alone.
    expect(run('order 4111111111111112').out).toBe('order 4111111111111112');
    expect(run('at 1732190000000 ms').out).toBe('at 1732190000000 ms');
    expect(run('id 41111111111111110000').out).toBe('id 41111111111111110000');
    // Digits inside a UUID or a longer token, Luhn-valid or not, are no card.
    expect(run('{"requestId":"028c1ce4-f290-4465-9395-52d16b84d739"}').out).toBe(
      '{"requestId":"028c1ce4-f290-4465-9395-52d16b84d739"}',
    );
    expect(run('ref x4111111111111111 and 4111111111111111y').out).toBe(
      'ref x4111111111111111 and 4111111111111111y',
    );
  });

  it('replaces well-known API key shapes', () => {
    const { out, rules } = run('key sk_live_abcdefghijklmnop1234 and AKIAABCDEFGHIJKLMNOP');
    expect(out).toMatch(/^key us_tok_\w+ and us_tok_\w+$/);
    expect(rules).toEqual(['default:api-key×2']);
  });

  it('leaves tokens and ordinary text alone', () => {
    const once = run(`mail alice@example.com, jwt ${jwt}`).out;
    expect(run(once).out).toBe(once);
    expect(run('nothing secret here, just 42 words').out).toBe(
      'nothing secret here, just 42 words',
    );
  });
});

describe('redactFreeText', () => {
  it('replaces values assigned to secret-sounding names', () => {
    const { out } = run(
      'password=hunter2 api_key: "k-123" token=\'t 1\' <clientSecret>s3</clientSecret> user=ann',
      true,
    );
    expect(out).not.toMatch(/hunter2|k-123|t 1|s3</);
    expect(out).toContain('user=ann');
    expect(out).toMatch(
      /^password=us_tok_\w+ api_key: "us_tok_\w+" token='us_tok_\w+' <clientSecret>us_tok_\w+<\/clientSecret>/,
    );
  });

  it('finds a secret in JSON cut off by the body cap', () => {
    const { out } = run('{"user":"ann","password":"hunter2-and-mo', true);
    expect(out).not.toContain('hunter2');
  });
});
