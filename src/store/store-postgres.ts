/**
 * The shared store: a PostgreSQL server named by URL, for teams whose Understudy processes (CLI
 * runs, CI jobs, the server, the worker) must see one state. Several processes may use it at
 * once; writers that must take turns use advisory locks (see `lockForTransaction`).
 */
import type { QueryResult } from 'pg';
import {
  describeUrl,
  openPool,
  unreachable,
  type Pool,
  type PoolClient,
} from '../postgres/connection.js';
import type { SqlExecutor, SqlResult, StoreDriver } from './store-port.js';

export interface PostgresStoreOptions {
  /** Connections per process; default 4. */
  readonly maxConnections?: number;
}

type Row = Record<string, unknown>;

async function run<T>(
  target: Pool | PoolClient,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<SqlResult<T>> {
  // Without parameters `pg` uses the simple protocol: several statements come back as an array.
  const raw = (
    params === undefined || params.length === 0
      ? await target.query<Row>(sql)
      : await target.query<Row>(sql, [...params])
  ) as QueryResult<Row> | QueryResult<Row>[];
  const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return { rows: (last?.rows ?? []) as T[], rowCount: last?.rowCount ?? 0 };
}

/** Opens a pool on the store's server; E_UNREACHABLE (without the password) when it cannot be reached. */
export async function openPostgresDriver(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<StoreDriver> {
  const what = 'state store';
  const pool = await openPool(url, {
    what,
    applicationName: 'understudy-store',
    ...(options.maxConnections === undefined ? {} : { max: options.maxConnections }),
  });

  const connectClient = async (): Promise<PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      throw unreachable(url, error, what);
    }
  };

  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    location: describeUrl(url),
    async query<T>(sql: string, params?: readonly unknown[]) {
      const client = await connectClient();
      try {
        return await run<T>(client, sql, params);
      } finally {
        client.release();
      }
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      const client = await connectClient();
      let ended = false;
      let broken: Error | undefined;
      const tx: SqlExecutor = {
        query: <R>(sql: string, params?: readonly unknown[]) => {
          // A query after COMMIT would run outside the transaction on a client another caller may hold.
          if (ended) return Promise.reject(new Error('the transaction has already ended'));
          return run<R>(client, sql, params);
        },
      };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A connection that cannot roll back must not go back to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        ended = true;
        client.release(broken);
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
