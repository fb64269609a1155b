import { randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfigProbe, type ConfigProbeEnvironment } from '../../src/parity/config-probe.js';
import type { ConfigSource } from '../../src/parity/config-sources.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/parity/config');
const secretKey = randomBytes(32);

// The secrets of the fixtures, in every form they take in the files.
const secrets = [
  'Pr0d-Db-Passw0rd-7f3K',
  'UHIwZC1EYi1QYXNzdzByZC03ZjNL',
  'St4ging-Db-Passw0rd-q2',
  'U3Q0Z2luZy1EYi1QYXNzdzByZC1xMg==',
  'Hunter2-never-printed',
];

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/internal/config') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ rateLimit: { perMinute: 600, burst: 50 } }));
    } else if (req.url === '/broken') {
      res.end('{"rateLimit": {"perMinute": 600,}}');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The sources one environment declares: every kind, in the order understudy.yaml would list them. */
function sourcesOf(name: 'production' | 'staging'): ConfigSource[] {
  return [
    { dotenv: `${name}/app.env` },
    { json: `${name}/settings.json`, pointer: '/shop' },
    { yaml: `${name}/features.yaml` },
    { kubernetes: `${name}/k8s.yaml` },
    { command: `printf 'WORKER_CONCURRENCY=4\\nQUEUE_NAME="orders"\\n'` },
    { command: `node -e "console.log(JSON.stringify({ build: { channel: 'stable' } }))"` },
    // A path on the environment's url, and the same endpoint as a full URL.
    name === 'production' ? { http: '/internal/config' } : { http: `${baseUrl}/internal/config` },
  ];
}

const side = (
  name: 'production' | 'staging',
  sources = sourcesOf(name),
): ConfigProbeEnvironment => ({
  name,
  sources,
  baseUrl,
});

describe('config probe', () => {
  it('reports a missing key, a changed value, a changed secret and a to-be-allowed change — exactly', async () => {
    const result = await runConfigProbe({
      env: side('staging'),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result.status).toBe('compared');
    expect(result.differences).toEqual([
      {
        probe: 'config',
        path: 'config:CDN_URL',
        kind: 'missing',
        severity: 'breaking',
        againstValue: 'https://cdn.shop.example.com',
      },
      {
        probe: 'config',
        path: 'config:DB_PASSWORD',
        kind: 'changed',
        severity: 'notice',
        secret: true,
        note: 'secret values differ (compared by keyed hash); separate credentials per environment are expected',
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
        path: 'config:db.pool.max',
        kind: 'changed',
        severity: 'breaking',
        envValue: '5',
        againstValue: '20',
      },
    ]);
    expect(result.facts).toEqual({ envKeys: 28, againstKeys: 29, secretKeys: 2 });
    expect(result.compared).toBe(29);
    const text = JSON.stringify(result);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('reports a production credential reused in staging, and nothing else, for identical sources', async () => {
    const result = await runConfigProbe({
      env: side('staging'),
      against: { ...side('staging'), name: 'production' },
      dir,
      secretKey,
    });
    expect(result.differences).toEqual([
      {
        probe: 'config',
        path: 'config:DB_PASSWORD',
        kind: 'shared',
        severity: 'breaking',
        secret: true,
        note: 'staging uses the same secret value as production: a production credential in staging',
      },
    ]);
    expect(result.compared).toBe(28);
    expect(JSON.stringify(result)).not.toContain('St4ging');
  });

  it('is skipped, naming the environment, when one declares no sources', async () => {
    const result = await runConfigProbe({
      env: side('staging', []),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result).toMatchObject({
      status: 'skipped',
      reason: 'staging declares no config sources (environments.staging.config)',
      compared: 0,
    });
  });

  it('fails naming file and line when a dotenv file does not parse, without its value', async () => {
    const result = await runConfigProbe({
      env: side('staging', [
        { dotenv: 'staging/app.env' },
        { dotenv: 'broken/unclosed-quote.env' },
      ]),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result).toMatchObject({
      status: 'failed',
      unreachable: false,
      reason:
        'staging: broken/unclosed-quote.env:4:15: SMTP_PASSWORD: the double-quoted value is never closed',
    });
    expect(JSON.stringify(result)).not.toContain('Hunter2');
  });

  it('fails naming file and line when a YAML file does not parse', async () => {
    // Written here, not kept as a fixture: the repository's formatter would reject the file.
    const tmp = await mkdtemp(path.join(tmpdir(), 'understudy-config-'));
    const file = path.join(tmp, 'features.yaml');
    await writeFile(file, 'search:\n  engine: opensearch\n  placeholder: Search: all products\n');
    try {
      const result = await runConfigProbe({
        env: side('staging'),
        against: side('production', [{ yaml: file }]),
        dir,
        secretKey,
      });
      expect(result).toMatchObject({
        status: 'failed',
        reason: `production: ${file}:3:16: invalid YAML: Nested mappings are not allowed in compact mappings`,
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('fails naming the file when a source file does not exist', async () => {
    const result = await runConfigProbe({
      env: side('staging', [{ json: 'staging/nope.json' }]),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result.reason).toBe('staging: staging/nope.json: file not found');
  });

  it('fails with the exit code and stderr of a failing command', async () => {
    const result = await runConfigProbe({
      env: side('staging', [
        { command: `node -e "console.error('vault: permission denied'); process.exit(3)"` },
      ]),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result.status).toBe('failed');
    expect(result.reason).toMatch(
      /^staging: command `.*` exited with code 3: vault: permission denied$/,
    );
  });

  it('stops a command that runs too long', async () => {
    const result = await runConfigProbe({
      env: side('staging', [{ command: 'sleep 20' }]),
      against: side('production'),
      dir,
      secretKey,
      commandTimeoutMs: 300,
    });
    expect(result.reason).toBe('staging: command `sleep 20` did not finish within 0.3 s');
  });

  it('fails as unreachable, naming the URL, when an http source cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runConfigProbe({
      env: side('staging', [{ http: `http://127.0.0.1:${port}/internal/config` }]),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result).toMatchObject({ status: 'failed', unreachable: true });
    expect(result.reason).toBe(
      `staging: GET http://127.0.0.1:${port}/internal/config: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('fails naming the URL and position when an http source answers broken JSON', async () => {
    const result = await runConfigProbe({
      env: side('staging', [{ http: '/broken' }]),
      against: side('production'),
      dir,
      secretKey,
    });
    expect(result).toMatchObject({
      status: 'failed',
      unreachable: false,
      reason: `staging: ${baseUrl}/broken:1:33: invalid JSON: expected a double-quoted property name`,
    });
  });
});
