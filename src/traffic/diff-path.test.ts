import { describe, expect, it } from 'vitest';
import { formatPath, generalPath, generalWithin, parseJsonPath, pathWithin } from './diff-path.js';

describe('JSON paths', () => {
  it('are written exactly and generalised with [*]', () => {
    expect(formatPath(['items', 3, 'price'])).toBe('$.items[3].price');
    expect(generalPath(['items', 3, 'price'])).toBe('$.items[*].price');
    expect(formatPath(['odd key', "it's"])).toBe("$['odd key']['it\\'s']");
    expect(formatPath([])).toBe('$');
  });

  it('parse the config grammar and refuse anything else', () => {
    expect(parseJsonPath('$.items[*].etag')).toEqual([
      { key: 'items' },
      { anyIndex: true },
      { key: 'etag' },
    ]);
    expect(parseJsonPath("$['a b'].*[2]")).toEqual([
      { key: 'a b' },
      { anyKey: true },
      { index: 2 },
    ]);
    expect(parseJsonPath('items.etag')).toBeUndefined();
    expect(parseJsonPath('$.items[')).toBeUndefined();
  });

  it('match by whole segments, the path itself or what lies inside it, never by substring', () => {
    const meta = parseJsonPath('$.meta') ?? [];
    expect(pathWithin(meta, ['meta', 'generatedAt'])).toBe(true);
    expect(pathWithin(meta, ['metadata'])).toBe(false);
    const etag = parseJsonPath('$.items[*].etag') ?? [];
    expect(pathWithin(etag, ['items', 4, 'etag'])).toBe(true);
    expect(pathWithin(etag, ['items', 'x', 'etag'])).toBe(false);
    expect(pathWithin(etag, ['items', 4, 'etags'])).toBe(false);
    expect(pathWithin(etag, ['items', 4])).toBe(false);
    expect(generalWithin('$.a', '$.a.b')).toBe(true);
    expect(generalWithin('$.a', '$.a[*]')).toBe(true);
    expect(generalWithin('$.a', '$.ab')).toBe(false);
    expect(generalWithin('status', 'status')).toBe(true);
  });
});
