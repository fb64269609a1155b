import { describe, expect, it } from 'vitest';
import { activeFreeze } from './freeze.js';

// Fridays 16:00 in Berlin for 64 hours: until Monday 08:00.
const weekend = {
  cron: '0 16 * * FRI',
  duration: '64h',
  timezone: 'Europe/Berlin',
  reason: 'weekend',
};

describe('freeze windows', () => {
  it('is frozen from the cron time, in its time zone, for the duration', () => {
    // 2026-11-20 is a Friday; Berlin is UTC+1 in November.
    expect(activeFreeze([weekend], new Date('2026-11-20T14:59:00Z'))).toBeUndefined();
    const friday = activeFreeze([weekend], new Date('2026-11-20T15:00:00Z'));
    expect(friday).toMatchObject({ reason: 'weekend' });
    expect(friday?.from.toISOString()).toBe('2026-11-20T15:00:00.000Z');
    expect(friday?.until.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(activeFreeze([weekend], new Date('2026-11-22T12:00:00Z'))?.window).toBe(
      '0 16 * * FRI for 64h (Europe/Berlin)',
    );
    expect(activeFreeze([weekend], new Date('2026-11-23T07:00:00Z'))).toBeUndefined();
  });

  it('follows daylight saving time: 16:00 in Berlin is 14:00 UTC in summer', () => {
    expect(activeFreeze([weekend], new Date('2026-07-03T13:59:00Z'))).toBeUndefined();
    expect(activeFreeze([weekend], new Date('2026-07-03T14:00:00Z'))).toBeDefined();
  });

  it('takes one-off windows, and of several the one that lasts longest', () => {
    const launch = {
      from: '2026-11-21T00:00:00Z',
      until: '2026-11-24T00:00:00Z',
      reason: 'launch',
    };
    expect(activeFreeze([launch], new Date('2026-11-20T23:59:59Z'))).toBeUndefined();
    expect(activeFreeze([launch], new Date('2026-11-21T00:00:00Z'))?.reason).toBe('launch');
    expect(activeFreeze([launch], new Date('2026-11-24T00:00:00Z'))).toBeUndefined();
    expect(activeFreeze([weekend, launch], new Date('2026-11-22T00:00:00Z'))?.reason).toBe(
      'launch',
    );
  });
});
