import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../../src/shared/errors.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { lockFileName } from '../../src/store/store-lock.js';
import { openEmbeddedDriver } from '../../src/store/store-pglite.js';
import { describeStoreContract } from './store-contract.js';
import { freshStoreDir, tempDir } from './store-fixtures.js';

const dirs = new WeakMap<Store, string>();
const dirOf = (store: Store): string => dirs.get(store) ?? store.driver.location;

async function makeStore(): Promise<Store> {
  const dir = await freshStoreDir();
  const store = await openStore({ dir });
  dirs.set(store, dir);
  return store;
}

describeStoreContract('embedded (PGlite)', makeStore, {
  reopen: (store) => openStore({ dir: dirOf(store) }),
  reopenDriver: (store) => openEmbeddedDriver(dirOf(store)),
});

describe('embedded store lock', () => {
  it('keeps a second opener out while the store is open, failing with E_STORE after the wait', async () => {
    const first = await makeStore();
    try {
      const started = Date.now();
      const error = await openStore({ dir: dirOf(first), lockWaitMs: 300 }).catch(
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(isUnderstudyError(error, 'E_STORE')).toBe(true);
      expect((error as Error).message).toBe(
        `the embedded store at ${dirOf(first)} is in use by process ${process.pid}; wait, or use a shared PostgreSQL store`,
      );
    } finally {
      await first.close();
    }
    expect(existsSync(path.join(dirOf(first), lockFileName))).toBe(false);
    const second = await openStore({ dir: dirOf(first), lockWaitMs: 300 });
    await second.close();
  });

  it('lets a waiting opener in as soon as the holder closes', async () => {
    const first = await makeStore();
    const waiting = openStore({ dir: dirOf(first), lockWaitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await first.close();
    const second = await waiting;
    expect(second.schemaVersion).toBe(first.schemaVersion);
    await second.close();
  });

  it('takes over a stale lock left by a process that is gone, or by an earlier process with our pid', async () => {
    const dir = await freshStoreDir();
    const lock = path.join(dir, lockFileName);
    for (const pid of [2 ** 22 + 12345, process.pid]) {
      await writeFile(
        lock,
        JSON.stringify({
          pid,
          host: os.hostname(),
          token: 'earlier',
          since: '2024-01-01T00:00:00.000Z',
        }),
      );
      const store = await openStore({ dir, lockWaitMs: 300 });
      expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: process.pid });
      await store.close();
    }
  });

  it('waits for a live process on another host, whose liveness cannot be told', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, lockFileName),
      JSON.stringify({ pid: 1, host: 'elsewhere.example', token: 't', since: '' }),
    );
    const error = await openStore({ dir, lockWaitMs: 200 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('in use by process 1 on elsewhere.example');
  });
});
