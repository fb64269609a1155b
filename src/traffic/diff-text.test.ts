import { describe, expect, it } from 'vitest';
import { describeText, diffText } from './diff-text.js';

describe('diffText', () => {
  it('summarises lines removed and added and the first difference', () => {
    const diff = diffText('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
    expect(diff).toMatchObject({ removed: 1, added: 2, line: 2, volatileOnly: false });
    expect(describeText(diff!)).toBe('-1 +2 lines, first at line 2: "b" → "B"');
    expect(diffText('same', 'same')).toBeUndefined();
  });

  it('tells texts that differ only in volatile values', () => {
    const page = (token: string, at: string): string =>
      `<html>\n<input name="csrf" value="${token}">\n<footer>${at}</footer>\n</html>`;
    const diff = diffText(
      page('Zk3q9XwPl2mN7vB4tR8yU1cE', '2026-11-21T10:15:00Z'),
      page('Qa8s7DfG6hJ5kL4zX3cV2bN1', '2026-11-22T08:00:01.123Z'),
    );
    expect(diff?.volatileOnly).toBe(true);
    expect(diffText('price: 10\n', 'price: 12\n')?.volatileOnly).toBe(false);
  });
});
