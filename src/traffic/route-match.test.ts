import { describe, expect, it } from 'vitest';
import { compileRoute, compileRouteFilter } from './route-match.js';
import { createSampler } from './record-sampling.js';

describe('compileRoute', () => {
  it('matches a method (optional) and a path where * is one segment and ** any number', () => {
    const api = compileRoute('GET /api/**');
    expect(api('GET', '/api')).toBe(true);
    expect(api('get', '/api/orders/7/lines')).toBe(true);
    expect(api('POST', '/api/orders')).toBe(false);
    expect(api('GET', '/apis')).toBe(false);

    const one = compileRoute('/orders/*');
    expect(one('DELETE', '/orders/7')).toBe(true);
    expect(one('GET', '/orders/7/lines')).toBe(false);
    expect(one('GET', '/orders')).toBe(false);

    expect(compileRoute('GET,HEAD /files/*.json')('HEAD', '/files/a.json')).toBe(true);
    expect(compileRoute('GET,HEAD /files/*.json')('GET', '/files/a.txt')).toBe(false);
    expect(compileRoute('/a/**/z')('GET', '/a/b/c/z')).toBe(true);
    expect(compileRoute('/a/**/z')('GET', '/a/z')).toBe(true);
    expect(compileRoute('GET /users/{id}/orders')('GET', '/users/7/orders')).toBe(true);
    expect(compileRoute('GET /users/{id}/orders')('GET', '/users//orders')).toBe(false);
  });

  it('refuses a pattern without a path', () => {
    expect(() => compileRoute('GET api')).toThrow(/not a route pattern/);
  });
});

describe('compileRouteFilter', () => {
  it('keeps included routes minus excluded ones; everything when nothing is listed', () => {
    const filter = compileRouteFilter({ include: ['/api/**'], exclude: ['GET /api/health'] });
    expect(filter('GET', '/api/x')).toBe(true);
    expect(filter('GET', '/api/health')).toBe(false);
    expect(filter('POST', '/api/health')).toBe(true);
    expect(filter('GET', '/web')).toBe(false);
    expect(compileRouteFilter({})('GET', '/anything')).toBe(true);
  });
});

describe('createSampler', () => {
  it('decides per session: the same key always gets the same answer, about percent of keys are kept', () => {
    const sampler = createSampler({ percent: 25 });
    let kept = 0;
    for (let i = 0; i < 4000; i++) {
      const decision = sampler.keep('GET', '/', `user-${i}`);
      expect(sampler.keep('GET', '/', `user-${i}`)).toBe(decision);
      if (decision) kept++;
    }
    expect(kept / 4000).toBeGreaterThan(0.21);
    expect(kept / 4000).toBeLessThan(0.29);
  });

  it('takes the session from the named header or cookie, else the client address', () => {
    const byHeader = createSampler({ by: 'X-Session' });
    expect(byHeader.sessionKey(['X-Session', 'abc'], '10.0.0.1')).toBe('abc');
    expect(byHeader.sessionKey([], '10.0.0.1')).toBe('10.0.0.1');
    const byCookie = createSampler({ by: 'cookie:sid' });
    expect(byCookie.sessionKey(['Cookie', 'a=1; sid=s-9'], '10.0.0.1')).toBe('s-9');
    expect(byCookie.sessionKey(['Cookie', 'a=1'], '10.0.0.1')).toBe('10.0.0.1');
    expect(createSampler({}).sessionKey(['X-Session', 'abc'], '10.0.0.1')).toBe('10.0.0.1');
  });
});
