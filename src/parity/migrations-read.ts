/**
 * Reads which migrations a database has applied, from the history table of a well-known
 * migration tool. A table is recognised by its name AND its column shape (Rails and
 * golang-migrate both call theirs `schema_migrations`; TypeORM's `migrations` is a common name),
 * in any user schema. Only successfully applied migrations count. Takes the minimal `Queryable`
 * of catalog-read.ts, so it does not depend on `pg`.
 */
import type { Queryable } from '../postgres/catalog-read.js';
import type { QualifiedName } from '../postgres/schema-model.js';
import { messageOf } from '../shared/errors.js';

/** The migration tools whose history tables are recognised. */
export const migrationTools = [
  'prisma',
  'knex',
  'typeorm',
  'sequelize',
  'flyway',
  'liquibase',
  'rails',
  'django',
  'alembic',
  'goose',
  'golang-migrate',
] as const;
/** One of `migrationTools`. */
export type MigrationTool = (typeof migrationTools)[number];

/** One migration a database has applied. */
export interface AppliedMigration {
  /** What the tool identifies it by: a name, version, or `file::id::author` (Liquibase). */
  readonly id: string;
  /** Its name, description or script, where the tool keeps one; '' otherwise. */
  readonly text: string;
}

/** What one history table says a database has applied. */
export interface MigrationHistory {
  readonly tool: MigrationTool;
  readonly table: QualifiedName;
  /** Alembic and golang-migrate keep only the current version (the head), not a history. */
  readonly headOnly: boolean;
  /** golang-migrate: the head migration failed part-way and was left marked dirty. */
  readonly dirty: boolean;
  /** Sorted by id, each once. */
  readonly applied: readonly AppliedMigration[];
  /** Why the table could not be read (e.g. no privilege); `applied` is empty then. */
  readonly unreadable?: string;
}

type ColumnKind = 'text' | 'integer' | 'boolean' | 'any';

interface ToolSpec {
  readonly tool: MigrationTool;
  readonly tables: readonly string[];
  /** Columns the table must have, and their kind. */
  readonly columns: Readonly<Record<string, ColumnKind>>;
  /** Columns the table must not have. */
  readonly without?: readonly string[];
  readonly headOnly?: boolean;
  /** The query returning `id`, `text` (and `dirty`) of the applied migrations. */
  readonly query: (table: string, columns: ReadonlySet<string>) => string;
}

const specs: readonly ToolSpec[] = [
  {
    tool: 'prisma',
    tables: ['_prisma_migrations'],
    columns: { migration_name: 'text', finished_at: 'any', rolled_back_at: 'any' },
    query: (t) =>
      `SELECT migration_name AS id, migration_name AS text FROM ${t} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  },
  {
    tool: 'knex',
    tables: ['knex_migrations'],
    columns: { name: 'text' },
    query: (t) => `SELECT name AS id, name AS text FROM ${t}`,
  },
  {
    tool: 'typeorm',
    tables: ['migrations', 'typeorm_migrations'],
    columns: { timestamp: 'integer', name: 'text' },
    query: (t) => `SELECT name AS id, name AS text FROM ${t}`,
  },
  {
    tool: 'sequelize',
    tables: ['SequelizeMeta'],
    columns: { name: 'text' },
    query: (t) => `SELECT name AS id, name AS text FROM ${t}`,
  },
  {
    tool: 'flyway',
    // `schema_version` is the name Flyway used before version 5.
    tables: ['flyway_schema_history', 'schema_version'],
    columns: { version: 'text', description: 'text', script: 'text', success: 'boolean' },
    // Repeatable migrations have no version: their script names them.
    query: (t) =>
      `SELECT coalesce(version, script) AS id, concat_ws(' ', description, script) AS text FROM ${t} WHERE success`,
  },
  {
    tool: 'liquibase',
    tables: ['databasechangelog'],
    columns: { id: 'text', author: 'text', filename: 'text' },
    query: (t, columns) => {
      const text = ['id', 'description', 'comments'].filter((c) => columns.has(c));
      const executed = columns.has('exectype')
        ? ` WHERE exectype NOT IN ('FAILED', 'SKIPPED')`
        : '';
      // Liquibase identifies a changeset by file, id and author, and prints it so.
      return `SELECT filename || '::' || id || '::' || author AS id, concat_ws(' ', ${text.join(', ')}) AS text FROM ${t}${executed}`;
    },
  },
  {
    tool: 'rails',
    tables: ['schema_migrations'],
    columns: { version: 'text' },
    without: ['dirty'],
    query: (t) => `SELECT version AS id, '' AS text FROM ${t}`,
  },
  {
    tool: 'golang-migrate',
    tables: ['schema_migrations'],
    columns: { version: 'integer', dirty: 'boolean' },
    headOnly: true,
    query: (t) => `SELECT version::text AS id, '' AS text, dirty FROM ${t}`,
  },
  {
    tool: 'django',
    tables: ['django_migrations'],
    columns: { app: 'text', name: 'text' },
    query: (t) => `SELECT app || '.' || name AS id, app || ' ' || name AS text FROM ${t}`,
  },
  {
    tool: 'alembic',
    tables: ['alembic_version'],
    columns: { version_num: 'text' },
    headOnly: true,
    query: (t) => `SELECT version_num AS id, '' AS text FROM ${t}`,
  },
  {
    tool: 'goose',
    tables: ['goose_db_version'],
    columns: { id: 'integer', version_id: 'integer', is_applied: 'boolean' },
    // goose logs every up and down: a version's latest row says whether it is applied. Version 0
    // is the row goose writes when it creates the table.
    query: (t) =>
      `SELECT s.version_id::text AS id, '' AS text FROM (SELECT DISTINCT ON (version_id) version_id, is_applied FROM ${t} ORDER BY version_id, id DESC) s WHERE s.is_applied AND s.version_id <> 0`,
  },
];

const candidatesQuery = `
SELECT n.nspname AS schema, c.relname AS name,
  coalesce(pg_catalog.json_object_agg(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
    FILTER (WHERE a.attname IS NOT NULL), '{}') AS columns
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
  AND c.relname = ANY ($1::text[])
GROUP BY n.nspname, c.relname
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

interface CandidateRow {
  readonly schema: string;
  readonly name: string;
  readonly columns: Readonly<Record<string, string>>;
}

function kindOf(type: string): ColumnKind {
  if (/^(text|character varying|character|citext)\b/.test(type)) return 'text';
  if (/^(smallint|integer|bigint|numeric)\b/.test(type)) return 'integer';
  if (type === 'boolean') return 'boolean';
  return 'any';
}

/** The tool whose history table this is, by name and column types; undefined when none fits. */
export function recognizeMigrationTable(
  name: string,
  columns: Readonly<Record<string, string>>,
): MigrationTool | undefined {
  return specFor(name, columns)?.tool;
}

function specFor(name: string, columns: Readonly<Record<string, string>>): ToolSpec | undefined {
  return specs.find(
    (spec) =>
      spec.tables.includes(name) &&
      Object.entries(spec.columns).every(([column, kind]) => {
        const type = columns[column];
        return type !== undefined && (kind === 'any' || kindOf(type) === kind);
      }) &&
      (spec.without ?? []).every((column) => columns[column] === undefined),
  );
}

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Finds every migration history table in the database's user schemas and reads it. */
export async function readMigrationHistories(client: Queryable): Promise<MigrationHistory[]> {
  const names = [...new Set(specs.flatMap((s) => s.tables))];
  const { rows } = await client.query(candidatesQuery, [names]);
  const histories: MigrationHistory[] = [];
  for (const row of rows as CandidateRow[]) {
    const spec = specFor(row.name, row.columns);
    if (spec === undefined) continue;
    const table = { schema: row.schema, name: row.name };
    const base = { tool: spec.tool, table, headOnly: spec.headOnly ?? false };
    const sql = spec.query(
      `${quoteIdent(row.schema)}.${quoteIdent(row.name)}`,
      new Set(Object.keys(row.columns)),
    );
    try {
      // One after another: a client runs one query at a time.
      const result = await client.query(sql);
      histories.push({ ...base, ...toApplied(result.rows) });
    } catch (error) {
      // The schema can still be compared without it: say why, and go on.
      histories.push({ ...base, dirty: false, applied: [], unreadable: messageOf(error) });
    }
  }
  return histories;
}

function toApplied(rows: readonly unknown[]): Pick<MigrationHistory, 'applied' | 'dirty'> {
  const byId = new Map<string, AppliedMigration>();
  let dirty = false;
  for (const row of rows as { id: string | null; text: string | null; dirty?: boolean }[]) {
    if (row.dirty === true) dirty = true;
    if (row.id === null || byId.has(row.id)) continue;
    byId.set(row.id, { id: row.id, text: row.text ?? '' });
  }
  const applied = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { applied, dirty };
}
