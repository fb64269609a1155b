/**
 * Per-branch clones of staging's masked data, made from the template every sync keeps
 * (`CREATE DATABASE <clone> TEMPLATE <target>__us_template_<run>`): a file-level copy on the target
 * server that takes seconds and never touches staging itself — nobody connects to the template,
 * and the target database is not read, locked or ended. Metadata lives in the clone's COMMENT
 * (see `clone-names.ts`), so listing and expiry need nothing but the server.
 *
 * Races. Every command that creates or drops one clone holds an advisory lock named after the
 * clone's database (the sync's lock function, keyed by that name instead of the target's), so two
 * commands on one clone take turns and an expiry sweep skips a clone being made. A running sync is
 * not waited for: its template stays usable until the swap, and the swap's `DROP DATABASE` of the
 * older template waits for PostgreSQL's own lock on a template being copied. A template dropped
 * between choosing and copying it is chosen again (the newer one); someone connected to the
 * template makes PostgreSQL refuse the copy (after waiting five seconds for them), and the error
 * names the sessions.
 */
import { performance } from 'node:perf_hooks';
import { connect, type Client } from '../postgres/connection.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { closest } from '../shared/suggest.js';
import {
  chooseTemplate,
  cloneComment,
  cloneDatabaseName,
  clonePrefixOf,
  cloneUrl,
  isRemovable,
  parseCloneComment,
  type CloneMetadata,
  type LabelledDatabase,
} from './clone-names.js';
import { quoteIdent, quoteLiteral } from './ddl-names.js';
import { dropDatabase, parseTargetUrl, tryLockTarget, unlockTarget } from './sync-target.js';

/** One clone as found on the server. */
export interface CloneInfo {
  /** The name it was created with; the database's slug when its metadata is missing. */
  readonly name: string;
  readonly database: string;
  /** Its URL: the target's, with the clone's database. Contains the target's password, if any. */
  readonly url: string;
  /** Null for a clone whose `data clone` was interrupted before it was labelled. */
  readonly metadata: CloneMetadata | null;
  /** `pg_database_size`, in bytes; null when not measured. */
  readonly sizeBytes: number | null;
}

export interface CreateCloneOptions {
  readonly name: string;
  readonly ttlMs: number;
  readonly createdBy: string;
  /** Replace an existing clone of the same database instead of refusing. */
  readonly replace: boolean;
  readonly now?: Date;
}

export interface CreateCloneResult {
  readonly clone: CloneInfo & { readonly metadata: CloneMetadata };
  /** The clone that was replaced, when there was one. */
  readonly replaced: CloneInfo | null;
  /** Expired clones removed first. */
  readonly removed: readonly CloneInfo[];
  readonly seconds: number;
}

/** Creates a clone of the target's latest masked data, after removing expired clones. */
export async function createClone(
  targetUrl: string,
  options: CreateCloneOptions,
): Promise<CreateCloneResult> {
  const started = performance.now();
  return withTargetServer(targetUrl, async (server, target) => {
    const database = cloneDatabaseName(target, options.name);
    const removed = await removeExpired(server, targetUrl, target, options.now ?? new Date());
    return withCloneLock(server, database, async () => {
      const existing = (await readClones(server, targetUrl, target)).find(
        (c) => c.database === database,
      );
      if (existing !== undefined && !options.replace) {
        const same = existing.name === options.name;
        throw new UnderstudyError(
          'E_INPUT',
          same
            ? `a clone named "${options.name}" exists (${database})`
            : `"${options.name}" maps to the database ${database}, which holds the clone "${existing.name}"`,
          {
            hint: same
              ? `add --replace to copy the latest data into it again, or \`understudy data drop ${options.name}\``
              : 'pick another name, or add --replace to replace that clone',
          },
        );
      }
      // The template is found before an existing clone is dropped, so a refusal loses nothing.
      let template = await findTemplate(server, target);
      if (existing !== undefined) await dropDatabase(server, database);
      for (let attempt = 1; ; attempt++) {
        try {
          await server.query(
            `CREATE DATABASE ${quoteIdent(database)} TEMPLATE ${quoteIdent(template.database)}`,
          );
          break;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === '3D000' && attempt < 5) {
            // A sync swapped in newer data and dropped this template: clone the newer one.
            template = await findTemplate(server, target);
            continue;
          }
          throw await createFailure(server, error, database, template.database);
        }
      }
      const created = options.now ?? new Date(); // after any wait for the template
      const metadata: CloneMetadata = {
        name: options.name,
        templateRun: template.run,
        createdAt: created.toISOString(),
        expiresAt: new Date(created.getTime() + options.ttlMs).toISOString(),
        createdBy: options.createdBy,
      };
      try {
        await server.query(
          `COMMENT ON DATABASE ${quoteIdent(database)} IS ${quoteLiteral(cloneComment(metadata))}`,
        );
      } catch (error) {
        await dropDatabase(server, database).catch(() => undefined);
        throw new UnderstudyError(
          'E_OPERATION',
          `could not label the clone ${database}: ${messageOf(error)}`,
          {
            hint: 'the clone was dropped again; run the command again',
            cause: error,
          },
        );
      }
      return {
        clone: {
          name: options.name,
          database,
          url: cloneUrl(targetUrl, database),
          metadata,
          sizeBytes: await databaseSize(server, database),
        },
        replaced: existing ?? null,
        removed,
        seconds: Math.round(performance.now() - started) / 1000,
      };
    });
  });
}

/** The target's clones with their sizes, oldest first, after removing expired ones. */
export async function listClones(
  targetUrl: string,
  options: { readonly now?: Date } = {},
): Promise<{ readonly clones: readonly CloneInfo[]; readonly removed: readonly CloneInfo[] }> {
  return withTargetServer(targetUrl, async (server, target) => {
    const removed = await removeExpired(server, targetUrl, target, options.now ?? new Date());
    const clones: CloneInfo[] = [];
    for (const clone of await readClones(server, targetUrl, target)) {
      const sizeBytes = await databaseSize(server, clone.database);
      // A clone dropped by someone else while we looked is simply no longer there.
      if (sizeBytes !== null) clones.push({ ...clone, sizeBytes });
    }
    clones.sort((a, b) => (a.metadata?.createdAt ?? '').localeCompare(b.metadata?.createdAt ?? ''));
    return { clones, removed };
  });
}

/**
 * Drops one clone, named as it was created, by its database name, or by a name that maps to its
 * database; its open sessions are ended. An unknown name is `E_NOT_FOUND` with a suggestion.
 */
export async function dropClone(targetUrl: string, name: string): Promise<CloneInfo> {
  return withTargetServer(targetUrl, async (server, target) => {
    const clones = await readClones(server, targetUrl, target);
    let mapped: string | undefined;
    try {
      mapped = cloneDatabaseName(target, name);
    } catch {
      mapped = undefined; // not a valid clone name; it may still be a database name
    }
    const clone =
      clones.find((c) => c.name === name) ??
      clones.find((c) => c.database === name || c.database === mapped);
    if (clone === undefined) {
      const suggestion = closest(
        name,
        clones.map((c) => c.name),
      );
      throw new UnderstudyError('E_NOT_FOUND', `no clone named "${name}"`, {
        hint:
          suggestion !== undefined
            ? `did you mean "${suggestion}"?`
            : clones.length === 0
              ? `there are no clones of ${target}`
              : `\`understudy data clones\` lists them: ${clones.map((c) => c.name).join(', ')}`,
      });
    }
    await withCloneLock(server, clone.database, () => dropDatabase(server, clone.database));
    return clone;
  });
}

/** Removes the target's expired clones (and unlabelled ones nobody is making); returns them. */
export async function removeExpiredClones(
  targetUrl: string,
  options: { readonly now?: Date } = {},
): Promise<readonly CloneInfo[]> {
  return withTargetServer(targetUrl, (server, target) =>
    removeExpired(server, targetUrl, target, options.now ?? new Date()),
  );
}

async function withTargetServer<T>(
  targetUrl: string,
  action: (server: Client, target: string) => Promise<T>,
): Promise<T> {
  const { database, maintenanceUrl } = parseTargetUrl(targetUrl);
  const server = await connect(maintenanceUrl, {
    what: 'target server',
    applicationName: 'understudy clone',
  });
  try {
    return await action(server, database);
  } finally {
    await server.end().catch(() => undefined);
  }
}

/** Runs `action` holding the clone's lock; waits up to ten seconds for another command to finish. */
async function withCloneLock<T>(
  server: Client,
  database: string,
  action: () => Promise<T>,
): Promise<T> {
  let locked = await tryLockTarget(server, database);
  for (let waited = 0; !locked && waited < 10_000; waited += 250) {
    await sleep(250);
    locked = await tryLockTarget(server, database);
  }
  if (!locked) {
    throw new UnderstudyError(
      'E_OPERATION',
      `another Understudy command is creating or dropping ${database}`,
      { hint: 'wait for it to finish, then run again' },
    );
  }
  try {
    return await action();
  } finally {
    await unlockTarget(server, database).catch(() => undefined);
  }
}

async function readClones(server: Client, targetUrl: string, target: string): Promise<CloneInfo[]> {
  const prefix = clonePrefixOf(target);
  const { rows } = await server.query<LabelledDatabase>(
    `SELECT datname AS name, pg_catalog.shobj_description(oid, 'pg_database') AS comment
     FROM pg_catalog.pg_database WHERE pg_catalog.starts_with(datname, $1) ORDER BY datname`,
    [prefix],
  );
  return rows.map((row) => {
    const metadata = parseCloneComment(row.comment);
    return {
      name: metadata?.name ?? row.name.slice(prefix.length),
      database: row.name,
      url: cloneUrl(targetUrl, row.name),
      metadata,
      sizeBytes: null,
    };
  });
}

async function removeExpired(
  server: Client,
  targetUrl: string,
  target: string,
  now: Date,
): Promise<CloneInfo[]> {
  const removed: CloneInfo[] = [];
  for (const clone of await readClones(server, targetUrl, target)) {
    if (!isRemovable(clone.metadata, now)) continue;
    // Skip a clone another command is working on; look again under the lock, since it may have
    // been replaced (new expiry) or labelled since it was read.
    if (!(await tryLockTarget(server, clone.database))) continue;
    try {
      const again = (await readClones(server, targetUrl, target)).find(
        (c) => c.database === clone.database,
      );
      if (again === undefined || !isRemovable(again.metadata, now)) continue;
      await dropDatabase(server, again.database);
      removed.push(again);
    } finally {
      await unlockTarget(server, clone.database).catch(() => undefined);
    }
  }
  return removed;
}

async function findTemplate(
  server: Client,
  target: string,
): Promise<{ readonly database: string; readonly run: string }> {
  const { rows } = await server.query<LabelledDatabase>(
    `SELECT datname AS name, pg_catalog.shobj_description(oid, 'pg_database') AS comment
     FROM pg_catalog.pg_database
     WHERE datname = $1 OR pg_catalog.starts_with(datname, $2)`,
    [target, `${target}__us_template_`],
  );
  const targetRow = rows.find((r) => r.name === target);
  const choice = chooseTemplate(
    target,
    targetRow?.comment ?? null,
    rows.filter((r) => r !== targetRow),
  );
  if (choice.found) return choice;
  if (choice.run === null) {
    throw new UnderstudyError(
      'E_NOT_FOUND',
      targetRow === undefined
        ? `no masked copy to clone: the database ${target} does not exist yet`
        : `no masked copy to clone: ${target} does not hold data from \`understudy data sync\``,
      { hint: 'run `understudy data sync` first; every sync keeps a template that clones copy' },
    );
  }
  throw new UnderstudyError(
    'E_NOT_FOUND',
    `no template of the data in ${target} (sync ${choice.run}) to clone from`,
    { hint: 'run `understudy data sync` again; every sync keeps a template that clones copy' },
  );
}

async function databaseSize(server: Client, database: string): Promise<number | null> {
  try {
    const { rows } = await server.query<{ size: string }>(
      'SELECT pg_catalog.pg_database_size($1::name)::text AS size',
      [database],
    );
    return rows[0] === undefined ? null : Number(rows[0].size);
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A failed `CREATE DATABASE … TEMPLATE` as one line with what to do. */
async function createFailure(
  server: Client,
  error: unknown,
  database: string,
  template: string,
): Promise<UnderstudyError> {
  const code = (error as { code?: string }).code;
  if (code === '42P04') {
    return new UnderstudyError('E_INPUT', `the database ${database} already exists`, {
      hint: 'it was created by someone else a moment ago; `understudy data clones` shows it',
      cause: error,
    });
  }
  if (code === '55006') {
    const { rows } = await server
      .query<{ who: string }>(
        `SELECT coalesce(usename, '?') || ' (' || coalesce(nullif(application_name, ''), 'no application name') || ')' AS who
         FROM pg_catalog.pg_stat_activity WHERE datname = $1`,
        [template],
      )
      .catch(() => ({ rows: [] as { who: string }[] }));
    return new UnderstudyError(
      'E_OPERATION',
      `PostgreSQL copies only a template nobody is connected to, and ${template} has sessions${rows.length === 0 ? '' : `: ${rows.map((r) => r.who).join(', ')}`}`,
      { hint: 'close them (the template is for copying only), then run again', cause: error },
    );
  }
  return new UnderstudyError(
    'E_OPERATION',
    `could not create the clone ${database}: ${messageOf(error)}`,
    {
      hint:
        code === '42501'
          ? 'the target role needs CREATEDB and must own the template (it does when it ran the sync)'
          : 'nothing was created',
      cause: error,
    },
  );
}
