/**
 * Subset planning, pure: from the schema model, the tables' `rows` rules and the `subset` rule
 * (each optional), one SQL predicate per table that selects the rows to copy. Each predicate is
 * read in the copy's REPEATABLE READ READ ONLY snapshot as
 * `COPY (SELECT … FROM ONLY <table> WHERE <predicate>)`, so it may use subqueries and recursive
 * CTEs but nothing that writes (no temporary tables). Columns are unqualified, so a partition is
 * read with its root's predicate.
 *
 * Which rows may exist at all (`subset-rows.ts`): a table's `rows` rule (`none`, `{ where }`)
 * restricts its own rows, and a row that references a row not copied is not copied either,
 * transitively, cycles included. Tables so cut are named in the notes, one line each.
 *
 * Which of those a subset keeps:
 * 1. **Seeds**: root rows chosen by `where`, or by `percent` through a hash of the root's primary
 *    key: `(hashtextextended(jsonb_build_array(pk…)::text, 0) & 2147483647) % 10000 < percent × 100`.
 *    `hashtextextended` is the hash PostgreSQL's hash partitioning relies on, so it is stable
 *    across runs, machines and major versions (≥ 11); the same key is in or out every time.
 * 2. **Downwards** (`downwards: true`): rows that reference a kept-downwards row, transitively
 *    (a customer's orders, then their order lines). Only seeds and their descendants pull their
 *    children: an employee kept because an order names it does not pull all their orders.
 * 3. **Upwards**: every row a kept row references, transitively, whatever the table.
 * Both steps are recursive CTEs over row identities `(table, jsonb key)`, with `UNION` so
 * self-references (employees.reports_to) and cycles (a → b → a) end when nothing new is found.
 * Seeds and rows reached downwards must be allowed by the rows rules; a row allowed by them only
 * references rows allowed by them, so step 3 never pulls a row a rule excludes: the rule wins,
 * and a row referencing an excluded row is dropped instead.
 * Data is never rewritten: a referenced row is included, never its reference set to NULL.
 *
 * Tables unrelated to the roots — those that reference, directly or transitively, no table
 * reached in step 2 — are not subsetted: they keep every row the rows rules allow (all, without
 * rules): lookup and configuration tables (regions, shippers, products) must stay complete for
 * staging to work, and this orphans nothing since they reference only other such tables. Use a
 * table's `rows` rule to cut a large unrelated table. Other tables keep exactly the rows the CTE
 * reaches (possibly none).
 */
import { UnderstudyError } from '../shared/errors.js';
import { formatName, tableByName, type SchemaModel, type Table } from '../postgres/schema-model.js';
import {
  type ForeignKeyEdge,
  type ForeignKeyGraph,
  type GraphTable,
  buildForeignKeyGraph,
  loadOrder,
  reachable,
} from './subset-graph.js';
import { type AdmittedRows, admitRows, allOf } from './subset-rows.js';
import {
  fromTable,
  quoteIdent,
  quoteLiteral as literal,
  rowKey,
  rowKeyMatch,
} from './subset-sql.js';
import type { RowSelection } from './sync-plan-types.js';

/** The `data.subset` rule of the configuration. */
export interface SubsetRule {
  readonly root: string | readonly string[];
  readonly percent?: number;
  readonly where?: string;
  /** Default true, as in the configuration. */
  readonly downwards?: boolean;
}

/** What to copy of each table. */
export interface SubsetPlan {
  /** `schema.table` → SQL predicate over that table (unaliased), for every table of the model. */
  readonly filters: ReadonlyMap<string, string>;
  /** The same as the copy takes it, for every table holding rows (partitions: their root's). */
  readonly rows: ReadonlyMap<string, RowSelection>;
  /** Load order: parents before children; tables in or behind a cycle last. */
  readonly order: readonly string[];
  /** Decisions worth telling the user, one line each. */
  readonly notes: readonly string[];
}

const keyOf = (alias: string, t: GraphTable): string => rowKey(alias, t.identity!);
const joinOn = (e: ForeignKeyEdge): string =>
  e.columns
    .map((c, i) => `c.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[i]!)}`)
    .join(' AND ');
const isNull = (e: ForeignKeyEdge): string =>
  e.columns.map((c) => `${quoteIdent(c)} IS NULL`).join(' OR ');
/** A WHERE clause written by the user, safe to follow: a line comment ends with its line. */
const userSql = (where: string): string => `(${where}${where.includes('--') ? '\n' : ''})`;

/**
 * Plans which rows of every table are copied under the `rows` rules (`schema.table` → rule) and,
 * when given, the subset; throws `E_INPUT` for an unusable subset rule.
 */
export function planSubset(
  model: SchemaModel,
  rule: SubsetRule | undefined,
  rules: ReadonlyMap<string, RowSelection> = new Map(),
): SubsetPlan {
  const graph = buildForeignKeyGraph(model);
  const admitted = admitRows(graph, rules);
  const allowed = (name: string): string => admitted.predicates.get(name) ?? 'true';
  const { order, cyclic } = loadOrder(graph);
  if (rule === undefined) return finish(model, admitted.predicates, order, admitted.notes);

  const roots = (typeof rule.root === 'string' ? [rule.root] : [...rule.root]).map((r) =>
    r.includes('.') ? r : `public.${r}`,
  );
  for (const root of roots) {
    const t = graph.tables.get(root);
    if (t === undefined)
      throw new UnderstudyError('E_INPUT', `subset root ${root} is not a table of the source`);
    if (!t.hasPrimaryKey)
      throw new UnderstudyError('E_INPUT', `subset root ${root} has no primary key`, {
        hint: 'choose a root table with a primary key: its key decides which rows are kept',
      });
  }
  if ((rule.percent === undefined) === (rule.where === undefined))
    throw new UnderstudyError('E_INPUT', 'a subset needs either percent or where, not both');
  if (rule.percent !== undefined && !(rule.percent > 0 && rule.percent <= 100))
    throw new UnderstudyError('E_INPUT', 'subset percent must be above 0 and at most 100');

  const parentsOf = (t: string): string[] =>
    graph.edges.filter((e) => e.child === t).map((e) => e.parent);
  const childrenOf = (t: string): string[] =>
    graph.edges.filter((e) => e.parent === t).map((e) => e.child);
  const downTables = rule.downwards === false ? new Set(roots) : reachable(roots, childrenOf);
  const notes: string[] = [];
  const filters = new Map<string, string>();
  const partial = new Set<string>();
  for (const name of graph.tables.keys()) {
    const related = [...reachable([name], parentsOf)].some((t) => downTables.has(t));
    if (related) partial.add(name);
    else filters.set(name, allowed(name));
  }
  const unrelated = [...filters.keys()];
  const whole = unrelated.filter((t) => filters.get(t) === 'true');
  if (whole.length > 0)
    notes.push(`copied whole (not related to the subset roots): ${whole.join(', ')}`);
  const ruled = unrelated.filter((t) => filters.get(t) !== 'true');
  if (ruled.length > 0)
    notes.push(
      `not subsetted (not related to the subset roots), cut by rows rules only: ${ruled.join(', ')}`,
    );

  const { cte, empty } = keptRowsCte(graph, roots, rule, downTables, partial, admitted, notes);
  for (const name of partial) {
    const t = graph.tables.get(name)!;
    filters.set(
      name,
      t.identity === undefined
        ? allOf([allowed(name), keylessFilter(graph, t, downTables, partial, cte)])
        : empty || allowed(name) === 'false'
          ? 'false'
          : `${keyOf('', t)} IN (${cte} SELECT k FROM kept WHERE tbl = ${literal(name)})`,
    );
  }
  if (cyclic.length > 0)
    notes.push(
      `tables in or behind a foreign-key cycle (load with deferred constraints): ${cyclic.join(', ')}`,
    );
  return finish(model, filters, order, [...notes, ...admitted.notes]);
}

function finish(
  model: SchemaModel,
  filters: ReadonlyMap<string, string>,
  order: readonly string[],
  notes: readonly string[],
): SubsetPlan {
  const rows = new Map<string, RowSelection>();
  for (const table of model.tables) {
    if (table.kind !== 'table') continue; // a partitioned table's rows live in its partitions
    let root: Table = table;
    for (let depth = 0; depth < 16 && root.partitionOf !== null; depth++)
      root = tableByName(model, root.partitionOf.parent) ?? root;
    const filter = filters.get(formatName(root)) ?? 'true';
    rows.set(
      formatName(table),
      filter === 'true' ? 'all' : filter === 'false' ? 'none' : { where: filter },
    );
  }
  return {
    filters: new Map([...filters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    rows,
    order,
    notes,
  };
}

/**
 * `WITH RECURSIVE down(…) AS (…), kept(…) AS (…)`, ready to be followed by a SELECT, and whether
 * it has no seed at all. Only rows the rows rules admit are seeds or reached downwards; the CTEs
 * their conditions use come first.
 */
function keptRowsCte(
  graph: ForeignKeyGraph,
  roots: readonly string[],
  rule: SubsetRule,
  downTables: ReadonlySet<string>,
  partial: ReadonlySet<string>,
  admitted: AdmittedRows,
  notes: string[],
): { cte: string; empty: boolean } {
  const allowed = (name: string): string => admitted.predicates.get(name) ?? 'true';
  const tested = new Set<string>();
  const seeds = roots.flatMap((root) => {
    const t = graph.tables.get(root)!;
    const key = keyOf('', t);
    if (allowed(root) === 'false') return [];
    tested.add(root);
    const where =
      rule.where !== undefined
        ? userSql(rule.where)
        : `(pg_catalog.hashtextextended(${key}::text, 0) & 2147483647) % 10000 < ${rule.percent! * 100}`;
    return [
      `SELECT ${literal(root)}::text AS tbl, ${key} AS k FROM ${fromTable(t.table)} WHERE ${where}`,
    ];
  });
  const empty = seeds.length === 0;
  if (empty) seeds.push('SELECT NULL::text AS tbl, NULL::jsonb AS k WHERE false');
  const keyed = (name: string): GraphTable | undefined => {
    const t = graph.tables.get(name);
    return t?.identity === undefined ? undefined : t;
  };
  const downSteps: string[] = [];
  const upSteps: string[] = [];
  for (const e of graph.edges) {
    const child = keyed(e.child);
    const parent = keyed(e.parent);
    if (child === undefined || parent === undefined) continue;
    const from = `FROM ${fromTable(child.table)} c JOIN ${fromTable(parent.table)} p ON ${joinOn(e)}`;
    const match = (alias: string, t: GraphTable): string => rowKeyMatch(alias, t.identity!, 'd.k');
    if (
      rule.downwards !== false &&
      downTables.has(e.parent) &&
      downTables.has(e.child) &&
      allowed(e.child) !== 'false'
    ) {
      tested.add(e.child);
      downSteps.push(
        `SELECT ${literal(e.child)}::text, ${keyOf('c', child)} ${from} WHERE d.tbl = ${literal(e.parent)} AND ${match('p', parent)}`,
      );
    }
    if (partial.has(e.child) && partial.has(e.parent))
      upSteps.push(
        `SELECT ${literal(e.parent)}::text, ${keyOf('p', parent)} ${from} WHERE d.tbl = ${literal(e.child)} AND ${match('c', child)}`,
      );
  }
  // Seeds and rows reached downwards are checked against the rows the rules reject, set by set:
  // a rejected row is not kept and pulls nothing, neither its children nor its parents.
  const rejected = admitted.rejected(tested);
  const admit = (alias: string): string =>
    rejected.length === 0
      ? ''
      : ` WHERE NOT EXISTS (SELECT 1 FROM us_rejected r WHERE r.tbl = ${alias}.tbl AND r.k = ${alias}.k)`;
  const step = (name: string, steps: readonly string[], check = ''): string =>
    steps.length === 0
      ? ''
      : ` UNION SELECT n.tbl, n.k FROM ${name} d CROSS JOIN LATERAL (${steps.join(' UNION ALL ')}) AS n(tbl, k)${check}`;
  if (roots.some((r) => graph.edges.some((e) => e.child === r && e.parent === r)))
    notes.push('self-referencing roots: rows reached through the self-reference are kept as well');
  const walk = [
    ...rejected,
    `down(tbl, k) AS (SELECT s.tbl, s.k FROM (${seeds.join(' UNION ')}) s${admit('s')}${step('down', downSteps, admit('n'))})`,
    `kept(tbl, k) AS (SELECT tbl, k FROM down${step('kept', upSteps)})`,
  ];
  return { cte: `WITH RECURSIVE ${walk.join(', ')}`, empty };
}

/**
 * A table without a row identity cannot be walked; it keeps the rows whose every non-null
 * foreign key points at a kept row (and at least one does), so it never holds an orphan.
 */
function keylessFilter(
  graph: ForeignKeyGraph,
  t: GraphTable,
  downTables: ReadonlySet<string>,
  partial: ReadonlySet<string>,
  cte: string,
): string {
  if (!downTables.has(t.name)) return 'false';
  const edges = graph.edges.filter((e) => e.child === t.name);
  if (edges.length === 0) return 'false';
  const all = edges.map((e) => {
    // A parent outside the subset keeps every row the rows rules allow: they are checked apart.
    if (!partial.has(e.parent)) return 'true';
    const parent = graph.tables.get(e.parent)!;
    if (parent.identity === undefined) return isNull(e);
    const refs = e.columns.map(quoteIdent).join(', ');
    const keys = e.parentColumns.map(quoteIdent).join(', ');
    return `${isNull(e)} OR (${refs}) IN (SELECT ${keys} FROM ${fromTable(parent.table)} WHERE ${keyOf('', parent)} IN (${cte} SELECT k FROM kept WHERE tbl = ${literal(e.parent)}))`;
  });
  const some = edges.map((e) => `NOT (${isNull(e)})`).join(' OR ');
  return allOf([...all, some]);
}
