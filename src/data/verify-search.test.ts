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
});
