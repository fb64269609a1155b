/**
 * Releases and the check results CI reports for them, in the store. Creating a release and
 * reporting a check each commit together with their audit entry. Creating is idempotent for
 * identical contents (a CI job that runs twice), and refused for different ones: a version,
 * once created, never changes.
 */
import { appendAuditIn } from '../audit/audit-log.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';
import type { SqlExecutor } from '../store/store-port.js';
import {
  checkVersion,
  contentDifferences,
  releaseContents,
  type Release,
  type ReleaseInput,
} from './release-model.js';

export type ReleaseStore = Pick<Store, 'driver'>;

/** A check result as CI reported it. */
export interface CheckResult {
  readonly id: number;
  readonly version: string;
  readonly name: string;
  readonly status: 'pass' | 'fail';
  readonly url?: string;
  readonly reportedBy: string;
  readonly reportedAt: string;
}

/** A check's name: what a gate names after `check:` (`e2e`, `unit-tests`, `lint.strict`). */
const checkName = /^[\w.-]{1,64}$/;

interface ReleaseRow {
  readonly version: unknown;
  readonly commit_sha: unknown;
  readonly artifact: unknown;
  readonly notes: unknown;
  readonly digest: unknown;
  readonly created_by: unknown;
  readonly created_at: unknown;
}

interface CheckRow {
  readonly id: unknown;
  readonly version: unknown;
  readonly name: unknown;
  readonly status: unknown;
  readonly url: unknown;
  readonly reported_by: unknown;
  readonly reported_at: unknown;
}

const releaseColumns = 'version, commit_sha, artifact, notes, digest, created_by, created_at';
const checkColumns = 'id, version, name, status, url, reported_by, reported_at';

function optional(value: unknown, column: string): string | undefined {
  return value === null || value === undefined ? undefined : toText(value, column);
}

function toRelease(row: ReleaseRow): Release {
  const commit = optional(row.commit_sha, 'releases.commit_sha');
  const artifact = optional(row.artifact, 'releases.artifact');
  const notes = optional(row.notes, 'releases.notes');
  return {
    version: toText(row.version, 'releases.version'),
    ...(commit === undefined ? {} : { commit }),
    ...(artifact === undefined ? {} : { artifact }),
    ...(notes === undefined ? {} : { notes }),
    digest: toText(row.digest, 'releases.digest'),
    createdBy: toText(row.created_by, 'releases.created_by'),
    createdAt: toDate(row.created_at, 'releases.created_at').toISOString(),
  };
}

function toCheck(row: CheckRow): CheckResult {
  const url = optional(row.url, 'release_checks.url');
  return {
    id: toNumber(row.id, 'release_checks.id'),
    version: toText(row.version, 'release_checks.version'),
    name: toText(row.name, 'release_checks.name'),
    status: toText(row.status, 'release_checks.status') === 'pass' ? 'pass' : 'fail',
    ...(url === undefined ? {} : { url }),
    reportedBy: toText(row.reported_by, 'release_checks.reported_by'),
    reportedAt: toDate(row.reported_at, 'release_checks.reported_at').toISOString(),
  };
}

async function findRelease(db: SqlExecutor, version: string): Promise<Release | undefined> {
  const { rows } = await db.query<ReleaseRow>(
    `SELECT ${releaseColumns} FROM releases WHERE version = $1`,
    [version],
  );
  return rows[0] === undefined ? undefined : toRelease(rows[0]);
}

/**
 * Creates a release by `actor`. Returns it and whether it was created now (false: it existed
 * with the same contents). Different contents under an existing version are refused.
 */
export async function createRelease(
  store: ReleaseStore,
  input: ReleaseInput,
  actor: string,
): Promise<{ release: Release; created: boolean }> {
  const contents = releaseContents(input);
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<ReleaseRow>(
      `INSERT INTO releases (version, commit_sha, artifact, notes, digest, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (version) DO NOTHING
       RETURNING ${releaseColumns}`,
      [
        contents.version,
        contents.commit ?? null,
        contents.artifact ?? null,
        contents.notes ?? null,
        contents.digest,
        actor,
      ],
    );
    if (rows[0] !== undefined) {
      const release = toRelease(rows[0]);
      await appendAuditIn(tx, store.driver.location, {
        actor,
        action: 'release.create',
        subject: release.version,
        details: {
          digest: release.digest,
          ...(release.commit === undefined ? {} : { commit: release.commit }),
          ...(release.artifact === undefined ? {} : { artifact: release.artifact }),
        },
      });
      return { release, created: true };
    }
    const existing = await findRelease(tx, contents.version);
    if (existing === undefined) throw new Error('a release vanished: releases are immutable');
    const differences = contentDifferences(existing, contents);
    if (differences.length > 0)
      throw new UnderstudyError(
        'E_INPUT',
        `release ${contents.version} already exists with other contents; releases never change`,
        {
          hint: 'create a new version for the new contents',
          problems: differences.map((message) => ({ message })),
        },
      );
    return { release: existing, created: false };
  });
}

/** The release of `version`; an unknown version is bad input naming the newest ones. */
export async function getRelease(store: ReleaseStore, version: string): Promise<Release> {
  const release = await findRelease(store.driver, checkVersion(version));
  if (release !== undefined) return release;
  const newest = await listReleases(store, 5);
  throw new UnderstudyError('E_NOT_FOUND', `there is no release ${version}`, {
    hint:
      newest.length === 0
        ? 'no release was created yet: `understudy release create VERSION`'
        : `the newest: ${newest.map((r) => r.version).join(', ')} (see \`understudy release list\`)`,
  });
}

/** Releases, newest first. */
export async function listReleases(store: ReleaseStore, limit: number): Promise<Release[]> {
  const { rows } = await store.driver.query<ReleaseRow>(
    `SELECT ${releaseColumns} FROM releases ORDER BY seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map(toRelease);
}

/** Records a check result for a release (which must exist), with its audit entry. */
export async function reportCheck(
  store: ReleaseStore,
  input: { version: string; name: string; status: 'pass' | 'fail'; url?: string },
  actor: string,
): Promise<CheckResult> {
  if (!checkName.test(input.name))
    throw new UnderstudyError('E_INPUT', `"${input.name}" is not a check name`, {
      hint: 'use letters, digits and . _ - (at most 64), as a gate names it: check:NAME',
    });
  await getRelease(store, input.version);
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<CheckRow>(
      `INSERT INTO release_checks (version, name, status, url, reported_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${checkColumns}`,
      [input.version, input.name, input.status, input.url ?? null, actor],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('INSERT … RETURNING gave no row');
    const check = toCheck(row);
    await appendAuditIn(tx, store.driver.location, {
      actor,
      action: 'check.report',
      subject: `${check.version} ${check.name}`,
      details: { status: check.status, ...(check.url === undefined ? {} : { url: check.url }) },
    });
    return check;
  });
}

/** Every check result reported for a release, newest first. */
export async function checksOf(store: ReleaseStore, version: string): Promise<CheckResult[]> {
  const { rows } = await store.driver.query<CheckRow>(
    `SELECT ${checkColumns} FROM release_checks WHERE version = $1 ORDER BY id DESC`,
    [version],
  );
  return rows.map(toCheck);
}

/** The newest result of each check, by name (what a gate reads). */
export function latestChecks(checks: readonly CheckResult[]): CheckResult[] {
  const seen = new Map<string, CheckResult>();
  for (const check of [...checks].sort((a, b) => b.id - a.id))
    if (!seen.has(check.name)) seen.set(check.name, check);
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
