import { describe, expect, it } from 'vitest';
import { jsonDiffLines, parseJsonBody, textDiffLines } from './diff-lines.js';

describe('jsonDiffLines', () => {
  it('marks the lines whose value differs, with the path the replay report writes', () => {
    const recorded = { items: [{ id: 1, price: 10 }], total: 10 };
    const actual = { items: [{ id: 1, price: 12 }], total: 12 };
    const changed = jsonDiffLines(recorded, actual).filter((l) => l.changed);
    expect(changed.map((l) => [l.path, l.text])).toEqual([
      ['$.items[0].price', '"price": 10'],
      ['$.total', '"total": 10'],
    ]);
  });

  it('marks a whole subtree the other side lacks, and odd keys are quoted in paths', () => {
    const lines = jsonDiffLines({ 'odd key': { a: 1 } }, {});
    expect(lines.filter((l) => l.changed).map((l) => l.path)).toEqual([
      "$['odd key']",
      "$['odd key'].a",
      "$['odd key']",
    ]);
  });
});

describe('textDiffLines', () => {
  it('marks only the lines outside the common subsequence', () => {
    const lines = textDiffLines('a\nb\nc\nd', 'a\nc\nd\ne');
    expect(lines.filter((l) => l.changed).map((l) => l.text)).toEqual(['b']);
  });
});

describe('parseJsonBody', () => {
  it('parses JSON and refuses an excerpt cut short', () => {
    expect(parseJsonBody(' {"a": 1} ')).toEqual({ value: { a: 1 } });
    expect(parseJsonBody('{"a": 1, "b": …')).toBeUndefined();
    expect(parseJsonBody('<html>')).toBeUndefined();
  });
});
