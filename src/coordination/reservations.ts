/**
 * Reservations of a shared environment: a lease for a while, or a place in a first-come queue.
 * A lease expires unless extended, and never runs past the maximum hold from when it was
 * granted. There is no background process: whoever looks (reserve, reservations, a promotion)
 * first ends leases past their time and grants the next in line, under an advisory lock, so
 * the queue moves the same whichever process does it. Every change is audited.
 */
import { appendAuditIn } from '../audit/audit-log.js';
import type { Config } from '../config/config-schema.js';
import { notify, type Notice, type NotifyFailure } from '../notify/notify.js';
import { listDeployments } from '../release/deployments-repository.js';
import { parseDuration } from '../shared/duration.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';
import { lockForTransaction, type SqlExecutor } from '../store/store-port.js';

type CoordinationStore = Pick<Store, 'driver'>;

export interface Reservation {
  readonly id: number;
  readonly env: string;
  readonly holder: string;
  readonly reason: string;
  readonly status: 'queued' | 'held' | 'released' | 'expired';
  readonly durationMs: number;
  readonly requestedAt: string;
  readonly grantedAt?: string;
  readonly expiresAt?: string;
  readonly maxUntil?: string;
}

interface Row {
  readonly id: unknown;
  readonly env: unknown;
  readonly holder: unknown;
  readonly reason: unknown;
  readonly status: unknown;
  readonly duration_ms: unknown;
  readonly requested_at: unknown;
  readonly granted_at: unknown;
  readonly expires_at: unknown;
  readonly max_until: unknown;
}

const columns =
  'id, env, holder, reason, status, duration_ms, requested_at, granted_at, expires_at, max_until';

function toReservation(row: Row): Reservation {
  const at = (value: unknown, column: string): string | undefined =>
    value === null ? undefined : toDate(value, column).toISOString();
  const grantedAt = at(row.granted_at, 'reservations.granted_at');
  const expiresAt = at(row.expires_at, 'reservations.expires_at');
  const maxUntil = at(row.max_until, 'reservations.max_until');
  return {
    id: toNumber(row.id, 'reservations.id'),
    env: toText(row.env, 'reservations.env'),
    holder: toText(row.holder, 'reservations.holder'),
    reason: toText(row.reason, 'reservations.reason'),
    status: toText(row.status, 'reservations.status') as Reservation['status'],
    durationMs: toNumber(row.duration_ms, 'reservations.duration_ms'),
    requestedAt: toDate(row.requested_at, 'reservations.requested_at').toISOString(),
    ...(grantedAt === undefined ? {} : { grantedAt }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(maxUntil === undefined ? {} : { maxUntil }),
  };
}

/** What moving the queue did, for the caller to tell (and notify) about. */
export interface QueueMoves {
  readonly expired: readonly Reservation[];
  readonly granted: readonly Reservation[];
}

/**
 * In `tx` (holding the reservations lock): ends leases of `env` past their time and grants the
 * oldest queued request when the environment is free. `maxMs` caps each new lease's hold.
 */
async function advance(
  tx: SqlExecutor,
  location: string,
  env: string,
  maxMs: number,
): Promise<QueueMoves> {
  const ended = await tx.query<Row>(
    `UPDATE reservations SET status = 'expired', ended_at = now()
      WHERE env = $1 AND status = 'held' AND expires_at <= now() RETURNING ${columns}`,
    [env],
  );
  const expired = ended.rows.map(toReservation);
  for (const r of expired)
    await appendAuditIn(tx, location, {
      actor: 'understudy',
      action: 'reservation.expired',
      subject: env,
      details: { reservation: r.id, holder: r.holder },
    });
  const granted: Reservation[] = [];
  const held = await tx.query(`SELECT 1 FROM reservations WHERE env = $1 AND status = 'held'`, [
    env,
  ]);
  if (held.rows.length === 0) {
    const { rows } = await tx.query<Row>(
      `UPDATE reservations SET status = 'held', granted_at = now(),
              max_until = now() + make_interval(secs => $2::double precision / 1000),
              expires_at = now() + make_interval(secs => LEAST(duration_ms, $2)::double precision / 1000)
        WHERE id = (SELECT id FROM reservations WHERE env = $1 AND status = 'queued' ORDER BY id LIMIT 1)
        RETURNING ${columns}`,
      [env, maxMs],
    );
    for (const row of rows) {
      const r = toReservation(row);
      granted.push(r);
      await appendAuditIn(tx, location, {
        actor: 'understudy',
        action: 'reservation.granted',
        subject: env,
        details: { reservation: r.id, holder: r.holder, until: r.expiresAt ?? '' },
      });
    }
  }
  return { expired, granted };
}

async function ofEnv(db: SqlExecutor, env: string): Promise<Reservation[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${columns} FROM reservations WHERE env = $1 AND status IN ('held', 'queued') ORDER BY status = 'queued', id`,
    [env],
  );
  return rows.map(toReservation);
}

/**
 * Asks for `env` for `durationMs` on behalf of `holder`: granted at once when free, else queued
 * behind those who asked first. Asking again while holding it extends the lease with `extend`
 * (up to the maximum hold); while queued, it keeps the place.
 */
export async function reserve(
  store: CoordinationStore,
  input: { env: string; holder: string; reason: string; durationMs: number; extend: boolean },
  maxMs: number,
): Promise<{ reservation: Reservation; position: number; moves: QueueMoves; extended: boolean }> {
  if (input.durationMs > maxMs)
    throw new UnderstudyError(
      'E_INPUT',
      `a lease of ${input.durationMs / 60_000} min is longer than the maximum hold (${maxMs / 60_000} min)`,
      { hint: 'ask for less, or raise reservations.max in understudy.yaml' },
    );
  return store.driver.transaction(async (tx) => {
    await lockForTransaction(tx, 'reservations');
    const before = await advance(tx, store.driver.location, input.env, maxMs);
    const mine = (await ofEnv(tx, input.env)).find((r) => r.holder === input.holder);
    if (mine !== undefined) {
      if (mine.status === 'held' && input.extend) {
        const { rows } = await tx.query<Row>(
          `UPDATE reservations
              SET expires_at = LEAST(now() + make_interval(secs => $2::double precision / 1000), max_until)
            WHERE id = $1 RETURNING ${columns}`,
          [mine.id, input.durationMs],
        );
        const extended = toReservation(rows[0]!);
        await appendAuditIn(tx, store.driver.location, {
          actor: input.holder,
          action: 'reservation.extended',
          subject: input.env,
          details: { reservation: mine.id, until: extended.expiresAt ?? '' },
        });
        return { reservation: extended, position: 0, moves: before, extended: true };
      }
      const queue = (await ofEnv(tx, input.env)).filter((r) => r.status === 'queued');
      return {
        reservation: mine,
        position: mine.status === 'held' ? 0 : queue.findIndex((r) => r.id === mine.id) + 1,
        moves: before,
        extended: false,
      };
    }
    if (input.extend)
      throw new UnderstudyError(
        'E_INPUT',
        `${input.holder} holds no lease on ${input.env} to extend`,
        {
          hint: `reserve it first: understudy reserve ${input.env} --for 2h --reason …`,
        },
      );
    const { rows } = await tx.query<{ id: unknown }>(
      `INSERT INTO reservations (env, holder, reason, status, duration_ms) VALUES ($1, $2, $3, 'queued', $4) RETURNING id`,
      [input.env, input.holder, input.reason, input.durationMs],
    );
    const id = toNumber(rows[0]?.id, 'reservations.id');
    await appendAuditIn(tx, store.driver.location, {
      actor: input.holder,
      action: 'reservation.requested',
      subject: input.env,
      details: { reservation: id, reason: input.reason, durationMs: input.durationMs },
    });
    const after = await advance(tx, store.driver.location, input.env, maxMs);
    const all = await ofEnv(tx, input.env);
    const reservation = all.find((r) => r.id === id)!;
    const queue = all.filter((r) => r.status === 'queued');
    return {
      reservation,
      position: reservation.status === 'held' ? 0 : queue.findIndex((r) => r.id === id) + 1,
      moves: {
        expired: [...before.expired, ...after.expired],
        granted: [...before.granted, ...after.granted],
      },
      extended: false,
    };
  });
}

/** Gives up `holder`'s lease or place on `env`; the next in line is granted. */
export async function releaseReservation(
  store: CoordinationStore,
  env: string,
  holder: string,
  maxMs: number,
): Promise<{ released: Reservation; moves: QueueMoves }> {
  return store.driver.transaction(async (tx) => {
    await lockForTransaction(tx, 'reservations');
    const { rows } = await tx.query<Row>(
      `UPDATE reservations SET status = 'released', ended_at = now()
        WHERE env = $1 AND holder = $2 AND status IN ('held', 'queued') RETURNING ${columns}`,
      [env, holder],
    );
    if (rows[0] === undefined)
      throw new UnderstudyError('E_INPUT', `${holder} holds no reservation of ${env}`, {
        hint: 'see `understudy reservations`',
      });
    const released = toReservation(rows[0]);
    await appendAuditIn(tx, store.driver.location, {
      actor: holder,
      action: 'reservation.released',
      subject: env,
      details: { reservation: released.id },
    });
    return { released, moves: await advance(tx, store.driver.location, env, maxMs) };
  });
}

/** Who holds and who waits for each of `envs`, the queue moved first (and how it moved). */
export async function reservationsOf(
  store: CoordinationStore,
  envs: readonly string[],
  maxMs: number,
  options: { readonly move?: boolean } = {},
): Promise<{ byEnv: Map<string, Reservation[]>; moves: QueueMoves }> {
  if (options.move === false) {
    // Only looking (a dashboard's read): the rows as they are, the queue left to those who act.
    const byEnv = new Map<string, Reservation[]>();
    for (const env of envs) byEnv.set(env, await ofEnv(store.driver, env));
    return { byEnv, moves: { expired: [], granted: [] } };
  }
  return store.driver.transaction(async (tx) => {
    await lockForTransaction(tx, 'reservations');
    const byEnv = new Map<string, Reservation[]>();
    const expired: Reservation[] = [];
    const granted: Reservation[] = [];
    for (const env of envs) {
      const moves = await advance(tx, store.driver.location, env, maxMs);
      expired.push(...moves.expired);
      granted.push(...moves.granted);
      byEnv.set(env, await ofEnv(tx, env));
    }
    return { byEnv, moves: { expired, granted } };
  });
}

/** Tells the webhooks about leases that ended by time and leases granted. */
export async function notifyMoves(
  config: Pick<Config, 'notifications' | 'project'>,
  moves: QueueMoves,
): Promise<NotifyFailure[]> {
  const notices: Notice[] = [
    ...moves.expired.map((r) => ({
      event: 'reservation.expired' as const,
      subject: r.env,
      text: `${r.holder}'s lease on ${r.env} expired`,
      details: { holder: r.holder, reason: r.reason },
    })),
    ...moves.granted.map((r) => ({
      event: 'reservation.granted' as const,
      subject: r.env,
      text: `${r.holder} holds ${r.env} until ${r.expiresAt ?? '?'} (${r.reason})`,
      details: { holder: r.holder, reason: r.reason, until: r.expiresAt ?? null },
    })),
  ];
  return (await Promise.all(notices.map((n) => notify(config, n)))).flat();
}

/** Refuses an environment the config does not declare. */
export function checkEnvironment(config: Config, env: string): string {
  if (config.environments[env] === undefined)
    throw new UnderstudyError('E_INPUT', `there is no environment ${env}`, {
      hint: `declared: ${Object.keys(config.environments).join(', ')}`,
    });
  return env;
}

/** The longest a lease may run from when it was granted (reservations.max). */
export const maxHold = (config: Config): number =>
  parseDuration(config.reservations.max) ?? 8 * 3_600_000;

/** A lease's length when none is asked for (reservations.default). */
export const defaultHold = (config: Config): number =>
  parseDuration(config.reservations.default) ?? 7_200_000;

export interface BoardRow {
  readonly env: string;
  /** The version it runs, from its last successful deployment. */
  readonly running: string | null;
  readonly holder: Reservation | null;
  readonly queue: readonly Reservation[];
}

/**
 * Every environment: who holds it, who waits, what runs there — the queue moved first, unless
 * `move` is false (a read that must change nothing).
 */
export async function reservationBoard(
  store: CoordinationStore,
  config: Config,
  options: { readonly move?: boolean } = {},
): Promise<{ rows: BoardRow[]; moves: QueueMoves }> {
  const envs = Object.keys(config.environments);
  const { byEnv, moves } = await reservationsOf(store, envs, maxHold(config), options);
  const rows = await Promise.all(
    envs.map(async (env) => {
      const all: Reservation[] = byEnv.get(env) ?? [];
      return {
        env,
        running:
          (await listDeployments(store, { env, status: 'succeeded' }, 1))[0]?.version ?? null,
        holder: all.find((r) => r.status === 'held') ?? null,
        queue: all.filter((r) => r.status === 'queued'),
      };
    }),
  );
  return { rows, moves };
}
