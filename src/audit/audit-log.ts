/**
 * The tamper-evident audit log in the state store: appending (one writer at a time, across
 * processes), listing, verifying the hash chain and exporting it as JSON Lines.
 */
import { UnderstudyError, messageOf } from '../shared/errors.js';
import type { Store } from '../store/open-store.js';
import { toNumber, toText } from '../store/sql-values.js';
import { lockForTransaction, type SqlExecutor, type SqlResult } from '../store/store-port.js';
import {
  ChainVerifier,
  sealEntry,
  type AuditEntry,
  type AuditHead,
  type ChainVerdict,
} from './audit-chain.js';
import { toJsonValue, type JsonValue } from './canonical-json.js';

/** What a caller records; seq, time and hashes are added by `appendAudit`. */
export interface AuditInput {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** Any JSON-able object; stored as JSON (dates become ISO strings). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditQuery {
  /** Only entries with a seq above this one (for paging). */
  readonly after?: number;
  /** At most this many; default 100, at most 1000. */
  readonly limit?: number;
  /** Take the newest `limit` matching entries instead of the oldest; either way they come oldest first. */
  readonly newest?: boolean;
  readonly action?: string;
  readonly actor?: string;
}

/** The audit log needs only the store's driver. */
export type AuditStore = Pick<Store, 'driver'>;

interface EntryRow {
  readonly seq: unknown;
  readonly at: unknown;
  readonly actor: unknown;
  readonly action: unknown;
  readonly subject: unknown;
  readonly details: unknown;
  readonly prev_hash: unknown;
  readonly hash: unknown;
}

// `at` is read as text with microseconds so that a sub-millisecond edit, which a JS Date would
// round away, still changes what is hashed.
const entryColumns = `seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at,
  actor, action, subject, details, prev_hash, hash`;

function toEntry(row: EntryRow): AuditEntry {
  const micro = toText(row.at, 'audit_log.at');
  return {
    seq: toNumber(row.seq, 'audit_log.seq'),
    at: `${micro.endsWith('000') ? micro.slice(0, -3) : micro}Z`,
    actor: toText(row.actor, 'audit_log.actor'),
    action: toText(row.action, 'audit_log.action'),
    subject: toText(row.subject, 'audit_log.subject'),
    details: row.details as { readonly [key: string]: JsonValue },
    prevHash: toText(row.prev_hash, 'audit_log.prev_hash'),
    hash: toText(row.hash, 'audit_log.hash'),
  };
}

async function readHead(db: SqlExecutor, forUpdate = false): Promise<AuditHead | undefined> {
  const { rows } = await db.query<{ seq: unknown; hash: unknown }>(
    `SELECT seq, hash FROM audit_head WHERE id${forUpdate ? ' FOR UPDATE' : ''}`,
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { seq: toNumber(row.seq, 'audit_head.seq'), hash: toText(row.hash, 'audit_head.hash') };
}

function checkInput(input: AuditInput): { readonly [key: string]: JsonValue } {
  for (const key of ['actor', 'action'] as const) {
    if (typeof input[key] !== 'string' || input[key].trim() === '') {
      throw new UnderstudyError('E_INPUT', `an audit entry needs a non-empty ${key}`);
    }
  }
  let details: JsonValue;
  try {
    details = toJsonValue(input.details ?? {});
  } catch (error) {
    throw new UnderstudyError('E_INPUT', `audit entry details must be JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    throw new UnderstudyError('E_INPUT', 'audit entry details must be an object');
  }
  return details as { readonly [key: string]: JsonValue };
}

/**
 * Appends an entry and moves the head in one transaction. The advisory lock makes writers in
 * several processes take turns, so the chain never forks.
 */
export async function appendAudit(
  store: AuditStore,
  input: AuditInput,
  now: () => Date = () => new Date(),
): Promise<AuditEntry> {
  return store.driver.transaction((tx) => appendAuditIn(tx, store.driver.location, input, now));
}

/**
 * Appends an entry inside the caller's transaction `tx`, so an action and its audit entry are
 * committed together or not at all. `location` names the store in errors.
 */
export async function appendAuditIn(
  tx: SqlExecutor,
  location: string,
  input: AuditInput,
  now: () => Date = () => new Date(),
): Promise<AuditEntry> {
  const details = checkInput(input);
  await lockForTransaction(tx, 'audit');
  const head = await readHead(tx, true);
  if (head === undefined) {
    throw new UnderstudyError(
      'E_STORE',
      `the audit log head record in the store at ${location} is missing`,
      {
        hint: 'the log was tampered with; run `understudy audit verify`',
      },
    );
  }
  // Taken under the lock, so times follow seq order; a JS Date has milliseconds, which
  // timestamptz (microseconds) stores exactly, so the hashed text round-trips.
  const at = now().toISOString();
  const entry = sealEntry(
    {
      seq: head.seq + 1,
      at,
      actor: input.actor,
      action: input.action,
      subject: input.subject,
      details,
    },
    head.hash,
  );
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)
     VALUES ($1, $2::timestamptz, $3, $4, $5, $6::jsonb, $7, $8)`,
    [
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(entry.details),
      entry.prevHash,
      entry.hash,
    ],
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id', [entry.seq, entry.hash]);
  return entry;
}

/** Entries in seq order, filtered and paged. */
export async function listAudit(
  store: AuditStore,
  query: AuditQuery = {},
): Promise<readonly AuditEntry[]> {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UnderstudyError(
      'E_INPUT',
      `an audit list limit must be a whole number from 1 to 1000, got ${limit}`,
    );
  }
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (sql: string, value: unknown): void => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (query.after !== undefined) where('seq > ?', query.after);
  if (query.action !== undefined) where('action = ?', query.action);
  if (query.actor !== undefined) where('actor = ?', query.actor);
  params.push(limit);
  const filter = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const { rows } = await store.driver.query<EntryRow>(
    `SELECT ${entryColumns} FROM audit_log ${filter}
     ORDER BY seq ${query.newest === true ? 'DESC' : ''} LIMIT $${params.length}`,
    params,
  );
  const entries = rows.map(toEntry);
  return query.newest === true ? entries.reverse() : entries;
}

/** The recorded head (newest seq and hash), or undefined when the head record is missing. */
export async function readAuditHead(store: AuditStore): Promise<AuditHead | undefined> {
  return readHead(store.driver);
}

/** Reads all entries in seq order a page at a time, so a long log is never held in memory. */
async function* readEntries(tx: SqlExecutor, pageSize: number): AsyncGenerator<AuditEntry> {
  let after: number | null = null;
  for (;;) {
    const page: SqlResult<EntryRow> = await tx.query<EntryRow>(
      `SELECT ${entryColumns} FROM audit_log WHERE ($1::bigint IS NULL OR seq > $1::bigint) ORDER BY seq LIMIT $2`,
      [after, pageSize],
    );
    const entries: AuditEntry[] = page.rows.map(toEntry);
    yield* entries;
    const last: AuditEntry | undefined = entries[entries.length - 1];
    if (last === undefined || entries.length < pageSize) return;
    after = last.seq;
  }
}

/** Runs `fn` on one consistent snapshot, so entries appended meanwhile do not look like forgeries. */
function inSnapshot<T>(store: AuditStore, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  return store.driver.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

/** Checks the whole chain and the head; names the first bad entry when it is broken. */
export async function verifyAudit(
  store: AuditStore,
  options: { readonly pageSize?: number } = {},
): Promise<ChainVerdict> {
  return inSnapshot(store, async (tx) => {
    const head = await readHead(tx);
    const verifier = new ChainVerifier();
    for await (const entry of readEntries(tx, options.pageSize ?? 1000))
      if (!verifier.push(entry)) break;
    const verdict = verifier.finish(head);
    if (!verdict.ok || head !== undefined) return verdict;
    return {
      ok: false,
      count: verdict.count,
      firstBad: {
        seq: verdict.count,
        reason: 'head-missing',
        message: 'the audit head record is missing: deleting the newest entries would go unnoticed',
      },
    };
  });
}

/** Writes every entry as one JSON line (fields in a fixed order); returns the count and the head to anchor elsewhere. */
export async function exportAudit(
  store: AuditStore,
  writeLine: (line: string) => void | Promise<void>,
): Promise<{ readonly count: number; readonly head: AuditHead | undefined }> {
  return inSnapshot(store, async (tx) => {
    let count = 0;
    for await (const e of readEntries(tx, 1000)) {
      const { seq, at, actor, action, subject, details, prevHash, hash } = e;
      await writeLine(JSON.stringify({ seq, at, actor, action, subject, details, prevHash, hash }));
      count++;
    }
    return { count, head: await readHead(tx) };
  });
}
