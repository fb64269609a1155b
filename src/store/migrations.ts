/**
 * The store's schema, as an ordered list of SQL migrations, and the routine that brings a store
 * up to date. Written once in PostgreSQL SQL for both adapters. Each migration runs in its own
 * transaction under an advisory lock, so several processes opening one fresh PostgreSQL store at
 * the same moment all succeed and each migration runs exactly once.
 */
import { UnderstudyError, isUnderstudyError, messageOf } from '../shared/errors.js';
import { lockForTransaction, type SqlExecutor, type StoreDriver } from './store-port.js';

/** One step of the schema. Versions only grow; a released migration is never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What `migrate` did. */
export interface MigrationOutcome {
  /** The store's schema version afterwards. */
  readonly version: number;
  /** The migrations this call applied, oldest first (empty when the store was up to date). */
  readonly applied: readonly Pick<Migration, 'version' | 'name'>[];
}

/** The hash every audit chain starts from (repeated in `audit-chain.ts`, which must stay pure). */
const genesisHash = '0'.repeat(64);

/** Every migration this Understudy knows, oldest first. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'reports',
    sql: `
      CREATE TABLE reports (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        subject text NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        body jsonb NOT NULL
      );
      CREATE INDEX reports_kind_subject_id ON reports (kind, subject, id DESC);
    `,
  },
  {
    version: 2,
    name: 'audit-log',
    // The head row is written in the same transaction as each entry, so deleting the newest
    // entries is detectable. The triggers stop accidental edits; the hash chain catches deliberate ones.
    sql: `
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject text NOT NULL,
        details jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX audit_log_action_seq ON audit_log (action, seq);
      CREATE INDEX audit_log_actor_seq ON audit_log (actor, seq);
      CREATE TABLE audit_head (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, '${genesisHash}');
      CREATE FUNCTION understudy_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the Understudy audit log is append-only' USING ERRCODE = 'insufficient_privilege';
      END
      $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION understudy_audit_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION understudy_audit_append_only();
      CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
        FOR EACH ROW EXECUTE FUNCTION understudy_audit_append_only();
      CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
        FOR EACH STATEMENT EXECUTE FUNCTION understudy_audit_append_only();
    `,
  },
  {
    version: 3,
    name: 'releases',
    // Releases are immutable and CI check results append-only: the triggers refuse changes, so
    // an approval bound to a release's digest can trust it.
    sql: `
      CREATE TABLE releases (
        version text PRIMARY KEY,
        seq bigserial UNIQUE,
        commit_sha text,
        artifact text,
        notes text,
        digest text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE release_checks (
        id bigserial PRIMARY KEY,
        version text NOT NULL REFERENCES releases (version),
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('pass', 'fail')),
        url text,
        reported_by text NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX release_checks_version_name ON release_checks (version, name, id DESC);
      CREATE FUNCTION understudy_release_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'Understudy releases and their check results are immutable' USING ERRCODE = 'insufficient_privilege';
      END
      $$;
      CREATE TRIGGER releases_immutable BEFORE UPDATE OR DELETE ON releases
        FOR EACH ROW EXECUTE FUNCTION understudy_release_immutable();
      CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON releases
        FOR EACH STATEMENT EXECUTE FUNCTION understudy_release_immutable();
      CREATE TRIGGER release_checks_append_only BEFORE UPDATE OR DELETE ON release_checks
        FOR EACH ROW EXECUTE FUNCTION understudy_release_immutable();
      CREATE TRIGGER release_checks_no_truncate BEFORE TRUNCATE ON release_checks
        FOR EACH STATEMENT EXECUTE FUNCTION understudy_release_immutable();
    `,
  },
  {
    version: 4,
    name: 'deployments',
    // At most one unfinished deployment per environment: the partial unique index is the lock.
    // A holder that stops sending heartbeats (a killed process) is found out and its
    // deployment ended as interrupted by the next one to come.
    sql: `
      CREATE TABLE deployments (
        id bigserial PRIMARY KEY,
        env text NOT NULL,
        version text NOT NULL REFERENCES releases (version),
        kind text NOT NULL CHECK (kind IN ('deploy', 'rollback')),
        status text NOT NULL,
        reason text,
        requested_by text NOT NULL,
        holder text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        log text NOT NULL DEFAULT ''
      );
      CREATE UNIQUE INDEX deployments_one_active ON deployments (env) WHERE finished_at IS NULL;
      CREATE INDEX deployments_env_id ON deployments (env, id DESC);
      CREATE INDEX deployments_version ON deployments (version, id DESC);
    `,
  },
  {
    version: 5,
    name: 'people-and-tokens',
    // Tokens are kept only as SHA-256 hashes; a TOTP secret is needed to check codes and is
    // kept as is (the store is to be protected like the secrets it holds).
    sql: `
      CREATE TABLE people (
        name text PRIMARY KEY,
        roles jsonb NOT NULL,
        token_hash text NOT NULL UNIQUE,
        totp_secret text NOT NULL,
        totp_last_step bigint NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_tokens (
        name text PRIMARY KEY,
        scopes jsonb NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
    `,
  },
  {
    version: 6,
    name: 'approvals',
    // Decisions are append-only: the newest of each approver counts, and every one is kept.
    sql: `
      CREATE TABLE approvals (
        id bigserial PRIMARY KEY,
        version text NOT NULL REFERENCES releases (version),
        env text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('approve', 'reject')),
        approver text NOT NULL,
        release_digest text NOT NULL,
        evidence_digest text NOT NULL,
        comment text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX approvals_version_env ON approvals (version, env, id DESC);
      CREATE TABLE promotion_requests (
        version text NOT NULL REFERENCES releases (version),
        env text NOT NULL,
        requested_by text NOT NULL,
        first_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version, env, requested_by)
      );
      CREATE TRIGGER approvals_append_only BEFORE UPDATE OR DELETE ON approvals
        FOR EACH ROW EXECUTE FUNCTION understudy_release_immutable();
    `,
  },
  {
    version: 7,
    name: 'reservations',
    // One row per request: queued, then held, then released or expired. Granting happens
    // under an advisory lock, in the order requests came.
    sql: `
      CREATE TABLE reservations (
        id bigserial PRIMARY KEY,
        env text NOT NULL,
        holder text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'held', 'released', 'expired')),
        duration_ms bigint NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        granted_at timestamptz,
        expires_at timestamptz,
        max_until timestamptz,
        ended_at timestamptz
      );
      CREATE UNIQUE INDEX reservations_one_held ON reservations (env) WHERE status = 'held';
      CREATE INDEX reservations_env_status ON reservations (env, status, id);
    `,
  },
  {
    version: 8,
    name: 'break-glass',
    sql: `
      CREATE TABLE overrides (
        id bigserial PRIMARY KEY,
        version text NOT NULL REFERENCES releases (version),
        env text NOT NULL,
        requested_by text NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        approved_by text,
        approved_at timestamptz,
        used_at timestamptz
      );
      CREATE INDEX overrides_version_env ON overrides (version, env, id DESC);
    `,
  },
  {
    version: 9,
    name: 'sessions',
    // Dashboard sign-in: a password (scrypt hash) per person, and sessions kept by the hash of
    // their cookie, so a copy of the store cannot be replayed as a cookie.
    sql: `
      ALTER TABLE people ADD COLUMN password_hash text;
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        person text NOT NULL REFERENCES people (name),
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_person ON sessions (person);
    `,
  },
  {
    version: 10,
    name: 'deploy-callbacks',
    // A webhook deploy without a status URL calls back: the deployment keeps the hash of the
    // one-time token it was given, and the callback it sent.
    sql: `
      ALTER TABLE deployments ADD COLUMN callback_token_hash text;
      ALTER TABLE deployments ADD COLUMN callback jsonb;
    `,
  },
];

/** The newest schema version this Understudy knows. */
export const schemaVersion = migrations[migrations.length - 1]?.version ?? 0;

function checkOrder(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    const before = list[i - 1];
    if (
      !Number.isSafeInteger(m.version) ||
      m.version < 1 ||
      (before !== undefined && m.version <= before.version)
    ) {
      throw new Error(
        `migration versions must be positive and increasing; ${m.name} has ${m.version}`,
      );
    }
  });
}

/** Applies the next pending migration in `tx`, or returns undefined when there is none. */
async function applyNext(
  tx: SqlExecutor,
  location: string,
  list: readonly Migration[],
  known: number,
): Promise<Migration | undefined> {
  await lockForTransaction(tx, 'migrations');
  await tx.query(
    'CREATE TABLE IF NOT EXISTS understudy_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)',
  );
  const { rows } = await tx.query<{ version: number }>(
    'SELECT version FROM understudy_migrations ORDER BY version',
  );
  const newest = rows[rows.length - 1]?.version ?? 0;
  if (newest > known) {
    throw new UnderstudyError(
      'E_STORE',
      `the store at ${location} was created by a newer Understudy (schema version ${newest}; this one knows up to ${known})`,
      { hint: 'upgrade Understudy' },
    );
  }
  const done = new Set(rows.map((r) => r.version));
  const next = list.find((m) => !done.has(m.version));
  if (next === undefined) return undefined;
  try {
    await tx.query(next.sql);
  } catch (error) {
    throw new UnderstudyError(
      'E_STORE',
      `migration ${next.version} (${next.name}) failed on the store at ${location}: ${messageOf(error)}`,
      {
        hint: 'nothing of this migration was kept; fix the cause and run again',
        cause: error,
      },
    );
  }
  await tx.query(
    'INSERT INTO understudy_migrations (version, name, applied_at) VALUES ($1, $2, now())',
    [next.version, next.name],
  );
  return next;
}

/**
 * Brings the store up to date, one transaction per migration. Refuses (E_STORE, changing
 * nothing) a store whose schema is newer than this Understudy knows.
 */
export async function migrate(
  driver: StoreDriver,
  list: readonly Migration[] = migrations,
): Promise<MigrationOutcome> {
  checkOrder(list);
  const known = list[list.length - 1]?.version ?? 0;
  const applied: Pick<Migration, 'version' | 'name'>[] = [];
  try {
    for (;;) {
      const next = await driver.transaction((tx) => applyNext(tx, driver.location, list, known));
      if (next === undefined) break;
      applied.push({ version: next.version, name: next.name });
    }
    const { rows } = await driver.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM understudy_migrations',
    );
    return { version: rows[0]?.version ?? 0, applied };
  } catch (error) {
    if (isUnderstudyError(error)) throw error;
    throw new UnderstudyError(
      'E_STORE',
      `cannot bring the store at ${driver.location} up to date: ${messageOf(error)}`,
      {
        hint: 'check that the store user may create tables',
        cause: error,
      },
    );
  }
}
