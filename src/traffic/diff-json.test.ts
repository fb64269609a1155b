import { describe, expect, it } from 'vitest';
import { alignmentKey, diffJson } from './diff-json.js';
import { formatPath } from './diff-path.js';

const brief = (a: unknown, b: unknown): string[] =>
  diffJson(a, b).map((d) => `${d.kind} ${formatPath(d.segments)}`);

describe('diffJson', () => {
  it('finds changed, removed, added and retyped values with exact paths', () => {
    expect(
      brief(
        { a: 1, b: { c: 'x', d: true }, e: [1, 2], f: null },
        { a: 2, b: { c: 'x' }, e: [1, 2, 3], f: 'now', g: 0 },
      ),
    ).toEqual(['changed $.a', 'removed $.b.d', 'added $.e[2]', 'type $.f', 'added $.g']);
    expect(brief({ a: [1] }, { a: [1] })).toEqual([]);
    expect(brief(1, '1')).toEqual(['type $']);
  });

  it('aligns arrays by an id-like key: reordering is no difference, changes are reported at the recorded index', () => {
    const recorded = {
      items: [
        { id: 1, price: 10 },
        { id: 2, price: 20 },
        { id: 3, price: 30 },
      ],
    };
    const reordered = { items: [recorded.items[2], recorded.items[0], recorded.items[1]] };
    expect(brief(recorded, reordered)).toEqual([]);
    const changed = {
      items: [
        { id: 3, price: 30 },
        { id: 2, price: 25 },
        { id: 4, price: 40 },
      ],
    };
    expect(brief(recorded, changed)).toEqual([
      'removed $.items[0]',
      'changed $.items[1].price',
      'added $.items[2]',
    ]);
  });

  it('picks the first key present and unique in both arrays, else compares by index', () => {
    expect(alignmentKey([{ sku: 'a', id: 1 }], [{ sku: 'a', id: 1 }])).toBe('id');
    expect(alignmentKey([{ sku: 'a' }, { sku: 'b' }], [{ sku: 'b' }, { sku: 'a' }])).toBe('sku');
    expect(alignmentKey([{ order_id: 5 }], [{ order_id: 5 }])).toBe('order_id');
    // Not unique, not in every item, or shared by no item (fresh UUIDs): no key.
    expect(alignmentKey([{ id: 1 }, { id: 1 }], [{ id: 1 }])).toBeUndefined();
    expect(alignmentKey([{ id: 1 }, { name: 'x' }], [{ id: 1 }])).toBeUndefined();
    expect(alignmentKey([{ id: 'u1' }], [{ id: 'u2' }])).toBeUndefined();
    expect(alignmentKey([1, 2], [2, 1])).toBeUndefined();
    expect(brief(['a', 'b'], ['b', 'a'])).toEqual(['changed $[0]', 'changed $[1]']);
  });
});
