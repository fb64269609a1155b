import { describe, expect, it } from 'vitest';
import { hasReference, interpolate } from './config-interpolate.js';

describe('interpolate', () => {
  const env = { HOST: 'db.internal', EMPTY: '' };

  it('replaces set variables and reports unset ones', () => {
    expect(interpolate('postgres://${HOST}/shop', env)).toEqual({
      value: 'postgres://db.internal/shop',
      missing: [],
      used: ['HOST'],
    });
    expect(interpolate('${NOPE}', env).missing).toEqual([
      { name: 'NOPE', message: 'environment variable NOPE is not set' },
    ]);
  });

  it('supports defaults, required-with-message and a literal escape', () => {
    expect(interpolate('${NOPE:-fallback}', env).value).toBe('fallback');
    expect(interpolate('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolate('${EMPTY:?set EMPTY to the key}', env).missing[0]?.message).toBe(
      'set EMPTY to the key',
    );
    expect(interpolate('cost: $${NOT_A_VAR}', env)).toEqual({
      value: 'cost: ${NOT_A_VAR}',
      missing: [],
      used: [],
    });
  });

  it('tells references from literal values', () => {
    expect(hasReference('${PROD_DATABASE_URL}')).toBe(true);
    expect(hasReference('postgres://u:p@h/db')).toBe(false);
    expect(hasReference('$${ESCAPED}')).toBe(false);
  });
});
