import { describe, expect, it } from 'vitest';
import { formatBytes, formatScore, formatSubject, scoreTone, timeAgo } from './format.js';

describe('format', () => {
  it('never rounds drift up to a perfect score', () => {
    expect(formatScore(0.9996)).toBe('99.9 %');
    expect(formatScore(1)).toBe('100 %');
    expect(formatScore(null)).toBe('n/a');
    expect([scoreTone(0.99), scoreTone(0.85), scoreTone(0.5), scoreTone(null)]).toEqual([
      'good',
      'warn',
      'bad',
      'neutral',
    ]);
  });

  it('writes times relative to now, sizes and subjects as people read them', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(timeAgo('2026-11-21T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-11-21T12:20:00Z', now)).toBe('in 20 min');
    expect(timeAgo('2026-11-21T11:59:50Z', now)).toBe('just now');
    expect(formatBytes(436_000)).toBe('436 kB');
    expect(formatSubject('staging~production')).toBe('staging vs production');
  });
});
