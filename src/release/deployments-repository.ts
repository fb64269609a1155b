/**
 * Deployments in the store, and the lock that allows one per environment at a time. The lock is
 * the deployment row itself: a partial unique index admits one unfinished deployment per
 * environment, and its holder sends heartbeats while it works. A row whose heartbeats stopped
 * (the process was killed) is ended as `interrupted` by whoever comes next, with an audit entry,
 * so a crash can never leave an environment locked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';
import { UnderstudyError } from '../shared/errors.js';
import { appendAuditIn } from '../audit/audit-log.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';
import type { SqlExecutor } from '../store/store-port.js';
import type { ReleaseStore } from './releases-repository.js';

/** Working states, then the terminal ones. */
export type DeploymentStatus = 'deploying' | 'verifying' | 'succeeded' | 'failed' | 'interrupted';

export interface Deployment {
  readonly id: number;
  readonly env: string;
  readonly version: string;
  readonly kind: 'deploy' | 'rollback';
  readonly status: DeploymentStatus;
  readonly reason?: string;
  readonly requestedBy: string;
  readonly holder: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly finishedAt?: string;
}

/** Heartbeats are sent this often; a holder silent for three of them is taken for dead. */
export const HEARTBEAT_MS = 5_000;
const STALE_MS = 3 * HEARTBEAT_MS;

interface DeploymentRow {
  readonly id: unknown;
  readonly env: unknown;
  readonly version: unknown;
  readonly kind: unknown;
  readonly status: unknown;
  readonly reason: unknown;
  readonly requested_by: unknown;
  readonly holder: unknown;
  readonly started_at: unknown;
  readonly heartbeat_at: unknown;
  readonly finished_at: unknown;
}

const columns =
  'id, env, version, kind, status, reason, requested_by, holder, started_at, heartbeat_at, finished_at';

function toDeployment(row: DeploymentRow): Deployment {
  const reason = row.reason === null ? undefined : toText(row.reason, 'deployments.reason');
  return {
    id: toNumber(row.id, 'deployments.id'),
    env: toText(row.env, 'deployments.env'),
    version: toText(row.version, 'deployments.version'),
    kind: toText(row.kind, 'deployments.kind') === 'rollback' ? 'rollback' : 'deploy',
    status: toText(row.status, 'deployments.status') as DeploymentStatus,
    ...(reason === undefined ? {} : { reason }),
    requestedBy: toText(row.requested_by, 'deployments.requested_by'),
    holder: toText(row.holder, 'deployments.holder'),
    startedAt: toDate(row.started_at, 'deployments.started_at').toISOString(),
    heartbeatAt: toDate(row.heartbeat_at, 'deployments.heartbeat_at').toISOString(),
    ...(row.finished_at === null
      ? {}
      : { finishedAt: toDate(row.finished_at, 'deployments.finished_at').toISOString() }),
  };
}

/** This process, as a lock holder: `host:pid`. */
export const thisHolder = (): string => `${hostname()}:${process.pid}`;

/**
 * Ends unfinished deployments whose holder went silent (in `env`, or everywhere) as
 * `interrupted`, each with an audit entry; returns them.
 */
export async function recoverStale(
  store: ReleaseStore,
  env?: string,
): Promise<readonly Deployment[]> {
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<DeploymentRow>(
      `UPDATE deployments SET status = 'interrupted', finished_at = now(),
              reason = 'its process stopped sending heartbeats (killed or crashed) during ' || status
        WHERE finished_at IS NULL AND heartbeat_at < now() - make_interval(secs => $1)
          AND ($2::text IS NULL OR env = $2)
        RETURNING ${columns}`,
      [STALE_MS / 1000, env ?? null],
    );
    const ended = rows.map(toDeployment);
    for (const d of ended)
      await appendAuditIn(tx, store.driver.location, {
        actor: 'understudy',
        action: 'deploy.interrupted',
        subject: `${d.version} ${d.env}`,
        details: { deployment: d.id, holder: d.holder, reason: d.reason ?? '' },
      });
    return ended;
  });
}

/**
 * Takes the environment's lock by starting a deployment; returns it, or the unfinished
 * deployment that holds the lock. Stale holders are recovered first.
 */
export async function startDeployment(
  store: ReleaseStore,
  input: {
    env: string;
    version: string;
    kind: 'deploy' | 'rollback';
    requestedBy: string;
    /** Added to the audit entry (how the requester authenticated). */
    details?: Readonly<Record<string, string | boolean>>;
  },
): Promise<{ started: Deployment } | { busy: Deployment }> {
  await recoverStale(store, input.env);
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<DeploymentRow>(
      `INSERT INTO deployments (env, version, kind, status, requested_by, holder)
       VALUES ($1, $2, $3, 'deploying', $4, $5)
       ON CONFLICT (env) WHERE finished_at IS NULL DO NOTHING
       RETURNING ${columns}`,
      [input.env, input.version, input.kind, input.requestedBy, thisHolder()],
    );
    if (rows[0] !== undefined) {
      const started = toDeployment(rows[0]);
      await appendAuditIn(tx, store.driver.location, {
        actor: input.requestedBy,
        action: input.kind === 'rollback' ? 'rollback.started' : 'deploy.started',
        subject: `${input.version} ${input.env}`,
        details: { ...input.details, deployment: started.id, holder: started.holder },
      });
      return { started };
    }
    const active = await activeDeployment(tx, input.env);
    if (active === undefined) throw new Error('the deployment lock was released in between');
    return { busy: active };
  });
}

async function activeDeployment(db: SqlExecutor, env: string): Promise<Deployment | undefined> {
  const { rows } = await db.query<DeploymentRow>(
    `SELECT ${columns} FROM deployments WHERE env = $1 AND finished_at IS NULL`,
    [env],
  );
  return rows[0] === undefined ? undefined : toDeployment(rows[0]);
}

/** Moves a working deployment to another working state, and proves the holder alive. */
export async function heartbeat(
  store: ReleaseStore,
  id: number,
  status?: 'deploying' | 'verifying',
): Promise<void> {
  await store.driver.query(
    `UPDATE deployments SET heartbeat_at = now(), status = coalesce($2, status)
      WHERE id = $1 AND finished_at IS NULL`,
    [id, status ?? null],
  );
}

/** Ends a deployment (releasing the lock) with its outcome and log, audited in one transaction. */
export async function finishDeployment(
  store: ReleaseStore,
  deployment: Deployment,
  outcome: {
    status: 'succeeded' | 'failed' | 'cancelled';
    reason?: string;
    log: string;
    actor: string;
  },
): Promise<Deployment> {
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<DeploymentRow>(
      `UPDATE deployments SET status = $2, reason = $3, log = $4, finished_at = now(), heartbeat_at = now()
        WHERE id = $1 AND finished_at IS NULL RETURNING ${columns}`,
      [deployment.id, outcome.status, outcome.reason ?? null, outcome.log],
    );
    if (rows[0] === undefined)
      throw new Error(`deployment ${deployment.id} was ended by someone else (taken for dead?)`);
    const done = toDeployment(rows[0]);
    const verb = deployment.kind === 'rollback' ? 'rollback' : 'deploy';
    await appendAuditIn(tx, store.driver.location, {
      actor: outcome.actor,
      action: `${verb}.${outcome.status}`,
      subject: `${done.version} ${done.env}`,
      details: {
        deployment: done.id,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      },
    });
    return done;
  });
}

/** Deployments of one environment, one version or one status, newest first. */
export async function listDeployments(
  store: ReleaseStore,
  filter: { env?: string; version?: string; status?: DeploymentStatus },
  limit = 50,
): Promise<Deployment[]> {
  const { rows } = await store.driver.query<DeploymentRow>(
    `SELECT ${columns} FROM deployments
      WHERE ($1::text IS NULL OR env = $1) AND ($2::text IS NULL OR version = $2)
        AND ($3::text IS NULL OR status = $3)
      ORDER BY id DESC LIMIT $4`,
    [filter.env ?? null, filter.version ?? null, filter.status ?? null, limit],
  );
  return rows.map(toDeployment);
}

/** What a deploy system reported back about a webhook deploy. */
export interface DeployCallback {
  readonly status: 'succeeded' | 'failed';
  readonly reason?: string;
  readonly output?: string;
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Gives a running deployment a one-time callback token (kept as a hash); returns the token. */
export async function armCallback(store: ReleaseStore, id: number): Promise<string> {
  const token = `us_cb_${randomBytes(24).toString('base64url')}`;
  await store.driver.query(
    'UPDATE deployments SET callback_token_hash = $2 WHERE id = $1 AND finished_at IS NULL',
    [id, tokenHash(token)],
  );
  return token;
}

/** The callback a running deployment got, if any. */
export async function readCallback(
  store: ReleaseStore,
  id: number,
): Promise<DeployCallback | undefined> {
  const { rows } = await store.driver.query<{ callback: unknown }>(
    'SELECT callback FROM deployments WHERE id = $1',
    [id],
  );
  const callback = rows[0]?.callback;
  return callback === null || callback === undefined ? undefined : (callback as DeployCallback);
}

/**
 * Records a deploy system's callback: only with the deployment's token, only while it runs and
 * only once. Audited; the waiting promotion picks it up.
 */
export async function recordCallback(
  store: ReleaseStore,
  id: number,
  token: string,
  callback: DeployCallback,
): Promise<void> {
  await store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<{
      callback_token_hash: unknown;
      finished_at: unknown;
      callback: unknown;
      version: unknown;
      env: unknown;
    }>(
      'SELECT callback_token_hash, finished_at, callback, version, env FROM deployments WHERE id = $1 FOR UPDATE',
      [id],
    );
    const row = rows[0];
    const expected = typeof row?.callback_token_hash === 'string' ? row.callback_token_hash : '';
    const given = tokenHash(token);
    if (
      row === undefined ||
      expected === '' ||
      !timingSafeEqual(Buffer.from(expected), Buffer.from(given))
    )
      throw new UnderstudyError('E_AUTH', `that is not deployment ${id}'s callback token`);
    if (row.finished_at !== null || (row.callback !== null && row.callback !== undefined))
      throw new UnderstudyError(
        'E_BLOCKED',
        `deployment ${id} is no longer waiting for a callback`,
      );
    await tx.query('UPDATE deployments SET callback = $2::jsonb WHERE id = $1', [
      id,
      JSON.stringify(callback),
    ]);
    await appendAuditIn(tx, store.driver.location, {
      actor: 'deploy-webhook',
      action: 'deploy.callback',
      subject: `${toText(row.version, 'deployments.version')} ${toText(row.env, 'deployments.env')}`,
      details: {
        deployment: id,
        status: callback.status,
        ...(callback.reason === undefined ? {} : { reason: callback.reason }),
      },
    });
  });
}

/** How often a running deployment's log is saved for others to follow. */
export const LOG_FLUSH_MS = 1_000;

/** Saves the log so far of a deployment still running. */
export async function saveLog(store: ReleaseStore, id: number, log: string): Promise<void> {
  await store.driver.query(
    'UPDATE deployments SET log = $2 WHERE id = $1 AND finished_at IS NULL',
    [id, log],
  );
}

/** One deployment by id, or undefined. */
export async function getDeployment(
  store: ReleaseStore,
  id: number,
): Promise<Deployment | undefined> {
  const { rows } = await store.driver.query<DeploymentRow>(
    `SELECT ${columns} FROM deployments WHERE id = $1`,
    [id],
  );
  return rows[0] === undefined ? undefined : toDeployment(rows[0]);
}

/** The log kept with a deployment. */
export async function deploymentLog(store: ReleaseStore, id: number): Promise<string> {
  const { rows } = await store.driver.query<{ log: unknown }>(
    'SELECT log FROM deployments WHERE id = $1',
    [id],
  );
  return rows[0] === undefined ? '' : toText(rows[0].log, 'deployments.log');
}
