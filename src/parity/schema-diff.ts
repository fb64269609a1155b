/**
 * Schema parity, the pure part: two schema models compared object by object. `env` is the
 * environment that must mirror (staging), `against` the one it mirrors (production).
 *
 * Paths (after `schema:`; names joined with dots as they are, not quoted):
 * - `extensions.<name>`, `.version`, `.schema`; `schemas.<name>`, `.comment`
 * - schema-level objects at `<schema>.<name>`: tables (partitions too), views, materialized
 *   views, indexes, sequences, enums, domains, composite and range types — PostgreSQL's
 *   relation and type namespaces, which tables, views and composite types hold a name in both:
 *   unique but for an index or sequence named like a type (value and kind tell them apart);
 *   routines at `<schema>.<name>(<identity arguments>)`, overloads apart
 * - their attributes at `<schema>.<name>.<attribute>` with the model's field names
 *   (`.kind`, `.partitionOf`, `.options`, `.increment`, `.baseType`, `.comment`, …)
 * - what hangs off them: `<schema>.<table>.columns.<column>` with `.type`, `.nullable`,
 *   `.default`, `.identity` (and `.identity.<sequence option>`), `.generated`, `.collation`,
 *   `.comment`; `<schema>.<table>.columns` for the column order; `.constraints.<name>`,
 *   `.triggers.<name>` (names unique per table only); `<schema>.<enum>.labels.<label>` (and `.labels`
 *   for their order); `<schema>.<domain>.checks.<name>`; `<schema>.<type>.attributes.<name>`
 * - objects compared by definition (constraints, indexes, domain checks, views, routines,
 *   triggers) report a changed definition at the object's own path, with both definitions
 *   (routines and triggers: what is readable, and the start of the definition's hash).
 * A schema literally named `extensions`, `schemas` or `migrations` could share a path prefix with
 * those groups; names containing dots make paths ambiguous to read (never to compare).
 *
 * Rules:
 * - An object only one side has is ONE difference, with a summary as its value (`table (5
 *   columns)`): nothing under it is reported — not a table's columns, constraints, indexes,
 *   triggers, partitions or serial sequences, not an enum's labels, not a schema's objects.
 * - Indexes that back a constraint are the constraint's: reported at the constraint's path.
 * - A partition's (or inheriting table's) columns are its parent's; only what it sets
 *   differently from its own parent is reported on it.
 * - View columns follow from the definition and the tables read (reported there); only their
 *   comments are compared. An identity's sequence type follows its column's type.
 * - Severities come from the table in schema-severity.ts (`schemaSeverities`).
 *
 * `compared` counts every object looked at (on either side, one each), every attribute compared
 * on objects both sides have, and every order check (column, label, attribute order); objects
 * inside a missing or extra parent are not counted.
 */
import type { SchemaModel } from '../postgres/schema-model.js';
import { compareDifferences, type Difference } from './drift.js';
import { DiffCollector, type DiffContext, count, either, pairBy } from './schema-diff-collector.js';
import { diffRoutines, diffSequences, diffTypes, diffViews } from './schema-diff-objects.js';
import { diffIndexes, diffTables, diffTriggers } from './schema-diff-tables.js';

export { schemaSeverities, type SchemaSubject, type SeverityRule } from './schema-severity.js';

/** What `diffSchemaModels` found: how many items it compared and the differences, sorted. */
export interface SchemaDiff {
  readonly compared: number;
  readonly differences: Difference[];
}

/** Compares two schema models object by object; pure, deterministic, linear in their size. */
export function diffSchemaModels(env: SchemaModel, against: SchemaModel): SchemaDiff {
  const c = new DiffCollector();
  const ctx: DiffContext = {
    env,
    against,
    c,
    loneSchemas: lone(env.schemas, against.schemas, (s) => s.name),
    loneRelations: lone(relationsOf(env), relationsOf(against), (name) => name),
  };
  diffExtensions(ctx);
  diffSchemas(ctx);
  diffTypes(ctx);
  diffSequences(ctx);
  diffTables(ctx);
  diffViews(ctx);
  diffIndexes(ctx);
  diffRoutines(ctx);
  diffTriggers(ctx);
  return { compared: c.compared, differences: c.differences.sort(byPathThenKind) };
}

// Paths are unique but for one name being a table in one model and a view in the other.
function byPathThenKind(a: Difference, b: Difference): number {
  return (
    compareDifferences(a, b) ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
    (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)
  );
}

function relationsOf(model: SchemaModel): string[] {
  const name = (r: { schema: string; name: string }): string => `${r.schema}.${r.name}`;
  return [...model.tables, ...model.views, ...model.materializedViews].map(name);
}

/** Keys only one of the two lists has. */
function lone<T>(
  env: readonly T[],
  against: readonly T[],
  keyOf: (item: T) => string,
): Set<string> {
  const out = new Set<string>();
  for (const pair of pairBy(env, against, keyOf)) {
    if (pair.env === undefined || pair.against === undefined) out.add(pair.key);
  }
  return out;
}

function diffExtensions(ctx: DiffContext): void {
  const { c } = ctx;
  for (const pair of pairBy(ctx.env.extensions, ctx.against.extensions, (e) => e.name)) {
    const path = ['extensions', pair.key];
    if (!c.presence('extension', path, pair, (e) => `${e.name} ${e.version}`)) continue;
    c.attribute('extension.version', path, 'version', pair.env.version, pair.against.version);
    c.attribute('extension.schema', path, 'schema', pair.env.schema, pair.against.schema);
  }
}

function diffSchemas(ctx: DiffContext): void {
  const { c } = ctx;
  for (const pair of pairBy(ctx.env.schemas, ctx.against.schemas, (s) => s.name)) {
    const path = ['schemas', pair.key];
    const model = pair.env === undefined ? ctx.against : ctx.env;
    const summary = (): string => schemaSummary(model, either(pair).name);
    if (!c.presence('schema', path, pair, summary)) continue;
    c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }
}

/** `schema (3 tables, 1 view, 2 functions)`: what a missing or extra schema holds. */
function schemaSummary(model: SchemaModel, schema: string): string {
  const inSchema = (items: readonly { schema: string }[]): number =>
    items.filter((i) => i.schema === schema).length;
  const types = [model.enums, model.domains, model.compositeTypes, model.rangeTypes];
  const parts = [
    count(inSchema(model.tables), 'table'),
    count(inSchema(model.views) + inSchema(model.materializedViews), 'view'),
    count(inSchema(model.sequences), 'sequence'),
    count(
      types.reduce((n, list) => n + inSchema(list), 0),
      'type',
    ),
    count(inSchema(model.routines), 'routine'),
  ].filter((part) => !part.startsWith('0 '));
  return parts.length === 0 ? 'schema (empty)' : `schema (${parts.join(', ')})`;
}
