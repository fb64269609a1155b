/**
 * Subset planning, pure: from the schema model and the `subset` rule, one SQL predicate per table
 * that selects the rows to copy. Each predicate is read in the copy's REPEATABLE READ READ ONLY
 * snapshot as `COPY (SELECT … FROM <table> WHERE <predicate>)`, so it may use subqueries and
 * recursive CTEs but nothing that writes (no temporary tables).
 *
 * Which rows are kept:
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
 * Data is never rewritten: a referenced row is included, never its reference set to NULL.
 *
 * Tables unrelated to the roots — those that reference, directly or transitively, no table
 * reached in step 2 — are copied whole (predicate `true`): lookup and configuration tables
 * (regions, shippers, products) must stay complete for staging to work, and keeping them whole
 * orphans nothing since they reference only other whole tables. Use a table's `rows` rule to cut
 * a large unrelated table. Other tables keep exactly the rows the CTE reaches (possibly none).
 */
import { UnderstudyError } from '../shared/errors.js';
import { quoteIdent, quoteLiteral as literal, quoteTable } from './subset-sql.js';
import {
  type ForeignKeyEdge,
  type ForeignKeyGraph,
  type GraphTable,
  buildForeignKeyGraph,
  loadOrder,
  reachable,
} from './subset-graph.js';
import type { SchemaModel } from '../postgres/schema-model.js';

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
  /** Load order: parents before children; tables in or behind a cycle last. */
  readonly order: readonly string[];
  /** Decisions worth telling the user, one line each. */
  readonly notes: readonly string[];
}

const keyOf = (alias: string, t: GraphTable): string =>
  `pg_catalog.jsonb_build_array(${t.identity!.map((c) => `${alias}.${quoteIdent(c.name)}`).join(', ')})`;
/** Conditions matching `alias`'s identity to the jsonb key in `d.k`. */
const keyMatch = (alias: string, t: GraphTable): string =>
  t
    .identity!.map((c, i) => `${alias}.${quoteIdent(c.name)} = (d.k ->> ${i})::${c.type}`)
    .join(' AND ');
const joinOn = (e: ForeignKeyEdge): string =>
  e.columns
    .map((c, i) => `c.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[i]!)}`)
    .join(' AND ');

/** Plans which rows of every table a subset keeps; throws `E_INPUT` for an unusable rule. */
export function planSubset(model: SchemaModel, rule: SubsetRule): SubsetPlan {
  const graph = buildForeignKeyGraph(model);
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
    else filters.set(name, 'true');
  }
  const whole = [...filters.keys()];
  if (whole.length > 0)
    notes.push(`copied whole (not related to the subset roots): ${whole.join(', ')}`);

  const cte = keptRowsCte(graph, roots, rule, downTables, partial, notes);
  for (const name of partial) {
    const t = graph.tables.get(name)!;
    filters.set(
      name,
      t.identity === undefined
        ? keylessFilter(graph, t, downTables, partial, cte)
        : `${keyOf(quoteTable(t.table), t)} IN (${cte} SELECT k FROM kept WHERE tbl = ${literal(name)})`,
    );
  }
  const { order, cyclic } = loadOrder(graph);
  if (cyclic.length > 0)
    notes.push(
      `tables in or behind a foreign-key cycle (load with deferred constraints): ${cyclic.join(', ')}`,
    );
  return {
    filters: new Map([...filters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    order,
    notes,
  };
}

/** `WITH RECURSIVE down(…) AS (…), kept(…) AS (…)`, ready to be followed by a SELECT. */
function keptRowsCte(
  graph: ForeignKeyGraph,
  roots: readonly string[],
  rule: SubsetRule,
  downTables: ReadonlySet<string>,
  partial: ReadonlySet<string>,
  notes: string[],
): string {
  const seeds = roots.map((root) => {
    const t = graph.tables.get(root)!;
    const key = `pg_catalog.jsonb_build_array(${t.identity!.map((c) => quoteIdent(c.name)).join(', ')})`;
    const where =
      rule.where !== undefined
        ? `(${rule.where})`
        : `(pg_catalog.hashtextextended(${key}::text, 0) & 2147483647) % 10000 < ${rule.percent! * 100}`;
    return `SELECT ${literal(root)}::text AS tbl, ${key} AS k FROM ${quoteTable(t.table)} WHERE ${where}`;
  });
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
    const from = `FROM ${quoteTable(child.table)} c JOIN ${quoteTable(parent.table)} p ON ${joinOn(e)}`;
    if (rule.downwards !== false && downTables.has(e.parent) && downTables.has(e.child))
      downSteps.push(
        `SELECT ${literal(e.child)}::text, ${keyOf('c', child)} ${from} WHERE d.tbl = ${literal(e.parent)} AND ${keyMatch('p', parent)}`,
      );
    if (partial.has(e.child) && partial.has(e.parent))
      upSteps.push(
        `SELECT ${literal(e.parent)}::text, ${keyOf('p', parent)} ${from} WHERE d.tbl = ${literal(e.child)} AND ${keyMatch('c', child)}`,
      );
  }
  const step = (name: string, steps: readonly string[]): string =>
    steps.length === 0
      ? ''
      : ` UNION SELECT n.tbl, n.k FROM ${name} d CROSS JOIN LATERAL (${steps.join(' UNION ALL ')}) AS n(tbl, k)`;
  if (roots.some((r) => graph.edges.some((e) => e.child === r && e.parent === r)))
    notes.push('self-referencing roots: rows reached through the self-reference are kept as well');
  return `WITH RECURSIVE down(tbl, k) AS (${seeds.join(' UNION ')}${step('down', downSteps)}), kept(tbl, k) AS (SELECT tbl, k FROM down${step('kept', upSteps)})`;
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
  const self = quoteTable(t.table);
  const conditions = graph.edges
    .filter((e) => e.child === t.name)
    .map((e) => {
      const parent = graph.tables.get(e.parent)!;
      const refs = e.columns
        .map((c, i) => `p.${quoteIdent(e.parentColumns[i]!)} = ${self}.${quoteIdent(c)}`)
        .join(' AND ');
      const kept = !partial.has(e.parent)
        ? 'true'
        : parent.identity === undefined
          ? 'false'
          : `${keyOf('p', parent)} IN (${cte} SELECT k FROM kept WHERE tbl = ${literal(e.parent)})`;
      const isNull = e.columns.map((c) => `${self}.${quoteIdent(c)} IS NULL`).join(' OR ');
      return {
        isNull,
        kept: `EXISTS (SELECT 1 FROM ${quoteTable(parent.table)} p WHERE ${refs} AND ${kept})`,
      };
    });
  if (conditions.length === 0) return 'false';
  const all = conditions.map((c) => `(${c.isNull} OR ${c.kept})`).join(' AND ');
  const some = conditions.map((c) => `NOT (${c.isNull})`).join(' OR ');
  return `(${all}) AND (${some})`;
}
