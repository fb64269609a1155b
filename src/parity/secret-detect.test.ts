import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hasUrlCredentials,
  isSecretKey,
  looksLikeSecretValue,
  sameSecret,
  shannonEntropy,
} from './secret-detect.js';

describe('isSecretKey', () => {
  it.each([
    'DB_PASSWORD',
    'db.password',
    'dbPassword',
    'SMTP_PASS',
    'PASSWD',
    'JWT_SECRET',
    'SECRET_KEY_BASE',
    'OAUTH_CLIENT_SECRET',
    'GITHUB_TOKEN',
    'authToken',
    'API_KEY',
    'apiKey',
    'APIKEY',
    'api_keys.1',
    'STRIPE_KEY',
    'PRIVATE_KEY',
    'TLS_KEY',
    'SESSION_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'BASIC_AUTH',
    'PROXY_AUTHORIZATION',
    'WEBHOOK_SIGNING_SECRET',
    'PASSWORD_SALT',
    'SENTRY_DSN',
  ])('%s is secret', (name) => {
    expect(isSecretKey(name)).toBe(true);
  });

  it.each([
    'LOG_LEVEL',
    'DATABASE_URL', // judged by its value: a password in the URL makes it secret
    'PORT',
    'hosts.0',
    'db.pool.max',
    'AWS_ACCESS_KEY_ID', // the id names a key; the secret half is AWS_SECRET_ACCESS_KEY
    'API_KEY_ID',
    'PRIVATE_KEY_PATH',
    'TOKEN_TTL',
    'SESSION_TTL_SECONDS',
    'PASSWORD_MIN_LENGTH',
    'JWT_EXPIRES_DAYS',
    'BCRYPT_ROUNDS',
    'SIGNING_ALGORITHM',
    'AUTH_ENABLED',
    'AUTH_PROVIDER',
    'PUBLIC_KEY',
    'STRIPE_PUBLISHABLE_KEY',
    'CACHE_KEY',
    'PWD',
  ])('%s is not secret', (name) => {
    expect(isSecretKey(name)).toBe(false);
  });
});

describe('looksLikeSecretValue', () => {
  it.each([
    [
      'a JWT',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['a Stripe secret key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a GitHub token', 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'],
    ['a PEM block', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----'],
    ['a URL with a password', 'postgres://app:s3cr3t@db.internal:5432/shop'],
    ['a URL with only a password', 'redis://:s3cr3t@cache:6379/0'],
    ['a long hex key', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['a base64 token', 'pX8Zq2LmR4vT9wKc7NbY3hJf5Gd1Se6U'],
    ['a lower-case random token', 'k3x9q2m7v1p8z4w6t5r0n2b7'],
  ])('flags %s', (_what, value) => {
    expect(looksLikeSecretValue(value)).toBe(true);
  });

  it.each([
    'info',
    'debug',
    '8080',
    '0.25',
    'true',
    'false',
    '30s',
    '',
    'db-01.eu-west-1.rds.amazonaws.com',
    'https://api.example.com/v1/orders?page=2',
    'postgres://app@db.internal:5432/shop',
    'redis://cache.internal:6379/0',
    '550e8400-e29b-41d4-a716-446655440000',
    '/var/lib/app/data',
    '/opt/app-v2/releases/20240101',
    'v2.3.1-rc.1',
    'MyAppProduction2024',
    'ShopApiServiceProduction01',
    'feature_flag_v2_enabled_2024',
    'sg-0f3a9c1e5b7d2a4c6',
    'noreply@example.com',
    'Europe/Berlin',
    '2024-01-01T00:00:00Z',
    'registry.example.com/shop/api:1.4.2',
    'Welcome to the staging shop, have fun',
  ])('does not flag %j', (value) => {
    expect(looksLikeSecretValue(value)).toBe(false);
  });

  it('flags nearly every random mixed-case token of 24 characters', () => {
    let flagged = 0;
    for (let i = 0; i < 200; i++) {
      const token = randomBytes(48).toString('base64').replace(/[+/=]/g, '').slice(0, 24);
      if (looksLikeSecretValue(token)) flagged++;
    }
    expect(flagged).toBeGreaterThan(180);
  });
});

describe('helpers', () => {
  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });

  it('sees credentials in URLs only with a password', () => {
    expect(hasUrlCredentials('amqp://guest:guest@rabbit')).toBe(true);
    expect(hasUrlCredentials('https://user@example.com')).toBe(false);
    expect(hasUrlCredentials('https://example.com/a:b@c')).toBe(false);
  });

  it('compares secrets by keyed hash', () => {
    const key = randomBytes(32);
    expect(sameSecret('hunter2', 'hunter2', key)).toBe(true);
    expect(sameSecret('hunter2', 'hunter3', key)).toBe(false);
  });
});
