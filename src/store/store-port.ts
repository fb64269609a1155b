/**
 * The port every state-store adapter implements. Both adapters speak PostgreSQL SQL, so the port
 * is a small SQL executor and everything above it (migrations, repositories) is written once.
 *
 * Values come back the way `pg` returns them by default, whichever adapter runs the query:
 * int8/bigint and numeric as strings (they may not fit a JS number), int2/int4/float as numbers,
 * timestamptz as `Date`, json/jsonb parsed, bool as boolean. Pass JSON parameters as strings
 * (`JSON.stringify(value)` with `$1::jsonb`): the two drivers serialise objects and arrays
 * differently, a string means the same to both.
 */

/** The result of one statement. */
export interface SqlResult<T> {
  readonly rows: T[];
  /** Rows returned by a SELECT, or changed by an INSERT/UPDATE/DELETE. */
  readonly rowCount: number;
}

/** Runs SQL. Without parameters several `;`-separated statements may be sent; the last one's result is returned. */
export interface SqlExecutor {
  query<T>(sql: string, params?: readonly unknown[]): Promise<SqlResult<T>>;
}

/** Which adapter backs a store. */
export type StoreKind = 'embedded' | 'postgres';

/** An open state store connection: one embedded database, or a pool on a PostgreSQL server. */
export interface StoreDriver extends SqlExecutor {
  readonly kind: StoreKind;
  /** The data directory, or the server URL without its password: safe to show. */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (and
   * the error rethrown). Use only `tx` inside; calling the driver itself from within `fn` can
   * wait forever on the embedded store, which runs one transaction at a time.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes connections and releases the embedded store's lock. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Transaction-scoped advisory locks, namespaced by a fixed first key so they do not collide with
 * the application's own advisory locks when the store shares a database.
 */
const lockNamespace = 0x55_53_54_44; // "USTD"

/** Named advisory locks; each value is the second key under the Understudy namespace. */
export const advisoryLocks = {
  migrations: 1,
  audit: 2,
  reservations: 3,
} as const;

/**
 * Takes an exclusive advisory lock held until the transaction ends, so writers in several
 * processes sharing one PostgreSQL store take turns. On the embedded store it is harmless: the
 * lock file already admits a single process and PGlite runs one transaction at a time.
 */
export async function lockForTransaction(
  tx: SqlExecutor,
  lock: keyof typeof advisoryLocks,
): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${lockNamespace}, ${advisoryLocks[lock]})`);
}
