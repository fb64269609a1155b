import { describe, expect, it } from 'vitest';
import { judgeDataAge } from './data-age-probe.js';

const now = new Date('2026-11-21T12:00:00Z');
const day = 86_400_000;

describe('judgeDataAge', () => {
  it('is skipped, saying why, without a configured maximum', () => {
    expect(
      judgeDataAge({ env: 'staging', maxAgeMs: undefined, lastSync: undefined, now }),
    ).toMatchObject({
      status: 'skipped',
      reason: 'no maximum data age is set (parity.maxDataAge)',
    });
  });

  it('passes young data and flags old or never-synced data as breaking', () => {
    expect(
      judgeDataAge({
        env: 'staging',
        maxAgeMs: 7 * day,
        lastSync: new Date(now.getTime() - day),
        now,
      }).differences,
    ).toEqual([]);
    const old = judgeDataAge({
      env: 'staging',
      maxAgeMs: 7 * day,
      lastSync: new Date(now.getTime() - 9 * day),
      now,
    });
    expect(old.differences[0]).toMatchObject({
      path: 'data-age:staging',
      severity: 'breaking',
      envValue: '9d old',
      againstValue: 'at most 7d old',
    });
    const never = judgeDataAge({ env: 'staging', maxAgeMs: 7 * day, lastSync: undefined, now });
    expect(never.differences[0]).toMatchObject({
      kind: 'missing',
      note: 'no masked sync into staging has been recorded',
    });
  });
});
