/**
 * People and CI tokens in the store, and proving who is acting. A person holds a personal token
 * (given once, kept only as a hash) and a TOTP secret enrolled in an authenticator app; a CI
 * token holds scoped roles and no second factor. The first person added becomes admin of every
 * environment (there is nobody yet to ask); after that only an admin, with a second factor, adds
 * people and tokens. A TOTP code is accepted once: its time step is remembered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verifySync } from 'otplib';
import { appendAudit, appendAuditIn } from '../audit/audit-log.js';
import { UnderstudyError } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toDate, toNumber, toText } from '../store/sql-values.js';
import { checkPasswordStrength, hashPassword } from './passwords.js';
import { allows, describeRoles, roleMap, type RoleMap } from './roles.js';

type AccessStore = Pick<Store, 'driver'>;

/** Who is acting, and how they proved it. */
export interface Identity {
  readonly kind: 'person' | 'ci-token';
  /** The person's name, or `ci:NAME` for a CI token. */
  readonly name: string;
  readonly roles: RoleMap;
  readonly auth: 'personal-token' | 'ci-token' | 'password';
  /** A current TOTP code was given and accepted. */
  readonly secondFactor: boolean;
}

/** What the audit log records of how an actor authenticated. */
export function authDetails(identity: Identity | undefined): Record<string, string | boolean> {
  return identity === undefined
    ? { auth: 'none' }
    : { auth: identity.auth, secondFactor: identity.secondFactor };
}

export interface PersonSummary {
  readonly name: string;
  readonly roles: RoleMap;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** What adding a person hands out, once. */
export interface Enrolment {
  readonly person: PersonSummary;
  /** The personal token: shown once, stored only as a hash. */
  readonly token: string;
  readonly totpSecret: string;
  /** `otpauth://totp/…`, for the QR code. */
  readonly otpauthUri: string;
  /** The first person: made admin of every environment. */
  readonly bootstrap: boolean;
}

const namePattern = /^[a-z][a-z0-9._-]{0,63}$/;
export const hash = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

function checkName(name: string, what: string): void {
  if (!namePattern.test(name))
    throw new UnderstudyError('E_USAGE', `"${name}" is not a ${what} name`, {
      hint: 'use lower-case letters, digits and . _ - (a letter first, at most 64)',
    });
}

async function peopleCount(store: AccessStore): Promise<number> {
  const { rows } = await store.driver.query<{ n: unknown }>('SELECT count(*) AS n FROM people');
  return toNumber(rows[0]?.n, 'count');
}

/** Requires a person (not a CI token) who gave a current code; `what` names the action. */
export function requirePersonWithCode(identity: Identity | undefined, what: string): Identity {
  if (identity === undefined || identity.kind !== 'person')
    throw new UnderstudyError(
      'E_BLOCKED',
      `${what} needs a person: set UNDERSTUDY_TOKEN to your token`,
      { hint: 'and give a current code with --totp' },
    );
  if (!identity.secondFactor)
    throw new UnderstudyError(
      'E_BLOCKED',
      `${what} needs a second factor: give a current code with --totp ("totp" over the API)`,
    );
  return identity;
}

/** Requires an admin who gave a current code. */
export function requireAdmin(identity: Identity | undefined, action: string): Identity {
  if (identity === undefined)
    throw new UnderstudyError(
      'E_BLOCKED',
      `${action} needs an admin: set UNDERSTUDY_TOKEN to an admin's token`,
      { hint: 'and give a current code with --totp' },
    );
  const person = requirePersonWithCode(identity, action);
  if (!allows(person.roles, '*', 'administer'))
    throw new UnderstudyError(
      'E_BLOCKED',
      `${action} needs an admin; ${person.name} holds ${describeRoles(person.roles)}`,
    );
  return person;
}

/** Adds a person with roles, handing out their token and TOTP enrolment. */
export async function addPerson(
  store: AccessStore,
  input: { name: string; grants: readonly string[]; password?: string },
  acting: { identity?: Identity; fallbackActor: string },
): Promise<Enrolment> {
  checkName(input.name, 'person');
  if (input.password !== undefined) checkPasswordStrength(input.password, input.name);
  let roles = roleMap(input.grants);
  const bootstrap = (await peopleCount(store)) === 0;
  const creator = bootstrap
    ? (acting.identity?.name ?? acting.fallbackActor)
    : requireAdmin(acting.identity, 'adding a person').name;
  if (bootstrap) roles = { ...roles, '*': [...new Set([...(roles['*'] ?? []), 'admin' as const])] };
  const token = newToken('us_pat_');
  const totpSecret = generateSecret();
  // A password given here lets the person sign in to the dashboard from the start.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return store.driver.transaction(async (tx) => {
    const { rows } = await tx.query<{ created_at: unknown }>(
      `INSERT INTO people (name, roles, token_hash, totp_secret, created_by, password_hash)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING created_at`,
      [input.name, JSON.stringify(roles), hash(token), totpSecret, creator, passwordHash],
    );
    if (rows[0] === undefined)
      throw new UnderstudyError('E_INPUT', `${input.name} already exists`, {
        hint: 'see `understudy user list`',
      });
    await appendAuditIn(tx, store.driver.location, {
      actor: creator,
      action: 'person.add',
      subject: input.name,
      details: {
        roles: describeRoles(roles),
        bootstrap,
        password: passwordHash !== null,
        ...authDetails(acting.identity),
      },
    });
    return {
      person: {
        name: input.name,
        roles,
        createdBy: creator,
        createdAt: toDate(rows[0].created_at, 'people.created_at').toISOString(),
      },
      token,
      totpSecret,
      otpauthUri: generateURI({ issuer: 'Understudy', label: input.name, secret: totpSecret }),
      bootstrap,
    };
  });
}

/** Creates a scoped CI token (admin only); returns it, shown once. */
export async function createCiToken(
  store: AccessStore,
  input: { name: string; grants: readonly string[] },
  identity: Identity | undefined,
): Promise<{ name: string; scopes: RoleMap; token: string }> {
  checkName(input.name, 'token');
  const admin = requireAdmin(identity, 'creating a CI token');
  const scopes = roleMap(input.grants);
  if (Object.keys(scopes).length === 0)
    throw new UnderstudyError('E_USAGE', 'a CI token needs at least one --scope ENV:ROLE');
  const token = newToken('us_ci_');
  await store.driver.transaction(async (tx) => {
    const { rows } = await tx.query(
      `INSERT INTO api_tokens (name, scopes, token_hash, created_by) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [input.name, JSON.stringify(scopes), hash(token), admin.name],
    );
    if (rows.length === 0)
      throw new UnderstudyError('E_INPUT', `a CI token named ${input.name} already exists`);
    await appendAuditIn(tx, store.driver.location, {
      actor: admin.name,
      action: 'token.create',
      subject: `ci:${input.name}`,
      details: { scopes: describeRoles(scopes), ...authDetails(admin) },
    });
  });
  return { name: input.name, scopes, token };
}

/** People, by name. */
export async function listPeople(store: AccessStore): Promise<PersonSummary[]> {
  const { rows } = await store.driver.query<{
    name: unknown;
    roles: unknown;
    created_by: unknown;
    created_at: unknown;
  }>('SELECT name, roles, created_by, created_at FROM people ORDER BY name');
  return rows.map((r) => ({
    name: toText(r.name, 'people.name'),
    roles: r.roles as RoleMap,
    createdBy: toText(r.created_by, 'people.created_by'),
    createdAt: toDate(r.created_at, 'people.created_at').toISOString(),
  }));
}

/** Audits a refused sign-in or code, then refuses it. */
export async function refuse(
  store: AccessStore,
  message: string,
  subject: string,
  hint?: string,
  code: 'E_INPUT' | 'E_AUTH' = 'E_INPUT',
): Promise<never> {
  await appendAudit(store, {
    actor: subject,
    action: 'auth.failed',
    subject,
    details: { reason: message },
  });
  throw new UnderstudyError(code, message, hint === undefined ? {} : { hint });
}

/**
 * Checks a person's TOTP code: current (one step either side), and newer than the last code
 * they used, so a code works once. A wrong, expired or reused code is refused and audited.
 */
export async function checkCode(
  store: AccessStore,
  name: string,
  totp: string,
  now: () => Date = () => new Date(),
): Promise<void> {
  const { rows } = await store.driver.query<{ totp_secret: unknown; totp_last_step: unknown }>(
    'SELECT totp_secret, totp_last_step FROM people WHERE name = $1',
    [name],
  );
  const person = rows[0];
  if (person === undefined) throw new UnderstudyError('E_NOT_FOUND', `no person named ${name}`);
  const code = totp.replace(/\s/g, '');
  const result = /^\d{6}$/.test(code)
    ? verifySync({
        secret: toText(person.totp_secret, 'people.totp_secret'),
        token: code,
        epoch: Math.floor(now().getTime() / 1000),
        epochTolerance: 30,
        afterTimeStep: toNumber(person.totp_last_step, 'people.totp_last_step'),
      })
    : { valid: false as const };
  if (!result.valid || !('timeStep' in result))
    return refuse(
      store,
      `the TOTP code for ${name} is wrong, expired or already used`,
      name,
      'give the current 6-digit code from your authenticator app; each code works once',
    );
  // Remembered, so the same code cannot be replayed; a race loses to the first use.
  const updated = await store.driver.query(
    'UPDATE people SET totp_last_step = $2 WHERE name = $1 AND totp_last_step < $2 RETURNING name',
    [name, result.timeStep],
  );
  if (updated.rows.length === 0)
    return refuse(
      store,
      `the TOTP code for ${name} was already used`,
      name,
      'wait for the next code',
    );
}

/** A person's identity as it stands in the store (signed in by password or token). */
export async function personIdentity(
  store: AccessStore,
  name: string,
  auth: Identity['auth'],
): Promise<Identity | undefined> {
  const { rows } = await store.driver.query<{ roles: unknown }>(
    'SELECT roles FROM people WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { kind: 'person', name, roles: row.roles as RoleMap, auth, secondFactor: false };
}

/**
 * Who `token` belongs to; with `totp`, the person's code is checked (once per time step). A
 * wrong token or code is refused, and the refusal is audited.
 */
export async function resolveIdentity(
  store: AccessStore,
  token: string,
  totp: string | undefined,
  now: () => Date = () => new Date(),
): Promise<Identity> {
  const tokenHash = hash(token);
  const people = await store.driver.query<{ name: unknown; roles: unknown }>(
    'SELECT name, roles FROM people WHERE token_hash = $1',
    [tokenHash],
  );
  const person = people.rows[0];
  if (person !== undefined) {
    const name = toText(person.name, 'people.name');
    const roles = person.roles as RoleMap;
    if (totp !== undefined) await checkCode(store, name, totp, now);
    return {
      kind: 'person',
      name,
      roles,
      auth: 'personal-token',
      secondFactor: totp !== undefined,
    };
  }
  const tokens = await store.driver.query<{ name: unknown; scopes: unknown }>(
    'SELECT name, scopes FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
    [tokenHash],
  );
  const ci = tokens.rows[0];
  if (ci !== undefined)
    return {
      kind: 'ci-token',
      name: `ci:${toText(ci.name, 'api_tokens.name')}`,
      roles: ci.scopes as RoleMap,
      auth: 'ci-token',
      secondFactor: false,
    };
  return refuse(
    store,
    'UNDERSTUDY_TOKEN is not a token this store knows (or it was revoked)',
    'unknown-token',
  );
}
