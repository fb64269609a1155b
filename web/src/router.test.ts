import { describe, expect, it } from 'vitest';
import { links, parseRoute, sectionOf } from './router.js';

describe('parseRoute', () => {
  it('reads every page the navigation and the links lead to', () => {
    expect(parseRoute('')).toEqual({ page: 'environments' });
    expect(parseRoute('#/')).toEqual({ page: 'environments' });
    expect(parseRoute('#/audit')).toEqual({ page: 'audit' });
    expect(parseRoute(links.parityReport(12))).toEqual({ page: 'parity-report', id: '12' });
    expect(parseRoute(links.syncReport(3))).toEqual({ page: 'sync-report', id: '3' });
    expect(parseRoute(links.replayReport(5))).toEqual({ page: 'replay-report', id: '5' });
  });

  it('decodes versions with characters a URL escapes', () => {
    const route = parseRoute(links.release('1.0.0+build.5'));
    expect(route).toEqual({ page: 'release', version: '1.0.0+build.5' });
    expect(sectionOf(route)).toBe('releases');
  });

  it('names an unknown address instead of guessing', () => {
    expect(parseRoute('#/nowhere/at/all')).toEqual({ page: 'not-found', path: '/nowhere/at/all' });
    expect(sectionOf(parseRoute('#/nowhere'))).toBeUndefined();
  });
});
