import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads the forms people write', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h30m')).toBe(9_000_000);
    expect(parseDuration('64h')).toBe(64 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('250ms')).toBe(250);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['', '5', 'five minutes', '5 m', '-5m', '0s', '5y'])
      expect(parseDuration(bad)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('keeps the two largest units', () => {
    expect(formatDuration(9_000_000)).toBe('2h 30m');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(120)).toBe('120ms');
  });
});
