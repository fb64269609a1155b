import { describe, expect, it } from 'vitest';
import { PatternSearch } from './verify-search.js';

describe('PatternSearch', () => {
  it('finds overlapping and nested patterns with their labels', () => {
    const s = new PatternSearch<string>();
    for (const [p, l] of [
      ['he', 'a'],
      ['she', 'b'],
      ['his', 'c'],
      ['hers', 'd'],
      ['ann@example.com', 'email'],
    ] as const)
      s.add(p, l);
    expect([...s.search('ushers')].sort()).toEqual(['a', 'b', 'd']);
    expect([...s.search('write to ANN@Example.com now')]).toEqual(['email']);
    expect(s.search('nothing to see').size).toBe(0);
    expect(s.size).toBe(5);
  });

  it('keeps several labels for one pattern', () => {
    const s = new PatternSearch<number>();
    s.add('Berlin', 1);
    s.add('berlin', 2);
    expect([...s.search('from berlin')].sort()).toEqual([1, 2]);
  });

  it('agrees with a naive search on random input', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = (len: number): string =>
      Array.from({ length: len }, () => 'abc'[rand(3)]).join('');
    for (let round = 0; round < 50; round++) {
      const patterns = Array.from({ length: 1 + rand(8) }, () => word(1 + rand(4)));
      const s = new PatternSearch<string>(false);
      for (const p of patterns) s.add(p, p);
      const text = word(rand(30));
      const expected = new Set(patterns.filter((p) => text.includes(p)));
      expect([...s.search(text)].sort()).toEqual([...expected].sort());
    }
  });

  it('with whole words, finds a value only where it is not part of a longer word', () => {
    const s = new PatternSearch<string>(true, true);
    s.add('King', 'surname');
    s.add('ann@example.com', 'email');
    s.add('Lyon', 'city');
    expect([...s.search('http://intranet/employees/king.bmp')]).toEqual(['surname']);
    expect([...s.search('Kingston')]).toEqual([]);
    expect([...s.search('BLYONS')]).toEqual([]);
    expect([...s.search('photo_king_2')]).toEqual(['surname']);
    expect([...s.search('mailto:<ANN@example.com>')]).toEqual(['email']);
    expect([...s.search('joann@example.com')]).toEqual([]);
    expect([...s.search('Mr King of Lyon')].sort()).toEqual(['city', 'surname']);
    expect([...s.search('Königsberg')]).toEqual([]);
  });

  it('with whole words, agrees with a naive boundary search on random input', () => {
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = (len: number): string =>
      Array.from({ length: len }, () => 'ab .'[rand(4)]).join('');
    const glued = (c: string | undefined): boolean => c !== undefined && /[a-z]/.test(c);
    for (let round = 0; round < 200; round++) {
      const patterns = Array.from({ length: 1 + rand(6) }, () => word(1 + rand(4)));
      const s = new PatternSearch<string>(false, true);
      for (const p of patterns) s.add(p, p);
      const text = word(rand(30));
      const expected = new Set(
        patterns.filter((p) => {
          for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) {
            const end = at + p.length;
            if (glued(p[0]) && glued(text[at - 1])) continue;
            if (glued(p[p.length - 1]) && glued(text[end])) continue;
            return true;
          }
          return false;
        }),
      );
      expect([...s.search(text)].sort()).toEqual([...expected].sort());
    }
  });
});
