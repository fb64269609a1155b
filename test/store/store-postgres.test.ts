import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../../src/shared/errors.js';
import { freePort } from '../../src/postgres/local-server.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { openPostgresDriver } from '../../src/store/store-postgres.js';
import { usePostgres } from '../harness/postgres.js';
import { describeStoreContract } from './store-contract.js';

const pg = usePostgres();
// A PostgreSQL store must not touch the directory of the embedded one.
const unusedDir = path.join(os.tmpdir(), 'understudy-must-not-exist');
const urls = new WeakMap<Store, string>();

function urlOf(store: Store): string {
  const url = urls.get(store);
  if (url === undefined) throw new Error('a store not opened by this test file');
  return url;
}

async function open(url: string): Promise<Store> {
  const store = await openStore({ url, dir: unusedDir });
  urls.set(store, url);
  return store;
}

describeStoreContract('PostgreSQL', async () => open(await pg().createDatabase()), {
  reopen: (store) => open(urlOf(store)),
  reopenDriver: (store) => openPostgresDriver(urlOf(store)),
  // Separate stores, each with its own pool, race exactly as separate processes would.
  openConcurrently: async (count) => {
    const url = await pg().createDatabase();
    return Promise.all(Array.from({ length: count }, () => open(url)));
  },
});

describe('PostgreSQL store', () => {
  it('names itself by URL without the password', async () => {
    const url = await pg().createDatabase();
    const store = await open(url);
    try {
      expect(store.driver.kind).toBe('postgres');
      expect(store.driver.location).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/t_/);
      expect(url).toContain(store.driver.location.split('@')[1] ?? '?');
    } finally {
      await store.close();
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(unusedDir)).toBe(false);
  });

  it('reports an unreachable server as E_UNREACHABLE, naming it without the password', async () => {
    const port = await freePort();
    const error = await openStore({
      url: `postgres://app:s3cret@127.0.0.1:${port}/state`,
      dir: unusedDir,
    }).catch((e: unknown) => e);
    expect(isUnderstudyError(error, 'E_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toContain(
      `state store at postgres://app@127.0.0.1:${port}/state`,
    );
    expect((error as Error).message).not.toContain('s3cret');
  });
});
