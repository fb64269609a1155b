/**
 * `understudy data scan`: reads the source database's schema and a sample of every text-like,
 * date, inet and json column inside one REPEATABLE READ READ ONLY snapshot, and classifies each
 * column with the pure {@link classifyColumn}. Columns of other types (numbers, bytea, booleans)
 * are classified by name and type alone, without reading their values.
 *
 * Sampling is one query per table, deterministic for the same data: rows are ordered by a hash
 * of the whole row (`hashtextextended(row::text, 0)`) and the first `sampleSize` kept. Tables
 * estimated larger than {@link fullScanLimit} rows are first cut down with
 * `TABLESAMPLE SYSTEM (p) REPEATABLE (0)` (blocks chosen by a fixed seed, so the same physical
 * table gives the same sample) to about ten times the sample size; a sample that comes back
 * short is taken again with ten times the share, up to the whole table. Each value is cut to its
 * first 2,000 characters. Nulls are not samples; a mostly-null column gets fewer.
 *
 * Generated columns are not classified: a copy never carries them, the target computes them
 * again from the columns they are made of, and those are scanned (and masked) themselves.
 */
import { connect } from '../postgres/connection.js';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { readSchemaModel, type Queryable } from '../postgres/catalog-read.js';
import { formatName, type Table } from '../postgres/schema-model.js';
import {
  type ColumnFinding,
  classifyCarriers,
  classifyColumn,
  isSampledType,
} from './scan-classify.js';
import { quoteIdent, quoteTable } from './subset-sql.js';

/** Above this estimated row count a table is sampled by blocks before rows are ordered. */
export const fullScanLimit = 50_000;
const maxValueLength = 2000;

export interface ScanOptions {
  /** Rows sampled per table; default 200. */
  readonly sampleSize?: number;
  /** Only these schemas; default every user schema. */
  readonly schemas?: readonly string[];
  /** "Today" for the birth-date age check; default now. */
  readonly today?: Date;
}

/** One column as scanned. */
export interface ScannedColumn {
  readonly column: string;
  readonly type: string;
  /** Non-null values sampled (0 for columns classified by name and type only). */
  readonly sampled: number;
  /** Undefined when the column looks harmless. */
  readonly finding: ColumnFinding | undefined;
}

/** One table as scanned. */
export interface ScannedTable {
  /** `schema.table`. */
  readonly table: string;
  readonly rowsSampled: number;
  readonly columns: readonly ScannedColumn[];
}

/** The scan's result: every table and column, in schema-model order. */
export interface ScanReport {
  readonly tables: readonly ScannedTable[];
}

/** Every finding of a report, flat, as `{ table, column, …finding }`. */
export function scanFindings(
  report: ScanReport,
): readonly (ColumnFinding & { readonly table: string; readonly column: string })[] {
  return report.tables.flatMap((t) =>
    t.columns.flatMap((c) =>
      c.finding === undefined ? [] : [{ table: t.table, column: c.column, ...c.finding }],
    ),
  );
}

/** Scans the database at `url`: per table and column, the kind of personal data found, if any. */
export async function scanDatabase(url: string, options: ScanOptions = {}): Promise<ScanReport> {
  const sampleSize = options.sampleSize ?? 200;
  const client = await connect(url, { what: 'source database' });
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const model = await readSchemaModel(client, {
      transaction: 'caller',
      ...(options.schemas === undefined ? {} : { schemas: options.schemas }),
    });
    const tables: ScannedTable[] = [];
    // Partitions are read through their parent, so each row is sampled once.
    for (const table of model.tables.filter((t) => t.partitionOf === null)) {
      tables.push(await scanTable(client, table, sampleSize, options.today));
    }
    await client.query('ROLLBACK');
    return { tables };
  } catch (error) {
    throw asOperationError(error, 'could not scan the source database');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function scanTable(
  client: Queryable,
  table: Table,
  sampleSize: number,
  today: Date | undefined,
): Promise<ScannedTable> {
  const name = formatName(table);
  const sampled = table.columns.filter((c) => isSampledType(c.type));
  let rows: Record<string, string | null>[] = [];
  if (sampled.length > 0) {
    const estimate = await estimateRows(client, table);
    const list = sampled
      .map((c, i) => `left(x.${quoteIdent(c.name)}::text, ${maxValueLength}) AS c${i}`)
      .join(', ');
    // Blocks are chosen by chance: a sample that came back short is taken again ten times larger.
    let percent = estimate > fullScanLimit ? (100 * sampleSize * 10) / estimate : 100;
    for (;;) {
      const from =
        percent < 100
          ? `${quoteTable(table)} AS x TABLESAMPLE SYSTEM (${percent.toFixed(4)}) REPEATABLE (0)`
          : `${quoteTable(table)} AS x`;
      const result = await client.query(
        `SELECT ${list} FROM ${from} ORDER BY pg_catalog.hashtextextended(x::text, 0) LIMIT ${sampleSize}`,
      );
      rows = result.rows as Record<string, string | null>[];
      if (rows.length >= sampleSize || percent >= 100) break;
      percent = Math.min(100, percent * 10);
    }
  }
  const classified = table.columns.map((column): ScannedColumn => {
    const index = sampled.indexOf(column);
    const samples =
      index < 0 ? [] : rows.map((r) => r[`c${index}`]).filter((v): v is string => v != null);
    // A generated column is never copied: the target computes it again from masked inputs.
    const finding =
      column.generated !== null
        ? undefined
        : classifyColumn(
            { table: name, column: column.name, type: column.type, samples },
            today === undefined ? {} : { today },
          );
    return { column: column.name, type: column.type, sampled: samples.length, finding };
  });
  // Columns that repeat another column's personal data in the same row (a photo path that names
  // the employee) are personal too.
  const carriers = classifyCarriers(
    name,
    sampled.map((c) => ({
      ...classified.find((s) => s.column === c.name)!,
      generated: c.generated !== null,
    })),
    rows.map((r) => sampled.map((_, i) => r[`c${i}`] ?? null)),
  );
  const columns = classified.map((c) => {
    const finding = carriers.get(c.column);
    return finding === undefined ? c : { ...c, finding };
  });
  return { table: name, rowsSampled: rows.length, columns };
}

/** The planner's row estimate; for a partitioned table, the sum over its partitions. */
async function estimateRows(client: Queryable, table: Table): Promise<number> {
  const { rows } = await client.query(
    `SELECT COALESCE(sum(GREATEST(c.reltuples, 0)), 0)::float8 AS estimate
       FROM pg_catalog.pg_class c
      WHERE c.oid = $1::regclass
         OR c.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree($1::regclass))`,
    [quoteTable(table)],
  );
  return Number((rows[0] as { estimate?: number } | undefined)?.estimate ?? 0);
}

/** Keeps known errors; wraps a database failure into `E_OPERATION` with what was being done. */
export function asOperationError(error: unknown, doing: string): UnderstudyError {
  if (error instanceof UnderstudyError) return error;
  return new UnderstudyError('E_OPERATION', `${doing}: ${messageOf(error)}`, { cause: error });
}
