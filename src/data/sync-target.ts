/**
 * The target server's side of a sync, which is what makes it atomic: rows are loaded into a new
 * database `<target>__us_new_<run>`, and only once it is complete is it swapped in with two
 * renames in one transaction on the maintenance database. A run killed before that commit leaves
 * the target untouched; after it, the new data is in place. Leftovers of killed runs (`__us_new_*`,
 * `__us_old_*`, templates still marked pending) are dropped by the next run, under an advisory lock
 * on the maintenance database that also keeps two syncs into one target from running at once.
 *
 * Needs a role that may create databases and terminate the target's other sessions (superuser,
 * or CREATEDB plus membership of pg_signal_backend), and PostgreSQL 13+ (`DROP DATABASE … FORCE`).
 */
import { UnderstudyError } from '../shared/errors.js';
import { connect, describeUrl, type Client } from '../postgres/connection.js';
import { quoteIdent, quoteLiteral } from './ddl-names.js';

/** Database names are at most 63 bytes; the longest suffix is `__us_template_` plus the run id. */
const maxTargetLength = 63 - '__us_template_'.length - 8;

/** The names a run uses on the target server. */
export interface TargetNames {
  readonly target: string;
  readonly fresh: string;
  readonly old: string;
  readonly template: string;
}

/** The target database's name and the URL of its server's maintenance database (`postgres`). */
export function parseTargetUrl(url: string): {
  readonly database: string;
  readonly maintenanceUrl: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnderstudyError('E_INPUT', `the target URL is not a valid URL: ${describeUrl(url)}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database === 'postgres' || database.startsWith('template')) {
    throw new UnderstudyError(
      'E_INPUT',
      `the target URL must name the staging database, not "${database}"`,
      {
        hint: 'e.g. postgres://user@host:5432/shop_staging',
      },
    );
  }
  if (Buffer.byteLength(database) > maxTargetLength || database.includes('__us_')) {
    throw new UnderstudyError('E_INPUT', `the target database name "${database}" cannot be used`, {
      hint: `use a name of at most ${maxTargetLength} bytes without "__us_"`,
    });
  }
  parsed.pathname = '/postgres';
  return { database, maintenanceUrl: parsed.toString() };
}

/** The databases a run with `runId` creates for `target`. */
export function targetNames(target: string, runId: string): TargetNames {
  return {
    target,
    fresh: `${target}__us_new_${runId}`,
    old: `${target}__us_old_${runId}`,
    template: `${target}__us_template_${runId}`,
  };
}

const lockClass = 0x5553; // "US": keeps these keys apart from other advisory-lock users

/** Takes the target's sync lock for this session; false when another run holds it. */
export async function tryLockTarget(maintenance: Client, target: string): Promise<boolean> {
  const { rows } = await maintenance.query<{ locked: boolean }>(
    'SELECT pg_catalog.pg_try_advisory_lock($1, pg_catalog.hashtext($2)) AS locked',
    [lockClass, target],
  );
  return rows[0]?.locked === true;
}

/** Releases the lock taken by `tryLockTarget`. */
export async function unlockTarget(maintenance: Client, target: string): Promise<void> {
  await maintenance.query('SELECT pg_catalog.pg_advisory_unlock($1, pg_catalog.hashtext($2))', [
    lockClass,
    target,
  ]);
}

/** Drops a database even when sessions of a killed run are still attached to it. */
export async function dropDatabase(maintenance: Client, name: string): Promise<void> {
  await maintenance.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Drops what killed runs left for `target`; the caller holds the target's lock. Returns the names dropped. */
export async function dropLeftovers(maintenance: Client, target: string): Promise<string[]> {
  const { rows } = await maintenance.query<{ name: string; comment: string | null }>(
    `SELECT datname AS name, pg_catalog.shobj_description(oid, 'pg_database') AS comment
     FROM pg_catalog.pg_database WHERE pg_catalog.starts_with(datname, $1)`,
    [`${target}__us_`],
  );
  const dropped: string[] = [];
  for (const { name, comment } of rows) {
    const rest = name.slice(target.length);
    const leftover =
      rest.startsWith('__us_new_') ||
      rest.startsWith('__us_old_') ||
      (rest.startsWith('__us_template_') && (comment ?? '').endsWith('pending'));
    if (!leftover) continue;
    await dropDatabase(maintenance, name);
    dropped.push(name);
  }
  return dropped;
}

/**
 * Drops the `__us_new_*` and `__us_old_*` databases (and unfinished templates) of `targetDb` left
 * by killed runs, unless a run holds the target's lock. Returns the names dropped.
 */
export async function cleanupLeftovers(
  targetServerUrl: string,
  targetDb: string,
): Promise<string[]> {
  const url = new URL(targetServerUrl);
  url.pathname = '/postgres';
  const maintenance = await connect(url.toString(), { what: 'target server' });
  try {
    if (!(await tryLockTarget(maintenance, targetDb))) return [];
    try {
      return await dropLeftovers(maintenance, targetDb);
    } finally {
      await unlockTarget(maintenance, targetDb);
    }
  } finally {
    await maintenance.end().catch(() => undefined);
  }
}

/** Creates the empty database a run loads into, marked as in progress. */
export async function createFreshDatabase(
  maintenance: Client,
  names: TargetNames,
  runId: string,
  encoding: string,
): Promise<void> {
  await maintenance.query(
    `CREATE DATABASE ${quoteIdent(names.fresh)} TEMPLATE template0 ENCODING ${quoteLiteral(encoding)}`,
  );
  await maintenance.query(
    `COMMENT ON DATABASE ${quoteIdent(names.fresh)} IS ${quoteLiteral(`understudy sync ${runId} in progress`)}`,
  );
}

/** Copies the loaded database into a template for later clones, marked pending until the swap. */
export async function createTemplate(
  maintenance: Client,
  names: TargetNames,
  runId: string,
): Promise<void> {
  await maintenance.query(
    `CREATE DATABASE ${quoteIdent(names.template)} TEMPLATE ${quoteIdent(names.fresh)}`,
  );
  await maintenance.query(
    `COMMENT ON DATABASE ${quoteIdent(names.template)} IS ${quoteLiteral(`understudy template ${runId} pending`)}`,
  );
}

/**
 * Puts the new database in the target's place in one transaction: other sessions of the target
 * are ended, the target renamed away, the new one renamed to it. Then the old one is dropped, and
 * with `keepTemplate`, templates of earlier runs. Sessions reconnecting in between are ended too.
 */
export async function swapIn(
  maintenance: Client,
  names: TargetNames,
  runId: string,
  options: { readonly keepTemplate: boolean; readonly beforeCommit?: () => Promise<void> },
): Promise<void> {
  const target = quoteIdent(names.target);
  await maintenance.query('BEGIN');
  try {
    const { rows } = await maintenance.query(
      'SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1',
      [names.target],
    );
    if (rows.length > 0) await renameAway(maintenance, names);
    await maintenance.query(`ALTER DATABASE ${quoteIdent(names.fresh)} RENAME TO ${target}`);
    await maintenance.query(
      `COMMENT ON DATABASE ${target} IS ${quoteLiteral(`understudy sync ${runId}, swapped in at ${new Date().toISOString()}`)}`,
    );
    if (options.keepTemplate) {
      await maintenance.query(
        `COMMENT ON DATABASE ${quoteIdent(names.template)} IS ${quoteLiteral(`understudy template ${runId} of ${names.target}`)}`,
      );
    }
    await options.beforeCommit?.();
    await maintenance.query('COMMIT');
  } catch (error) {
    await maintenance.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await dropDatabase(maintenance, names.old);
  if (options.keepTemplate) {
    const { rows } = await maintenance.query<{ name: string }>(
      'SELECT datname AS name FROM pg_catalog.pg_database WHERE pg_catalog.starts_with(datname, $1) AND datname <> $2',
      [`${names.target}__us_template_`, names.template],
    );
    for (const { name } of rows) await dropDatabase(maintenance, name);
  }
}

async function renameAway(maintenance: Client, names: TargetNames): Promise<void> {
  // A session connecting between the termination and the rename makes the rename fail (55006):
  // end the sessions again and retry, inside a savepoint so the transaction survives.
  for (let attempt = 1; ; attempt++) {
    await maintenance.query('SAVEPOINT understudy_rename');
    try {
      await maintenance.query(
        `SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
         WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()`,
        [names.target],
      );
      await maintenance.query(
        `ALTER DATABASE ${quoteIdent(names.target)} RENAME TO ${quoteIdent(names.old)}`,
      );
      await maintenance.query('RELEASE SAVEPOINT understudy_rename');
      return;
    } catch (error) {
      await maintenance.query('ROLLBACK TO SAVEPOINT understudy_rename');
      if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
    }
  }
}
