import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../config/config-schema.js';
import { freePort } from '../postgres/local-server.js';
import { resolveUrl, runVersionsProbe } from './versions-probe.js';

const environment = (overrides: Partial<EnvironmentConfig>): EnvironmentConfig => ({
  config: [],
  protected: false,
  ...overrides,
});

describe('runVersionsProbe', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/prod/version') res.end(JSON.stringify({ build: { commit: '41d07e3' } }));
      else if (req.url === '/staging/version')
        res.end(JSON.stringify({ build: { commit: '9f1c2ab' } }));
      else if (req.url === '/same/version')
        res.end(JSON.stringify({ build: { commit: '41d07e3' } }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a JSON field from each environment and reports the difference as a notice', async () => {
    const version = { http: '/version', field: 'build.commit' };
    const result = await runVersionsProbe({
      env: { name: 'staging', config: environment({ url: `${base}/staging`, version }) },
      against: { name: 'production', config: environment({ url: `${base}/prod`, version }) },
      dir: process.cwd(),
    });
    expect(result.status).toBe('compared');
    expect(result.differences).toEqual([
      expect.objectContaining({
        path: 'versions:deployed',
        kind: 'changed',
        severity: 'notice',
        envValue: '9f1c2ab',
        againstValue: '41d07e3',
      }),
    ]);
    expect(result.facts).toMatchObject({ staging: '9f1c2ab', production: '41d07e3' });
  });

  it('finds nothing when both run the same version, one read by command', async () => {
    const result = await runVersionsProbe({
      env: { name: 'staging', config: environment({ version: { command: 'echo 41d07e3' } }) },
      against: {
        name: 'production',
        config: environment({
          url: `${base}/same`,
          version: { http: '/version', field: 'build.commit' },
        }),
      },
      dir: process.cwd(),
    });
    expect(result).toMatchObject({ status: 'compared', compared: 1, differences: [] });
  });

  it('is skipped naming the environment without a version source, and fails naming an unreachable one', async () => {
    const skipped = await runVersionsProbe({
      env: { name: 'staging', config: environment({}) },
      against: { name: 'production', config: environment({ version: { command: 'echo 1' } }) },
      dir: process.cwd(),
    });
    expect(skipped).toMatchObject({
      status: 'skipped',
      reason: 'staging has no version source (environments.NAME.version)',
    });
    const port = await freePort();
    const failed = await runVersionsProbe({
      env: { name: 'staging', config: environment({ version: { command: 'echo 1' } }) },
      against: {
        name: 'production',
        config: environment({ version: { http: `http://127.0.0.1:${port}/version`, field: 'v' } }),
      },
      dir: process.cwd(),
    });
    expect(failed).toMatchObject({ status: 'failed', unreachable: true });
    expect(failed.reason).toContain(
      `cannot reach production's version endpoint http://127.0.0.1:${port}/version`,
    );
  });

  it('appends paths to the environment URL, keeping its path prefix', () => {
    expect(resolveUrl('p', environment({ url: 'https://x.example/app/' }), '/version')).toBe(
      'https://x.example/app/version',
    );
    expect(resolveUrl('p', environment({}), 'http://other/v')).toBe('http://other/v');
    expect(() => resolveUrl('p', environment({}), '/v')).toThrow(/p has no url/);
  });
});
