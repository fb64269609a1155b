import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { diffConfig } from './config-diff.js';
import type { ConfigValues } from './config-parse.js';

const secretKey = randomBytes(32);
const values = (entries: Record<string, string>, secretKeys: string[] = []): ConfigValues => ({
  values: new Map(Object.entries(entries)),
  secretKeys: new Set(secretKeys),
});

describe('diffConfig', () => {
  it('reports missing, extra and changed plain keys with their severities', () => {
    const diff = diffConfig(
      values({ LOG_LEVEL: 'debug', PORT: '8080', STAGING_BANNER: 'on' }),
      values({ LOG_LEVEL: 'info', PORT: '8080', CDN_URL: 'https://cdn.example.com' }),
      { secretKey },
    );
    expect(diff.compared).toBe(4);
    expect(diff.differences).toEqual([
      {
        probe: 'config',
        path: 'config:CDN_URL',
        kind: 'missing',
        severity: 'breaking',
        againstValue: 'https://cdn.example.com',
      },
      {
        probe: 'config',
        path: 'config:LOG_LEVEL',
        kind: 'changed',
        severity: 'breaking',
        envValue: 'debug',
        againstValue: 'info',
      },
      {
        probe: 'config',
        path: 'config:STAGING_BANNER',
        kind: 'extra',
        severity: 'notice',
        envValue: 'on',
      },
    ]);
  });

  it('compares secrets without ever carrying their values', () => {
    const env = values({
      DB_PASSWORD: 'staging-pw-1',
      DATABASE_URL: 'postgres://app:staging-pw-1@db-staging/shop',
      K8S_VALUE: 'plain-looking',
      STAGING_ONLY_TOKEN: 'tok-staging',
    });
    const against = values(
      {
        DB_PASSWORD: 'prod-pw-9',
        DATABASE_URL: 'postgres://app:prod-pw-9@db-prod/shop',
        K8S_VALUE: 'other',
        STRIPE_KEY: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      },
      ['K8S_VALUE'],
    );
    const diff = diffConfig(env, against, { secretKey });
    expect(diff.secrets).toBe(5);
    expect(diff.differences.map((d) => [d.path, d.kind, d.severity, d.secret])).toEqual([
      ['config:DATABASE_URL', 'changed', 'notice', true],
      ['config:DB_PASSWORD', 'changed', 'notice', true],
      ['config:K8S_VALUE', 'changed', 'notice', true],
      ['config:STAGING_ONLY_TOKEN', 'extra', 'notice', true],
      ['config:STRIPE_KEY', 'missing', 'breaking', true],
    ]);
    const text = JSON.stringify(diff);
    for (const secret of [
      'staging-pw-1',
      'prod-pw-9',
      'plain-looking',
      'other',
      'tok-staging',
      'sk_live',
    ])
      expect(text).not.toContain(secret);
    for (const d of diff.differences) expect(Object.keys(d)).not.toContain('envValue');
  });

  it('reports a production credential reused in staging as breaking', () => {
    const diff = diffConfig(
      values({ API_TOKEN: 'same-token-value', FEATURE_TOKEN: 'none' }),
      values({ API_TOKEN: 'same-token-value', FEATURE_TOKEN: 'none' }),
      { secretKey, names: { env: 'stage', against: 'prod' } },
    );
    expect(diff.differences).toEqual([
      {
        probe: 'config',
        path: 'config:API_TOKEN',
        kind: 'shared',
        severity: 'breaking',
        secret: true,
        note: 'stage uses the same secret value as prod: a prod credential in stage',
      },
    ]);
    expect(JSON.stringify(diff)).not.toContain('same-token-value');
  });

  it('finds nothing when both sides are equal', () => {
    const same = values({ A: '1', DB_PASSWORD: '' });
    expect(diffConfig(same, same, { secretKey })).toEqual({
      compared: 2,
      secrets: 1,
      differences: [],
    });
  });
});
