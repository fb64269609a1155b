/** Real PostgreSQL for a test file: `usePostgres()` plus the server helpers of `test-server.ts`. */
import { afterAll, beforeAll } from 'vitest';
import type { LocalServerOptions } from '../../src/postgres/local-server.js';
import { startPostgres, type TestServer } from './test-server.js';

export * from './test-server.js';

/**
 * Starts a server before the file's tests and stops it after. Use inside `describe` or at the top
 * level: `const pg = usePostgres(); … pg().createDatabase()`.
 */
export function usePostgres(options: LocalServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startPostgres(options);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined)
      throw new Error('usePostgres(): the server is used before beforeAll ran');
    return server;
  };
}
