/**
 * Dashboard sign-in: a person's password, and sessions. A session is a random id in an HttpOnly
 * cookie; the store keeps only its hash, with an anti-forgery token the dashboard sends back on
 * every change. Sessions end after `SESSION_TTL_MS` or at sign-out. A password is set by its
 * owner or by an admin, each with a second factor.
 */
import { randomBytes } from 'node:crypto';
import { appendAuditIn } from '../audit/audit-log.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toText } from '../store/sql-values.js';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords.js';
import {
  authDetails,
  hash,
  personIdentity,
  refuse,
  requireAdmin,
  requirePersonWithCode,
  type Identity,
} from './people.js';

type AccessStore = Pick<Store, 'driver'>;

/** How long a session lasts from sign-in. */
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface Session {
  /** The cookie value: shown to the browser only. */
  readonly id: string;
  readonly csrfToken: string;
  readonly identity: Identity;
  readonly expiresAt: string;
}

/** Sets `name`'s password: the person themself, or an admin; each with a current code. */
export async function setPassword(
  store: AccessStore,
  name: string,
  password: string,
  identity: Identity | undefined,
): Promise<void> {
  const actor = requirePersonWithCode(identity, 'setting a password');
  if (actor.name !== name) requireAdmin(actor, `setting ${name}'s password`);
  checkPasswordStrength(password, name);
  const passwordHash = await hashPassword(password);
  await store.driver.transaction(async (tx) => {
    const { rows } = await tx.query(
      'UPDATE people SET password_hash = $2 WHERE name = $1 RETURNING name',
      [name, passwordHash],
    );
    if (rows.length === 0) throw new UnderstudyError('E_NOT_FOUND', `no person named ${name}`);
    // A new password ends every session signed in with the old one.
    await tx.query('DELETE FROM sessions WHERE person = $1', [name]);
    await appendAuditIn(tx, store.driver.location, {
      actor: actor.name,
      action: 'person.password',
      subject: name,
      details: authDetails(actor),
    });
  });
}

/**
 * Signs `name` in with `password`. A wrong name and a wrong password get the same answer, in
 * the same time; the refusal is audited.
 */
export async function signIn(
  store: AccessStore,
  name: string,
  password: string,
  now: () => Date = () => new Date(),
): Promise<Session> {
  const { rows } = await store.driver.query<{ password_hash: unknown }>(
    'SELECT password_hash FROM people WHERE name = $1',
    [name],
  );
  const stored = rows[0]?.password_hash;
  const ok = await verifyPassword(password, typeof stored === 'string' ? stored : undefined);
  const identity = ok ? await personIdentity(store, name, 'password') : undefined;
  if (identity === undefined)
    return refuse(store, 'wrong name or password', name.slice(0, 64), undefined, 'E_AUTH');
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now().getTime() + SESSION_TTL_MS);
  await store.driver.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO sessions (id_hash, person, csrf_token, expires_at) VALUES ($1, $2, $3, $4)',
      [hash(id), name, csrfToken, expiresAt.toISOString()],
    );
    // Old sessions are swept as new ones begin.
    await tx.query('DELETE FROM sessions WHERE expires_at < now()');
    await appendAuditIn(tx, store.driver.location, {
      actor: name,
      action: 'session.start',
      subject: name,
      details: { auth: 'password' },
    });
  });
  return { id, csrfToken, identity, expiresAt: expiresAt.toISOString() };
}

/** The session behind a cookie; an unknown or expired one is refused with E_AUTH. */
export async function sessionOf(
  store: AccessStore,
  id: string,
  now: () => Date = () => new Date(),
): Promise<Session> {
  const { rows } = await store.driver.query<{
    person: unknown;
    csrf_token: unknown;
    expires_at: unknown;
  }>('SELECT person, csrf_token, expires_at FROM sessions WHERE id_hash = $1', [hash(id)]);
  const row = rows[0];
  if (row === undefined)
    throw new UnderstudyError('E_AUTH', 'not signed in, or the session has ended', {
      hint: 'sign in again',
    });
  const expiresAt = toDate(row.expires_at, 'sessions.expires_at');
  if (expiresAt.getTime() <= now().getTime())
    throw new UnderstudyError('E_AUTH', 'the session has expired', { hint: 'sign in again' });
  const identity = await personIdentity(store, toText(row.person, 'sessions.person'), 'password');
  if (identity === undefined)
    throw new UnderstudyError('E_AUTH', 'the session belongs to nobody the store knows');
  return {
    id,
    csrfToken: toText(row.csrf_token, 'sessions.csrf_token'),
    identity,
    expiresAt: expiresAt.toISOString(),
  };
}

/** Ends a session (sign-out). */
export async function signOut(store: AccessStore, session: Session): Promise<void> {
  await store.driver.transaction(async (tx) => {
    await tx.query('DELETE FROM sessions WHERE id_hash = $1', [hash(session.id)]);
    await appendAuditIn(tx, store.driver.location, {
      actor: session.identity.name,
      action: 'session.end',
      subject: session.identity.name,
      details: { auth: 'password' },
    });
  });
}
