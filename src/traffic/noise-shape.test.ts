import { describe, expect, it } from 'vitest';
import {
  isRandomToken,
  normalizeVolatileText,
  volatileShape,
  type ShapeContext,
} from './noise-shape.js';

const recordedAt = Date.parse('2026-11-21T10:15:00Z');
const replayedAt = Date.parse('2026-11-25T08:00:00Z');
const at: ShapeContext = { key: 'x', method: 'GET', recordedAt, replayedAt };

describe('volatile values by shape', () => {
  it('recognises timestamps, dates, UUIDs, JWTs and redaction tokens on both sides', () => {
    expect(volatileShape('2026-11-21T10:15:00.123Z', '2026-11-25T08:00:00+01:00', at)).toBe(
      'timestamp',
    );
    expect(
      volatileShape('Sat, 21 Nov 2026 10:15:00 GMT', 'Wed, 25 Nov 2026 08:00:00 GMT', at),
    ).toBe('timestamp');
    expect(volatileShape('2026-11-21', '2026-11-25', at)).toBe('date');
    expect(
      volatileShape(
        '3f2b1c4e-9a0d-4e5f-8a7b-1c2d3e4f5a6b',
        'a1b2c3d4-0000-4111-8222-333344445555',
        at,
      ),
    ).toBe('uuid');
    expect(volatileShape('us_tok_mfrggzdfmztwq2lkmfrggzdfmy', 'real-staging-secret', at)).toBe(
      'redacted',
    );
    expect(volatileShape('Bearer us_tok_mfrggzdfmztwq2lkmfrggzdfmy', 'Bearer abc', at)).toBe(
      'redacted',
    );
    // A redacted value that is gone or no longer text is not hidden as noise.
    expect(volatileShape('us_tok_mfrggzdfmztwq2lkmfrggzdfmy', null, at)).toBeUndefined();
    expect(volatileShape('us_tok_mfrggzdfmztwq2lkmfrggzdfmy', 42, at)).toBeUndefined();
  });

  it('recognises random tokens of common lengths nearly always', () => {
    // A fixed sequence of pseudo-random bytes, so the test gives the same answer every run.
    let state = 0x9e3779b9;
    const bytes = (n: number): Buffer =>
      Buffer.from(
        Array.from({ length: n }, () => {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          return state & 0xff;
        }),
      );
    const missed = (make: () => string): number =>
      Array.from({ length: 5000 }, make).filter((t) => !isRandomToken(t)).length;
    expect(missed(() => bytes(24).toString('base64url'))).toBeLessThanOrEqual(5);
    expect(missed(() => bytes(16).toString('hex'))).toBeLessThanOrEqual(5);
    expect(missed(() => bytes(16).toString('base64url'))).toBeLessThanOrEqual(25);
  });

  it('recognises random tokens, but never words, sentences or short codes', () => {
    expect(volatileShape('sess_9fK2mQ7xLp3Vb8Rt', 'sess_Zq1Wn4Yc6Hd0Ge5J', at)).toBe('token');
    expect(
      volatileShape('e3b0c44298fc1c149afbf4c8996fb924', '27ae41e4649b934ca495991b7852b855', at),
    ).toBe('token');
    expect(volatileShape('Widget Pro 3000 deluxe', 'Widget Pro 4000 deluxe', at)).toBeUndefined();
    expect(volatileShape('pending', 'shipped', at)).toBeUndefined();
    expect(volatileShape('AB-1234', 'AB-1299', at)).toBeUndefined();
    expect(isRandomToken('aaaaaaaaaaaaaaaa1')).toBe(false);
    expect(volatileShape('Order12345678901234', 'Order12345678901299', at)).toBeUndefined();
    expect(isRandomToken('getUserAccountSettingsById')).toBe(false);
    expect(isRandomToken('ThisIsAFairlyLongCamelCaseName')).toBe(false);
    expect(isRandomToken('kQzXwPvRtYbNmLcJhGfDsTqW')).toBe(true); // 24 random letters, no digit
  });

  it('a value that lost its shape is not noise', () => {
    expect(volatileShape('2026-11-21T10:15:00Z', null, at)).toBeUndefined();
    expect(volatileShape('2026-11-21T10:15:00Z', 'yesterday', at)).toBeUndefined();
    expect(volatileShape('3f2b1c4e-9a0d-4e5f-8a7b-1c2d3e4f5a6b', 42, at)).toBeUndefined();
  });

  it('takes numbers for epoch times only near the moment each answer was given', () => {
    expect(volatileShape(recordedAt, replayedAt + 5, at)).toBe('epoch');
    expect(volatileShape(recordedAt / 1000, replayedAt / 1000, at)).toBe('epoch');
    expect(volatileShape(String(recordedAt / 1000), String(replayedAt / 1000), at)).toBe('epoch');
    expect(volatileShape(1_000_000_000, replayedAt / 1000, at)).toBeUndefined();
    expect(volatileShape(19.99, 24.99, at)).toBeUndefined();
  });

  it('takes a larger id answering a POST as a newly created resource', () => {
    const post = { ...at, method: 'POST', key: 'id' };
    expect(volatileShape(41, 97, post)).toBe('increasing-id');
    expect(volatileShape(41, 97, { ...post, key: 'order_id' })).toBe('increasing-id');
    expect(volatileShape(97, 41, post)).toBeUndefined();
    expect(volatileShape(41, 97, { ...post, method: 'GET' })).toBeUndefined();
    expect(volatileShape(41, 97, { ...post, key: 'quantity' })).toBeUndefined();
  });

  it('normalises volatile values in text', () => {
    expect(
      normalizeVolatileText('at 2026-11-21T10:15:00Z id 3f2b1c4e-9a0d-4e5f-8a7b-1c2d3e4f5a6b ok'),
    ).toBe('at ‹v› id ‹v› ok');
    expect(normalizeVolatileText('mail us_tok_email_abc234@redacted.invalid now')).toBe(
      'mail ‹v› now',
    );
    expect(normalizeVolatileText('the quick brown fox')).toBe('the quick brown fox');
  });
});
