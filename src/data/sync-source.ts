/**
 * The source's side of a sync: one exported snapshot that the coordinator and every copying
 * connection read in, so all tables are copied as of one instant; and what is read in it besides
 * rows — table sizes for planning chunks, sequence positions, whether large objects exist.
 */
import { connect, type Client } from '../postgres/connection.js';
import type { QualifiedName, SchemaModel } from '../postgres/schema-model.js';
import { qualified } from './ddl-names.js';

/** Opens a read-only repeatable-read transaction on `client` and exports its snapshot. */
export async function exportSnapshot(client: Client): Promise<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const { rows } = await client.query<{ id: string }>(
    'SELECT pg_catalog.pg_export_snapshot() AS id',
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('pg_export_snapshot returned nothing');
  return id;
}

/** Opens a source connection reading in the exported snapshot. */
export async function connectInSnapshot(url: string, snapshot: string): Promise<Client> {
  const client = await connect(url, {
    what: 'source database',
    applicationName: 'understudy sync',
  });
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replaceAll("'", "''")}'`);
    // Rows are read in a fixed text form whatever the role's settings, and written back as such.
    await client.query("SET LOCAL client_encoding = 'UTF8'");
    await client.query('SET LOCAL extra_float_digits = 3');
    await client.query("SET LOCAL DateStyle = 'ISO, YMD'");
    await client.query("SET LOCAL IntervalStyle = 'postgres'");
    await client.query("SET LOCAL TimeZone = 'UTC'");
    await client.query("SET LOCAL bytea_output = 'hex'");
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * On-disk size of each table in bytes, the planner's row estimate (`reltuples`; 0 for a table
 * never analysed), and the block size, keyed by `schema.name`.
 */
export async function tableSizes(
  client: Client,
  model: SchemaModel,
): Promise<{
  readonly sizes: ReadonlyMap<string, number>;
  readonly rows: ReadonlyMap<string, number>;
  readonly blockSize: number;
}> {
  const names = model.tables.map((t) => qualified(t));
  const { rows } = await client.query<{ name: string; size: string; estimate: number }>(
    `SELECT n.name, pg_catalog.pg_relation_size(c.oid)::text AS size,
            GREATEST(c.reltuples, 0)::float8 AS estimate
     FROM pg_catalog.unnest($1::text[]) AS n(name)
     JOIN pg_catalog.pg_class c ON c.oid = n.name::regclass`,
    [names],
  );
  const block = await client.query<{ size: string }>(
    "SELECT pg_catalog.current_setting('block_size') AS size",
  );
  const sizes = new Map<string, number>();
  const estimates = new Map<string, number>();
  model.tables.forEach((t, i) => {
    const row = rows.find((r) => r.name === names[i]);
    sizes.set(`${t.schema}.${t.name}`, Number(row?.size ?? 0));
    estimates.set(`${t.schema}.${t.name}`, Math.round(Number(row?.estimate ?? 0)));
  });
  return { sizes, rows: estimates, blockSize: Number(block.rows[0]?.size ?? 8192) };
}

/** A sequence to position on the target, with the source's position. */
export interface SequenceState {
  readonly sequence: QualifiedName;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** Every sequence of the model, owned, standalone or identity. */
export function allSequences(model: SchemaModel): QualifiedName[] {
  const out: QualifiedName[] = model.sequences.map((s) => ({ schema: s.schema, name: s.name }));
  for (const t of model.tables) {
    for (const c of t.columns) {
      if (c.identity !== null)
        out.push({ schema: c.identity.sequence.schema, name: c.identity.sequence.name });
    }
  }
  return out;
}

/**
 * The source's sequence positions. Sequences are not transactional, so this is where they stand
 * now, never behind a value in the snapshot's rows: the copy continues after the source's last
 * value, like production would, whatever rows were filtered out.
 */
export async function sequenceStates(client: Client, model: SchemaModel): Promise<SequenceState[]> {
  const sequences = allSequences(model);
  const out: SequenceState[] = [];
  for (let i = 0; i < sequences.length; i += 200) {
    const batch = sequences.slice(i, i + 200);
    const sql = batch
      .map(
        (s, k) =>
          `SELECT ${k} AS k, last_value::text AS value, is_called AS called FROM ${qualified(s)}`,
      )
      .join(' UNION ALL ');
    const { rows } = await client.query<{ k: number; value: string; called: boolean }>(sql);
    for (const row of rows) {
      const sequence = batch[row.k];
      if (sequence !== undefined)
        out.push({ sequence, lastValue: row.value, isCalled: row.called });
    }
  }
  return out;
}

/** Positions the target's sequences as the source's are. */
export async function setSequences(
  client: Client,
  states: readonly SequenceState[],
): Promise<void> {
  if (states.length === 0) return;
  await client.query(
    `SELECT pg_catalog.setval(s.name::regclass, s.value::bigint, s.called)
     FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::bool[]))
       AS s(name, value, called)`,
    [
      states.map((s) => qualified(s.sequence)),
      states.map((s) => s.lastValue),
      states.map((s) => s.isCalled),
    ],
  );
}

/** How many large objects the source has: they are not copied. */
export async function largeObjectCount(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM pg_catalog.pg_largeobject_metadata',
  );
  return Number(rows[0]?.n ?? 0);
}

/** The source database's encoding and identity, to refuse a target that is the source itself. */
export async function databaseIdentity(
  client: Client,
): Promise<{ readonly encoding: string; readonly identity: string }> {
  const { rows } = await client.query<{ encoding: string; identity: string }>(
    `SELECT pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
       d.oid::text || '@' || pg_catalog.pg_postmaster_start_time()::text AS identity
     FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`,
  );
  return rows[0] ?? { encoding: 'UTF8', identity: '' };
}

/** The target database's identity in the same form, or null when it does not exist yet. */
export async function targetIdentity(
  maintenance: Client,
  database: string,
): Promise<string | null> {
  const { rows } = await maintenance.query<{ identity: string }>(
    `SELECT d.oid::text || '@' || pg_catalog.pg_postmaster_start_time()::text AS identity
     FROM pg_catalog.pg_database d WHERE d.datname = $1`,
    [database],
  );
  return rows[0]?.identity ?? null;
}
