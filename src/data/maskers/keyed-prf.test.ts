import { describe, expect, it } from 'vitest';
import {
  permuteIndex,
  derangeIndex,
  unpermuteIndex,
  luhnCheckDigit,
  mod97,
  permuteShape,
} from './format-preserving.js';
import { createPrf, deriveSubkey, prfFor, sipHash24 } from './keyed-prf.js';

describe('SipHash-2-4', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  it('matches the reference vectors of the SipHash paper', () => {
    expect(sipHash24(key, new Uint8Array(0))).toBe(0x726fdb47dd0e0e31n);
    expect(
      sipHash24(
        key,
        Uint8Array.from({ length: 15 }, (_, i) => i),
      ),
    ).toBe(0xa129ca6149be45e5n);
    expect(
      sipHash24(
        key,
        Uint8Array.from({ length: 8 }, (_, i) => i),
      ),
    ).toBe(0x93f5f5799a932462n);
  });

  it('hashes non-ASCII text by its UTF-8 bytes', () => {
    const prf = createPrf(key);
    expect(prf.text('Jürgen')).not.toBe(prf.text('Jurgen'));
    expect(prf.text('Jürgen')).toBe(prf.text('Jürgen'));
  });

  it('derives different subkeys per label and per key', () => {
    const a = Buffer.alloc(32, 1);
    expect(deriveSubkey(a, 'email')).not.toEqual(deriveSubkey(a, 'phone'));
    expect(deriveSubkey(a, 'email')).not.toEqual(deriveSubkey(Buffer.alloc(32, 2), 'email'));
    expect(prfFor(a, 'email').text('x')).toBe(prfFor(a, 'email').text('x'));
  });
});

describe('format-preserving permutations', () => {
  const prf = prfFor(Buffer.alloc(32, 7), 'test');
  it.each([2, 10, 31, 1000, 1827, 4096])('permutes [0, %i) and inverts', (n) => {
    const seen = new Set<number>();
    for (let x = 0; x < n; x++) {
      const y = permuteIndex(prf, n, x, 5);
      expect(y).toBeLessThan(n);
      expect(unpermuteIndex(prf, n, y, 5)).toBe(x);
      seen.add(y);
    }
    expect(seen.size).toBe(n);
  });

  it('deranges without fixed points', () => {
    const seen = new Set<number>();
    for (let x = 0; x < 31; x++) {
      const y = derangeIndex(prf, 31, x, 9);
      expect(y).not.toBe(x);
      seen.add(y);
    }
    expect(seen.size).toBe(31);
  });

  it('keeps the shape of mixed strings, also beyond one chunk', () => {
    const text = 'AB-12 cd/3456789012345678901234567890 ü';
    const out = permuteShape(prf, text, 1);
    expect(out.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9')).toBe(
      text.replace(/[A-Z]/g, 'A').replace(/[a-z]/g, 'a').replace(/\d/g, '9'),
    );
    expect(out).not.toBe(text);
  });

  it('computes Luhn and mod 97 like the published examples', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(mod97('GB82WEST12345698765432'.slice(4) + 'GB82')).toBe(1);
  });
});
