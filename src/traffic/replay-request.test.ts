import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from './capture-format.js';
import { buildRequest, skipReason, type ReplayPolicy } from './replay-request.js';
import { compileRoutePattern } from './route-template.js';

const alice = 'us_tok_mfrggzdfmztwq2lkmfrggzdfmy';
const bob = 'us_tok_nbswy3dpeb3w64tmmqqho33snq';
const policy: ReplayPolicy = {
  exclude: [compileRoutePattern('* /admin/**')],
  unsafeDefault: 'skip',
  unsafeRoutes: [{ match: compileRoutePattern('POST /api/search'), value: 'send' }],
  targetProtected: false,
  targetHost: '127.0.0.1:4001',
  credentials: {
    tokens: new Map([[alice, 'staging-alice']]),
    headers: new Map([['authorization', 'Bearer staging-default']]),
  },
};
const record = (
  method: string,
  url: string,
  extra: Partial<CaptureRecord['request']> = {},
): CaptureRecord => ({
  type: 'exchange',
  id: '1',
  session: 's',
  startedAt: '2026-11-21T10:15:00.000Z',
  durationMs: 3,
  request: { method, url, httpVersion: '1.1', headers: [], ...extra },
  response: { status: 200, headers: [] },
  redactions: [],
});

describe('which requests are sent', () => {
  it('skips excluded routes, unanswered exchanges, unsafe methods by policy and cut bodies, saying why', () => {
    expect(skipReason(record('GET', '/admin/users'), policy)).toBe('excluded route');
    expect(skipReason({ ...record('GET', '/x'), response: undefined }, policy)).toBe(
      'not answered when recorded',
    );
    expect(skipReason(record('POST', '/api/orders'), policy)).toBe(
      'unsafe method POST (policy: skip)',
    );
    expect(skipReason(record('POST', '/api/search'), policy)).toBeUndefined();
    expect(skipReason(record('POST', '/api/search'), { ...policy, targetProtected: true })).toBe(
      'unsafe method POST: the target is protected',
    );
    expect(
      skipReason(record('DELETE', '/x'), { ...policy, unsafeDefault: 'send' }),
    ).toBeUndefined();
    const cut = record('GET', '/x', {
      body: { encoding: 'utf8', data: 'ab', size: 9, truncated: true },
    });
    expect(skipReason(cut, policy)).toBe('request body cut at the capture cap');
    expect(skipReason(record('GET', '/x'), policy)).toBeUndefined();
  });
});

describe('how requests are rewritten', () => {
  it('sets the target host, drops hop-by-hop headers and encodings, maps credentials', () => {
    const built = buildRequest(
      record('POST', `/api/search?key=${alice}`, {
        headers: [
          ['host', 'shop.example.com'],
          ['connection', 'keep-alive'],
          ['accept-encoding', 'gzip'],
          ['content-length', '99'],
          ['authorization', `Bearer ${alice}`],
          ['cookie', `session=${bob}`],
          ['x-request-id', 'r1'],
        ],
        body: { encoding: 'utf8', data: `{"token":"${alice}"}`, size: 10, truncated: false },
      }),
      policy,
    );
    expect(built.method).toBe('POST');
    expect(built.path).toBe('/api/search?key=staging-alice');
    expect(built.headers).toEqual([
      'host',
      '127.0.0.1:4001',
      'authorization',
      'Bearer staging-alice',
      'cookie',
      `session=${bob}`,
      'x-request-id',
      'r1',
    ]);
    expect(built.body?.toString()).toBe('{"token":"staging-alice"}');
    // Bob's cookie has no rule: it is sent as recorded and the run says so.
    expect(built.unmappedToken).toBe(true);
  });

  it('falls back to the header rule for tokens no token rule maps', () => {
    const built = buildRequest(
      record('GET', '/me', { headers: [['authorization', `Bearer ${bob}`]] }),
      policy,
    );
    expect(built.headers).toEqual([
      'host',
      '127.0.0.1:4001',
      'authorization',
      'Bearer staging-default',
    ]);
    expect(built.unmappedToken).toBe(false);
    const binary = buildRequest(
      record('PUT', 'http://shop.example.com/blob?x=1', {
        body: { encoding: 'base64', data: 'AQID', size: 3, truncated: false },
      }),
      policy,
    );
    expect(binary.path).toBe('/blob?x=1');
    expect([...(binary.body ?? [])]).toEqual([1, 2, 3]);
  });
});
