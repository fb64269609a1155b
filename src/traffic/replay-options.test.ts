import { describe, expect, it } from 'vitest';
import type { Config } from '../config/config-schema.js';
import { validateConfigText } from '../config/config-validate.js';
import { resolveReplay } from './replay-options.js';

const token = 'us_tok_mfrggzdfmztwq2lkmfrggzdfmy';

function config(replay = ''): Config {
  const text = `project: shop
environments:
  production: { url: "https://shop.example.com", protected: true }
  staging: { url: "http://127.0.0.1:4001" }
  local: {}
${replay}`;
  const result = validateConfigText(text, {
    file: 'understudy.yaml',
    env: { STAGING_TOKEN: 'st' },
  });
  expect(result.errors).toEqual([]);
  return result.config as Config;
}

describe('replay options', () => {
  it('uses the defaults when the config has no replay section', () => {
    const resolved = resolveReplay(config(), {});
    expect(resolved.target).toMatchObject({ name: 'staging', protected: false });
    expect(resolved.target.url.origin).toBe('http://127.0.0.1:4001');
    expect(resolved).toMatchObject({
      concurrency: 16,
      timeoutMs: 10_000,
      headers: ['content-type'],
      ignore: [],
      maxRegressions: 0,
      latency: { slowerBy: 25, minMs: 5, fail: false },
    });
    expect(resolved.policy).toMatchObject({ unsafeDefault: 'skip', targetHost: '127.0.0.1:4001' });
  });

  it('reads the section, and flags win over it', () => {
    const resolved = resolveReplay(
      config(`traffic:
  replay:
    concurrency: 4
    timeout: 2s
    headers: [Content-Type, ETag]
    ignore: ["$.meta.generatedAt"]
    exclude: ["* /admin/**"]
    unsafeRoutes: { "POST /api/search": send }
    credentials:
      - { token: "${token}", value: "\${STAGING_TOKEN}" }
      - { header: Authorization, value: "Bearer \${STAGING_TOKEN}" }
    latency: { slowerBy: 50, fail: true }
`),
      { concurrency: 8, timeout: '500ms', rate: 100, speed: 2 },
    );
    expect(resolved).toMatchObject({ concurrency: 8, timeoutMs: 500, rate: 100, speed: 2 });
    expect(resolved.headers).toEqual(['content-type', 'etag']);
    expect(resolved.latency).toEqual({ slowerBy: 50, minMs: 5, fail: true });
    expect(resolved.policy.credentials.tokens.get(token)).toBe('st');
    expect(resolved.policy.credentials.headers.get('authorization')).toBe('Bearer st');
    expect(resolved.policy.exclude[0]?.('GET', '/admin/users?x=1')).toBe(true);
    expect(resolved.policy.unsafeRoutes[0]?.match('POST', '/api/search')).toBe(true);
  });

  it('takes a URL, keeping the protection of the environment it belongs to', () => {
    const prod = resolveReplay(config(), { target: 'https://shop.example.com/any/path' });
    expect(prod.target).toMatchObject({ name: 'https://shop.example.com', protected: true });
    expect(prod.policy.targetProtected).toBe(true);
    expect(resolveReplay(config(), { target: 'http://127.0.0.1:9' }).target.protected).toBe(false);
  });

  it('refuses unknown environments, environments without a URL and a baseline that is the target', () => {
    expect(() => resolveReplay(config(), { target: 'qa' })).toThrow(
      '--target: no environment named "qa"',
    );
    expect(() => resolveReplay(config(), { target: 'local' })).toThrow(
      'environment "local" has no url',
    );
    expect(() => resolveReplay(config(), { baseline: 'http://127.0.0.1:4001' })).toThrow(
      'the baseline is the target itself',
    );
    expect(() => resolveReplay(config(), { timeout: 'soon' })).toThrow(
      '--timeout: "soon" is not a duration',
    );
  });
});
