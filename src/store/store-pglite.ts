/**
 * The embedded store: PostgreSQL compiled to WebAssembly (PGlite) with its data directory under
 * the project's `.understudy/`, so a single user needs no server. Only one process may open a
 * directory at a time; the lock file enforces that.
 */
import path from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { acquireStoreLock, type LockOptions } from './store-lock.js';
import type { SqlExecutor, SqlResult, StoreDriver } from './store-port.js';
import { makeDirectory } from '../shared/make-directory.js';

export interface EmbeddedStoreOptions {
  /** How long to wait for another process holding the store before failing; default 10 s. */
  readonly lockWaitMs?: number;
  /** How often to look again while waiting. */
  readonly lockPollMs?: number;
}

/** The PGlite data directory inside the store directory; the lock file sits beside it. */
export const embeddedDataDirName = 'pgdata';

type Target = PGlite | Transaction;

async function run<T>(
  target: Target,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<SqlResult<T>> {
  if (params === undefined || params.length === 0) {
    // `exec` uses the simple protocol, which allows several statements, as `pg` does without parameters.
    const results = await target.exec(sql);
    const last = results[results.length - 1];
    return { rows: (last?.rows ?? []) as T[], rowCount: last?.rowCount ?? last?.affectedRows ?? 0 };
  }
  const result = await target.query<T>(sql, [...params]);
  return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? 0 };
}

function wrapOpenError(dir: string, error: unknown): UnderstudyError {
  return new UnderstudyError(
    'E_STORE',
    `cannot open the embedded store at ${dir}: ${messageOf(error)}`,
    {
      hint: 'check that the directory is writable and was not damaged; a shared PostgreSQL store is an alternative',
      cause: error,
    },
  );
}

/** Opens (creating when missing) the embedded store in `dir`, holding its lock until closed. */
export async function openEmbeddedDriver(
  dir: string,
  options: EmbeddedStoreOptions = {},
): Promise<StoreDriver> {
  const location = path.resolve(dir);
  try {
    await makeDirectory(location);
  } catch (error) {
    throw wrapOpenError(location, error);
  }
  const lockOptions: LockOptions = {
    ...(options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs }),
    ...(options.lockPollMs === undefined ? {} : { pollMs: options.lockPollMs }),
  };
  const lock = await acquireStoreLock(location, lockOptions);
  let db: PGlite;
  try {
    db = await PGlite.create(path.join(location, embeddedDataDirName), {
      // int8 as text, like `pg`: PGlite would give a number or a bigint depending on the size.
      parsers: { [types.INT8]: (value: string) => value },
    });
  } catch (error) {
    await lock.release();
    throw wrapOpenError(location, error);
  }

  let closed: Promise<void> | undefined;
  return {
    kind: 'embedded',
    location,
    query: <T>(sql: string, params?: readonly unknown[]) => run<T>(db, sql, params),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      db.transaction(async (tx) => {
        let ended = false;
        const executor: SqlExecutor = {
          query: <R>(sql: string, params?: readonly unknown[]) => {
            if (ended) return Promise.reject(new Error('the transaction has already ended'));
            return run<R>(tx, sql, params);
          },
        };
        try {
          return await fn(executor);
        } finally {
          ended = true;
        }
      }),
    close() {
      closed ??= (async () => {
        try {
          await db.close();
        } finally {
          await lock.release();
        }
      })();
      return closed;
    },
  };
}
