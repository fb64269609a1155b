/**
 * Real PostgreSQL servers for tests. Each call starts a fresh server in a temporary directory on a
 * free loopback port (embedded binaries by default; `UNDERSTUDY_PG_BINARIES=system` for the
 * system's). Free of Vitest, so benchmarks and scripts use it too; `postgres.ts` adds
 * `usePostgres()`, which ties one to a test file's lifetime.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  startLocalServer,
  type LocalServer,
  type LocalServerOptions,
} from '../../src/postgres/local-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const repoRoot = path.resolve(here, '..', '..');
/** The shared fixtures folder beside the project (`../shared/fixtures`). */
export const sharedFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures');

export interface TestServer extends LocalServer {
  /** Creates a new, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs SQL (several statements allowed) against a database URL. */
  exec(url: string, sql: string): Promise<void>;
  /** Runs one query and returns its rows. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    url: string,
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
}

let counter = 0;

/** Starts a server; the caller stops it. */
export async function startPostgres(options: LocalServerOptions = {}): Promise<TestServer> {
  const server = await startLocalServer({ name: 'understudy-test-pg', ...options });
  const exec = async (url: string, sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    // A session ended by the server (a sync's swap) also emits 'error'; the awaited call reports it.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const query = async <T extends pg.QueryResultRow>(
    url: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    // A session ended by the server (a sync's swap) also emits 'error'; the awaited call reports it.
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    ...server,
    stop: () => server.stop(),
    urlFor: (db) => server.urlFor(db),
    exec,
    query,
    async createDatabase(name) {
      const db = name ?? `t_${process.pid}_${++counter}`;
      await exec(server.url, `CREATE DATABASE "${db}"`);
      return server.urlFor(db);
    },
  };
}

/** Reads a SQL file from the shared fixtures (`northwind.sql`) or from `test/fixtures`. */
export async function readFixture(name: string): Promise<string> {
  const local = path.join(repoRoot, 'test', 'fixtures', name);
  try {
    return await readFile(local, 'utf8');
  } catch {
    return readFile(path.join(sharedFixtures, name), 'utf8');
  }
}

/** A new database on `server` loaded with the Northwind sample. */
export async function createNorthwind(server: TestServer): Promise<string> {
  const url = await server.createDatabase();
  await server.exec(url, await readFixture('northwind.sql'));
  return url;
}
