/**
 * `understudy data verify`: proves a masked copy is safe and whole.
 *
 * - **Leaks.** The distinct source values of every masked column are streamed (through a cursor,
 *   in one REPEATABLE READ READ ONLY snapshot) into a Set per column and one Aho–Corasick
 *   automaton. Every value of the target's text, varchar, json and jsonb columns (and of the
 *   masked columns, whatever their type) is then streamed and checked: an exact match in the
 *   masked column itself, and any source value occurring inside a value of another column as a
 *   whole word (case insensitive; `King` inside `/photos/king.bmp`, not inside `Kingston`).
 *   Source values shorter than {@link minSubstringLength} characters are only matched exactly:
 *   `Bob` or `12` occur inside ordinary text by chance, a 4-character value far less often.
 *   Values of columns masked as places everyone shares ({@link searchedEverywhere}: cities and
 *   postal codes) are checked in their own column only: `London` in a territory's name or
 *   `98052` as a region code is reference data, not a customer's address. Source values a masker
 *   draws from its dictionary (`publicValues`) cannot be told from masked output: they are
 *   counted as unverifiable, not searched.
 * - **Memory** is bounded by the distinct masked values: at most `maxValues` (default 2,000,000)
 *   are held. Beyond that the first `maxValues` by a stable hash order are checked, the report is
 *   `complete: false`, names the columns cut short, and `ok` is false — an incomplete proof is
 *   not a proof (fail closed); raise the limit or verify a subset.
 * - **Orphans.** For every foreign key of the model, target rows whose key columns are all
 *   non-null and match no parent row.
 * - **Row counts** of every target table, compared with `expectedRows` where given.
 *
 * The report never holds a real value: leaks are described by lengths and places only.
 */
import { connect, type Client } from '../postgres/connection.js';
import { formatName, type SchemaModel, tableByName } from '../postgres/schema-model.js';
import { UnderstudyError } from '../shared/errors.js';
import type { MaskerName } from './data-types.js';
import { typeClassOf } from './scan-classify.js';
import { asOperationError } from './scan-run.js';
import { quoteIdent, quoteTable } from './subset-sql.js';
import { buildForeignKeyGraph } from './subset-graph.js';
import { PatternSearch } from './verify-search.js';

/** Source values shorter than this are matched exactly, never searched inside other text. */
export const minSubstringLength = 4;

/** A column of the copy, by `schema.table` and name. */
export interface ColumnRef {
  readonly table: string;
  readonly column: string;
}

/**
 * How a masked column's real values are looked for:
 * - `everywhere`: in the column and inside every other text and json column (the default);
 * - `column`: in the column only;
 * - `row`: each row against its own source row, joined by primary key — for maskers that blur a
 *   value rather than replace it (dates, numbers), where another row's real value may come out
 *   by chance but the row's own must not. Zero is not counted: noise scales, and zero has no
 *   scale to hide. A table without a primary key falls back to `column`.
 */
export type SearchScope = 'everywhere' | 'column' | 'row';

/** A masked column and where its real values are searched for. */
export interface MaskedColumn extends ColumnRef {
  readonly scope?: SearchScope;
}

/**
 * Where the real values of a column masked by `masker` are searched for. Places (`city`,
 * `postal_code`) are shared by many and appear in reference data (sales territories, region
 * names, product names) without identifying anyone there: their own column only. Blurring
 * maskers (`date_shift`, `birth_date`, `number_noise`): row by row.
 */
export function searchScopeOf(masker: MaskerName): SearchScope {
  if (masker === 'city' || masker === 'postal_code') return 'column';
  if (masker === 'date_shift' || masker === 'birth_date' || masker === 'number_noise') return 'row';
  return 'everywhere';
}

/** Zero in any notation: number noise keeps it, by design. */
const zero = /^[+-]?0*(?:\.0*)?$/;

export interface VerifyInput {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** The target's schema model (the copy's tables and foreign keys). */
  readonly model: SchemaModel;
  readonly masked: readonly MaskedColumn[];
  /** `schema.table` → rows the copy was planned to hold. */
  readonly expectedRows?: ReadonlyMap<string, number>;
  /** Distinct masked source values held at most; default 2,000,000. */
  readonly maxValues?: number;
  /**
   * Lower-case words maskers draw from (names, cities, companies). A source value that is one of
   * them cannot be told apart from masked output, so it is not searched for, only counted.
   */
  readonly publicValues?: ReadonlySet<string>;
}

/** Real values of a masked source column found in the target. */
export interface Leak {
  /** The masked source column whose values were found, `schema.table.column`. */
  readonly sourceColumn: string;
  readonly foundIn: ColumnRef;
  /** Target values that hold a real value. */
  readonly count: number;
  /** What one occurrence looks like, in lengths only: never the value. */
  readonly sample: string;
}

export interface Orphans {
  readonly constraint: string;
  /** The referencing table. */
  readonly table: string;
  readonly count: number;
}

export interface RowCount {
  readonly table: string;
  readonly actual: number;
  readonly expected?: number;
  readonly ok: boolean;
}

/** What `data verify` found; `ok` when there is no leak, no orphan, no count off, and it is complete. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly complete: boolean;
  readonly leaks: readonly Leak[];
  readonly orphans: readonly Orphans[];
  readonly rowCounts: readonly RowCount[];
  /** Source values not searched for because maskers produce them too (see `publicValues`). */
  readonly unverifiable: number;
  /** Masked columns with more distinct values than `maxValues`: only the first ones were checked. */
  readonly incomplete: readonly { readonly column: string; readonly checked: number }[];
}

const key = (c: ColumnRef): string => `${c.table}.${c.column}`;

/** Streams a query's rows through a cursor in batches (the client must be in a transaction). */
async function eachBatch(
  client: Client,
  sql: string,
  onRows: (rows: readonly Record<string, string | null>[]) => void,
  batch = 5000,
): Promise<void> {
  await client.query(`DECLARE understudy_verify NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const { rows } = await client.query<Record<string, string | null>>(
      `FETCH ${batch} FROM understudy_verify`,
    );
    onRows(rows);
    if (rows.length < batch) break;
  }
  await client.query('CLOSE understudy_verify');
}

/** Checks a masked copy for leaked values, orphaned foreign keys and row counts. */
export async function verifyCopy(input: VerifyInput): Promise<VerifyReport> {
  const maxValues = input.maxValues ?? 2_000_000;
  for (const m of input.masked) {
    if (tableByName(input.model, m.table)?.columns.some((c) => c.name === m.column) !== true)
      throw new UnderstudyError('E_INPUT', `masked column ${key(m)} is not in the copy's schema`);
  }
  const masked = [...new Map(input.masked.map((m) => [key(m), m])).values()];
  const exact = new Map<string, Set<string>>();
  /** Row-scoped columns: source values by primary key, and the key's columns. */
  const byRow = new Map<string, { values: Map<string, string>; keyColumns: readonly string[] }>();
  const search = new PatternSearch<string>(true, true);
  const incomplete: { column: string; checked: number }[] = [];
  let unverifiable = 0;

  const source = await connect(input.sourceUrl, { what: 'source database' });
  try {
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let budget = maxValues;
    for (const m of masked) {
      const col = quoteIdent(m.column);
      const table = quoteTable(parse(m.table));
      const keyColumns = m.scope === 'row' ? primaryKeyOf(input.model, m.table) : undefined;
      if (keyColumns !== undefined) {
        const values = new Map<string, string>();
        await eachBatch(
          source,
          `SELECT ${rowKey('x', keyColumns)} AS k, x.${col}::text AS v FROM ${table} x
            WHERE x.${col} IS NOT NULL ORDER BY 1 LIMIT ${budget + 1}`,
          (rows) => {
            for (const row of rows) values.set(row.k!, row.v!);
          },
        );
        if (values.size > budget) {
          values.delete([...values.keys()].pop()!);
          incomplete.push({ column: key(m), checked: values.size });
        }
        budget -= values.size;
        byRow.set(key(m), { values, keyColumns });
        continue;
      }
      const values = new Set<string>();
      await eachBatch(
        source,
        `SELECT v FROM (SELECT DISTINCT x.${col}::text AS v FROM ${table} x
          WHERE x.${col} IS NOT NULL) d ORDER BY pg_catalog.hashtextextended(v, 0), v LIMIT ${budget + 1}`,
        (rows) => {
          for (const row of rows) values.add(row.v!);
        },
      );
      if (values.size > budget) {
        const last = [...values].pop()!;
        values.delete(last);
        incomplete.push({ column: key(m), checked: values.size });
      }
      budget -= values.size;
      for (const v of values) {
        if (input.publicValues?.has(v.toLowerCase()) === true) {
          values.delete(v);
          unverifiable++;
        }
      }
      if (m.scope === undefined || m.scope === 'everywhere')
        for (const v of values) if (v.length >= minSubstringLength) search.add(v, key(m));
      exact.set(key(m), values);
    }
    await source.query('ROLLBACK');
  } catch (error) {
    throw asOperationError(error, 'could not read the masked source values');
  } finally {
    await source.end().catch(() => undefined);
  }

  const target = await connect(input.targetUrl, { what: 'target database' });
  try {
    await target.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const leaks = [
      ...(await findLeaks(target, input.model, exact, search)),
      ...(await findKeptRows(target, byRow)),
    ];
    const orphans = await findOrphans(target, input.model);
    const rowCounts = await countRows(target, input.model, input.expectedRows);
    await target.query('ROLLBACK');
    const complete = incomplete.length === 0;
    const ok =
      complete && leaks.length === 0 && orphans.length === 0 && rowCounts.every((r) => r.ok);
    return { ok, complete, leaks, orphans, rowCounts, unverifiable, incomplete };
  } catch (error) {
    throw asOperationError(error, 'could not verify the target database');
  } finally {
    await target.end().catch(() => undefined);
  }
}

function parse(table: string): { schema: string; name: string } {
  const dot = table.indexOf('.');
  return dot < 0
    ? { schema: 'public', name: table }
    : { schema: table.slice(0, dot), name: table.slice(dot + 1) };
}

async function findLeaks(
  client: Client,
  model: SchemaModel,
  exact: ReadonlyMap<string, ReadonlySet<string>>,
  search: PatternSearch<string>,
): Promise<Leak[]> {
  const found = new Map<
    string,
    { sourceColumn: string; foundIn: ColumnRef; count: number; sample: string }
  >();
  const record = (sourceColumn: string, foundIn: ColumnRef, sample: string): void => {
    const id = `${sourceColumn}\u0000${key(foundIn)}`;
    const entry = found.get(id);
    if (entry === undefined) found.set(id, { sourceColumn, foundIn, count: 1, sample });
    else entry.count++;
  };
  for (const table of model.tables.filter((t) => t.partitionOf === null)) {
    const name = formatName(table);
    const columns = table.columns.filter((c) => {
      const cls = typeClassOf(c.type);
      return cls === 'text' || cls === 'json' || exact.has(`${name}.${c.name}`);
    });
    if (columns.length === 0) continue;
    const list = columns.map((c, i) => `x.${quoteIdent(c.name)}::text AS c${i}`).join(', ');
    await eachBatch(client, `SELECT ${list} FROM ${quoteTable(table)} x`, (rows) => {
      for (const row of rows) {
        columns.forEach((c, i) => {
          const value = row[`c${i}`];
          if (value == null) return;
          const here = { table: name, column: c.name };
          const own = exact.get(key(here));
          if (own?.has(value) === true)
            record(
              key(here),
              here,
              `an unmasked value of ${value.length} characters, equal to a source value`,
            );
          const cls = typeClassOf(c.type);
          if ((cls !== 'text' && cls !== 'json') || search.size === 0) return;
          for (const sourceColumn of search.search(value)) {
            if (sourceColumn !== key(here))
              record(
                sourceColumn,
                here,
                `a source value inside a value of ${value.length} characters`,
              );
          }
        });
      }
    });
  }
  return [...found.values()].sort((a, b) =>
    key(a.foundIn) + a.sourceColumn < key(b.foundIn) + b.sourceColumn ? -1 : 1,
  );
}

/** The primary key columns of a table of the model, or undefined when it has none. */
function primaryKeyOf(model: SchemaModel, table: string): readonly string[] | undefined {
  return tableByName(model, table)?.constraints.find((c) => c.kind === 'primary key')?.columns;
}

/** A row's primary key as one text: a jsonb array of its columns. */
const rowKey = (alias: string, columns: readonly string[]): string =>
  `pg_catalog.jsonb_build_array(${columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`;

/** Rows of row-scoped columns whose target value is still their own source value. */
async function findKeptRows(
  client: Client,
  byRow: ReadonlyMap<string, { values: Map<string, string>; keyColumns: readonly string[] }>,
): Promise<Leak[]> {
  const out: Leak[] = [];
  for (const [column, { values, keyColumns }] of byRow) {
    const dot = column.lastIndexOf('.');
    const here = { table: column.slice(0, dot), column: column.slice(dot + 1) };
    let count = 0;
    let length = 0;
    await eachBatch(
      client,
      `SELECT ${rowKey('x', keyColumns)} AS k, x.${quoteIdent(here.column)}::text AS v
         FROM ${quoteTable(parse(here.table))} x WHERE x.${quoteIdent(here.column)} IS NOT NULL`,
      (rows) => {
        for (const row of rows) {
          if (row.v === values.get(row.k!) && !zero.test(row.v!)) {
            count++;
            length = row.v!.length;
          }
        }
      },
    );
    if (count > 0)
      out.push({
        sourceColumn: column,
        foundIn: here,
        count,
        sample: `a row that kept its real value (${length} characters)`,
      });
  }
  return out;
}

async function findOrphans(client: Client, model: SchemaModel): Promise<Orphans[]> {
  const graph = buildForeignKeyGraph(model);
  const out: Orphans[] = [];
  for (const e of graph.edges) {
    const child = quoteTable(graph.tables.get(e.child)!.table);
    const parent = quoteTable(graph.tables.get(e.parent)!.table);
    const notNull = e.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const match = e.columns
      .map((c, i) => `p.${quoteIdent(e.parentColumns[i]!)} = c.${quoteIdent(c)}`)
      .join(' AND ');
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE ${match})`,
    );
    const count = Number(rows[0]?.n ?? 0);
    if (count > 0) out.push({ constraint: e.constraint, table: e.child, count });
  }
  return out;
}

async function countRows(
  client: Client,
  model: SchemaModel,
  expected: ReadonlyMap<string, number> | undefined,
): Promise<RowCount[]> {
  const out: RowCount[] = [];
  for (const table of model.tables.filter((t) => t.partitionOf === null)) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quoteTable(table)}`,
    );
    const actual = Number(rows[0]?.n ?? 0);
    const want = expected?.get(formatName(table));
    out.push(
      want === undefined
        ? { table: formatName(table), actual, ok: true }
        : { table: formatName(table), actual, expected: want, ok: want === actual },
    );
  }
  return out;
}
