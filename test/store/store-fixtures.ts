/**
 * Helpers for tests of the embedded store. A fresh PGlite data directory costs seconds (initdb
 * in WebAssembly), so each test file creates one pristine directory once and copies it.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { embeddedDataDirName, openEmbeddedDriver } from '../../src/store/store-pglite.js';

let template: Promise<string> | undefined;
const created: string[] = [];

async function makeTemplate(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-store-template-'));
  created.push(dir);
  // The driver alone, without migrations: copies start as a never-opened store would.
  const driver = await openEmbeddedDriver(dir);
  await driver.close();
  return dir;
}

/** A new store directory holding an initialised but unmigrated embedded database. */
export async function freshStoreDir(): Promise<string> {
  template ??= makeTemplate();
  const source = await template;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-store-'));
  created.push(dir);
  await cp(path.join(source, embeddedDataDirName), path.join(dir, embeddedDataDirName), {
    recursive: true,
  });
  return dir;
}

/** An empty temporary directory, removed after the file's tests. */
export async function tempDir(prefix = 'understudy-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});
