import { describe, expect, it } from 'vitest';
import { binariesAvailable } from '../../src/postgres/local-server.js';
import { createNorthwind, startPostgres } from './postgres.js';

describe('test harness', () => {
  it('runs a "production" and a "staging" server side by side, each with its own data', async () => {
    const [production, staging] = await Promise.all([startPostgres(), startPostgres()]);
    try {
      expect(production.port).not.toBe(staging.port);
      const prodDb = await createNorthwind(production);
      const stagingDb = await staging.createDatabase();
      const [prodCount] = await production.query<{ n: string }>(
        prodDb,
        'SELECT count(*) AS n FROM customers',
      );
      expect(Number(prodCount?.n)).toBe(91);
      await expect(staging.query(stagingDb, 'SELECT count(*) FROM customers')).rejects.toThrow(
        /does not exist/,
      );
    } finally {
      await Promise.all([production.stop(), staging.stop()]);
    }
  });

  it.runIf(binariesAvailable('system'))(
    'starts a server from the system binaries too',
    async () => {
      const server = await startPostgres({ binaries: 'system' });
      try {
        const [row] = await server.query<{ v: string }>(
          server.url,
          "SELECT current_setting('server_version') AS v",
        );
        expect(row?.v).toMatch(/^\d+/);
        expect(server.binaries).toBe('system');
      } finally {
        await server.stop();
      }
    },
  );

  it('removes the data directory when stopped', async () => {
    const { existsSync } = await import('node:fs');
    const server = await startPostgres();
    expect(existsSync(server.dataDir)).toBe(true);
    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
    await server.stop();
  });
});
