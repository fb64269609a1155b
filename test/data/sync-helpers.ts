/** Shared helpers of the sync engine tests: a loaded source, table contents, the test masker. */
import path from 'node:path';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import { connect } from '../../src/postgres/connection.js';
import { serializeSchemaModel } from '../../src/postgres/schema-model.js';
import type { SyncOptions } from '../../src/data/sync-plan-types.js';
import { readFixture, repoRoot, type TestServer } from '../harness/postgres.js';

export const maskerModule = path.join(repoRoot, 'test', 'fixtures', 'data', 'test-masker.mjs');

/** Options for tests: the test masker, small chunks so large tables are split. */
export function testOptions(extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    key: Buffer.from('test key'),
    dir: repoRoot,
    maskerModule,
    chunkBytes: 64 * 1024,
    ...extra,
  };
}

/** A new database loaded with the sync fixture. */
export async function createSource(server: TestServer): Promise<string> {
  const url = await server.createDatabase();
  await server.exec(url, await readFixture('data/sync-source.sql'));
  return url;
}

export const tables = [
  'app.customers',
  'app.orders',
  'app.notes',
  'app.events_2024',
  'app.events_default',
  'app.daily_totals',
] as const;

/** Every row of a table as text, sorted: equal text means equal rows. */
export async function tableText(server: TestServer, url: string, table: string): Promise<string> {
  const rows = await server.query<{ t: string | null }>(
    url,
    `SELECT string_agg(x::text, E'\\n' ORDER BY x::text) AS t FROM ONLY ${table} x`,
  );
  return rows[0]?.t ?? '';
}

/** The serialised schema model of a database. */
export async function modelText(url: string): Promise<string> {
  const client = await connect(url);
  try {
    return serializeSchemaModel(await readSchemaModel(client));
  } finally {
    await client.end();
  }
}

/** Names of the databases on the server that a sync into `target` made. */
export async function syncDatabases(server: TestServer, target: string): Promise<string[]> {
  const rows = await server.query<{ datname: string }>(
    server.url,
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
    [`${target}__us_`],
  );
  return rows.map((r) => r.datname);
}
