/**
 * Connections to PostgreSQL databases named by URL. The only place outside the store adapter that
 * imports `pg`; failures to connect become `E_UNREACHABLE` errors that name the server but never
 * its password.
 */
import pg from 'pg';
import { UnderstudyError, messageOf } from '../shared/errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Client = pg.Client;

/** `postgres://user@host:port/db` with the password removed, for messages and reports. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/^(postgres(?:ql)?:\/\/[^:@/]*):?@/, '$1@');
  } catch {
    return '(an unparsable database URL)';
  }
}

/** Wraps a connection failure into one line that says which server and why. */
export function unreachable(url: string, error: unknown, what = 'database'): UnderstudyError {
  return new UnderstudyError(
    'E_UNREACHABLE',
    `cannot reach the ${what} at ${describeUrl(url)}: ${messageOf(error)}`,
    {
      hint: 'check that the server is running and that the URL, user and password are right',
      cause: error,
    },
  );
}

function checkUrl(url: string, what: string): void {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UnderstudyError(
      'E_INPUT',
      `the ${what} URL must start with postgres:// or postgresql://`,
      {
        hint: `got ${describeUrl(url)}`,
      },
    );
  }
}

/** Opens one client connection; rejects with `E_UNREACHABLE` when the server cannot be reached. */
export async function connect(
  url: string,
  options: { applicationName?: string; what?: string } = {},
): Promise<Client> {
  const what = options.what ?? 'database';
  checkUrl(url, what);
  const client = new pg.Client({
    connectionString: url,
    application_name: options.applicationName ?? 'understudy',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client whose server goes away emits 'error'; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(url, error, what);
  }
  return client;
}

/** Creates a pool and checks one connection, so an unreachable server fails here and not later. */
export async function openPool(
  url: string,
  options: { applicationName?: string; max?: number; what?: string } = {},
): Promise<Pool> {
  const what = options.what ?? 'database';
  checkUrl(url, what);
  const pool = new pg.Pool({
    connectionString: url,
    application_name: options.applicationName ?? 'understudy',
    max: options.max ?? 4,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(url, error, what);
  }
  return pool;
}
