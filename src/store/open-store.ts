/**
 * Opening the state store: a PostgreSQL server when a URL is configured, otherwise the embedded
 * store in a directory. The schema is brought up to date on open, so everything above sees one
 * shape whichever adapter runs.
 */
import { migrate } from './migrations.js';
import { createReportsRepository, type ReportsRepository } from './reports-repository.js';
import { openEmbeddedDriver } from './store-pglite.js';
import type { StoreDriver } from './store-port.js';
import { openPostgresDriver } from './store-postgres.js';

/** An open, up-to-date state store. */
export interface Store {
  readonly driver: StoreDriver;
  readonly reports: ReportsRepository;
  /** The schema version the store is at. */
  readonly schemaVersion: number;
  /** Closes connections and, for the embedded store, releases its lock. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** A PostgreSQL URL (`postgres://…`): the shared store. When absent, the embedded store in `dir`. */
  readonly url?: string;
  /** Directory of the embedded store, created when missing; e.g. `.understudy/store`. */
  readonly dir: string;
  /** How long to wait for another process holding the embedded store; default 10 s. */
  readonly lockWaitMs?: number;
}

/** Opens the store (PostgreSQL when `url` is given, else embedded in `dir`) and migrates it. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const driver =
    options.url === undefined
      ? await openEmbeddedDriver(
          options.dir,
          options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs },
        )
      : await openPostgresDriver(options.url);
  try {
    const outcome = await migrate(driver);
    return createStore(driver, outcome.version);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
}

/** Wraps an already migrated driver as a store. */
export function createStore(driver: StoreDriver, schemaVersion: number): Store {
  return {
    driver,
    reports: createReportsRepository(driver),
    schemaVersion,
    close: () => driver.close(),
  };
}
