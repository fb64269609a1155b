/**
 * Tables and what hangs off them — columns, constraints, indexes, triggers — for
 * `diffSchemaModels`. Paths and counting are documented in schema-diff.ts.
 */
import {
  type Column,
  type Index,
  type SchemaModel,
  type SequenceOptions,
  type Table,
  type Trigger,
  formatName,
} from '../postgres/schema-model.js';
import type { JsonValue } from './drift.js';
import {
  type DiffCollector,
  type DiffContext,
  count,
  either,
  hashValue,
  pairBy,
} from './schema-diff-collector.js';
import type { ChangeSubject } from './schema-severity.js';

type Attribute<T> = readonly [subject: ChangeSubject, name: string, read: (item: T) => JsonValue];

/** Sequence settings, for standalone sequences and identity columns alike. */
export const sequenceAttributes: readonly Attribute<SequenceOptions>[] = [
  ['sequence.dataType', 'dataType', (s) => s.dataType],
  ['sequence.start', 'start', (s) => s.start],
  ['sequence.increment', 'increment', (s) => s.increment],
  ['sequence.min', 'min', (s) => s.min],
  ['sequence.max', 'max', (s) => s.max],
  ['sequence.cache', 'cache', (s) => s.cache],
  ['sequence.cycle', 'cycle', (s) => s.cycle],
];

const columnAttributes: readonly Attribute<Column>[] = [
  ['column.type', 'type', (c) => c.type],
  ['column.nullable', 'nullable', (c) => !c.notNull],
  ['column.default', 'default', (c) => c.default],
  ['column.identity', 'identity', (c) => c.identity?.generation ?? null],
  ['column.generated', 'generated', (c) => c.generated],
  ['column.collation', 'collation', (c) => c.collation],
  ['comment', 'comment', (c) => c.comment],
];

const tableAttributes: readonly Attribute<Table>[] = [
  ['table.kind', 'kind', (t) => t.kind],
  ['table.unlogged', 'unlogged', (t) => t.unlogged],
  ['table.partitionKey', 'partitionKey', (t) => t.partitionKey],
  [
    'table.partitionOf',
    'partitionOf',
    (t) =>
      t.partitionOf === null ? null : `${formatName(t.partitionOf.parent)} ${t.partitionOf.bound}`,
  ],
  ['table.inherits', 'inherits', (t) => t.inherits.map(formatName)],
  ['table.options', 'options', (t) => [...t.options]],
  ['comment', 'comment', (t) => t.comment],
];

/** One line for a column: its type and what is declared on it. */
export function columnSummary(c: Column): string {
  return [
    c.type,
    c.notNull ? 'not null' : '',
    c.default === null ? '' : `default ${c.default}`,
    c.identity === null ? '' : `generated ${c.identity.generation} as identity`,
    c.generated === null ? '' : `generated always as (${c.generated}) stored`,
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function tableSummary(t: Table, partitions: ReadonlyMap<string, number>): string {
  const columns = count(t.columns.length, 'column');
  if (t.partitionOf !== null)
    return `partition of ${formatName(t.partitionOf.parent)} ${t.partitionOf.bound} (${columns})`;
  if (t.kind === 'partitioned table')
    return `partitioned table (${columns}, ${count(partitions.get(formatName(t)) ?? 0, 'partition')})`;
  return `table (${columns})`;
}

function partitionCounts(model: SchemaModel): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of model.tables) {
    if (t.partitionOf === null) continue;
    const parent = formatName(t.partitionOf.parent);
    counts.set(parent, (counts.get(parent) ?? 0) + 1);
  }
  return counts;
}

/** Compares the tables of both models, with their columns and constraints. */
export function diffTables(ctx: DiffContext): void {
  const { c } = ctx;
  const envTables = new Map(ctx.env.tables.map((t) => [formatName(t), t] as const));
  const againstTables = new Map(ctx.against.tables.map((t) => [formatName(t), t] as const));
  const envPartitions = partitionCounts(ctx.env);
  const againstPartitions = partitionCounts(ctx.against);
  for (const pair of pairBy(ctx.env.tables, ctx.against.tables, formatName)) {
    const sample = either(pair);
    if (ctx.loneSchemas.has(sample.schema)) continue;
    // A partition of a table one side lacks altogether is part of that table's difference.
    const onBoth = pair.env !== undefined && pair.against !== undefined;
    if (!onBoth && sample.partitionOf !== null) {
      if (ctx.loneRelations.has(formatName(sample.partitionOf.parent))) continue;
    }
    const path = [sample.schema, sample.name];
    const present = c.presence('table', path, pair, (t) =>
      tableSummary(t, t === pair.env ? envPartitions : againstPartitions),
    );
    if (!present) continue;
    const { env, against } = pair;
    for (const [subject, name, read] of tableAttributes)
      c.attribute(subject, path, name, read(env), read(against));
    const parentsOf = (t: Table, tables: ReadonlyMap<string, Table>): Table[] =>
      (t.partitionOf === null ? t.inherits : [t.partitionOf.parent])
        .map((p) => tables.get(formatName(p)))
        .filter((p) => p !== undefined);
    diffColumns(
      c,
      path,
      env,
      against,
      parentsOf(env, envTables),
      parentsOf(against, againstTables),
    );
    diffConstraints(c, path, env, against);
  }
}

function sameColumn(e: Column, a: Column): boolean {
  return (
    e.identity === null &&
    a.identity === null &&
    e.type === a.type &&
    e.notNull === a.notNull &&
    e.default === a.default &&
    e.generated === a.generated &&
    e.collation === a.collation &&
    e.comment === a.comment
  );
}

function parentColumn(parents: readonly Table[], name: string): Column | undefined {
  for (const parent of parents) {
    const column = parent.columns.find((col) => col.name === name);
    if (column !== undefined) return column;
  }
  return undefined;
}

function diffColumns(
  c: DiffCollector,
  path: readonly string[],
  env: Table,
  against: Table,
  envParents: readonly Table[],
  againstParents: readonly Table[],
): void {
  // A partition (or an inheriting table) has its parent's columns: one added, dropped or retyped
  // there shows on the parent, once. Only what a child sets differently from its own parent, in
  // either environment, is the child's difference.
  for (const pair of pairBy(env.columns, against.columns, (col) => col.name)) {
    const ep = parentColumn(envParents, pair.key);
    const ap = parentColumn(againstParents, pair.key);
    if (pair.against === undefined && ep !== undefined) continue;
    if (pair.env === undefined && ap !== undefined) continue;
    const columnPath = [...path, 'columns', pair.key];
    if (!c.presence('column', columnPath, pair, columnSummary)) continue;
    const e = pair.env;
    const a = pair.against;
    if (ep === undefined && ap === undefined && sameColumn(e, a)) {
      // Most columns are equal: count their attributes without comparing them one by one.
      c.compared += columnAttributes.length;
      continue;
    }
    for (const [subject, name, read] of columnAttributes) {
      const inherited =
        ep !== undefined && ap !== undefined && read(e) === read(ep) && read(a) === read(ap);
      if (!inherited) c.attribute(subject, columnPath, name, read(e), read(a));
    }
    if (e.identity !== null && a.identity !== null) {
      const sameType = e.type === a.type;
      for (const [subject, name, read] of sequenceAttributes) {
        // The identity's sequence takes the column's type (and, by default, that type's bounds):
        // a type change is reported on the column alone.
        if (name === 'dataType' || (!sameType && (name === 'min' || name === 'max'))) continue;
        c.attribute(
          subject,
          [...columnPath, 'identity'],
          name,
          read(e.identity.sequence),
          read(a.identity.sequence),
        );
      }
    }
  }
  // A partition's column order is its parent's.
  if (env.partitionOf === null || against.partitionOf === null) {
    c.order(
      'table.columnOrder',
      [...path, 'columns'],
      env.columns.map((col) => col.name),
      against.columns.map((col) => col.name),
    );
  }
}

function diffConstraints(
  c: DiffCollector,
  path: readonly string[],
  env: Table,
  against: Table,
): void {
  for (const pair of pairBy(env.constraints, against.constraints, (k) => k.name)) {
    const constraintPath = [...path, 'constraints', pair.key];
    // The definition carries the kind, columns, references, DEFERRABLE and NOT VALID.
    if (!c.presence('constraint', constraintPath, pair, (k) => k.definition)) continue;
    c.attribute('constraint', constraintPath, null, pair.env.definition, pair.against.definition);
    c.attribute('comment', constraintPath, 'comment', pair.env.comment, pair.against.comment);
  }
}

const indexKey = (i: Index): string => `${formatName(i.table)}.${i.name}`;

/** Compares indexes not backing a constraint (those are their constraint's), by table. */
export function diffIndexes(ctx: DiffContext): void {
  const own = (model: SchemaModel): Index[] => model.indexes.filter((i) => i.constraint === null);
  for (const pair of pairBy(own(ctx.env), own(ctx.against), indexKey)) {
    const sample = either(pair);
    if (ctx.loneSchemas.has(sample.table.schema)) continue;
    if (ctx.loneRelations.has(formatName(sample.table))) continue;
    // Indexes share the relations' namespace: `<schema>.<index>` is unique, whatever its table.
    const path = [sample.schema, sample.name];
    if (!ctx.c.presence('index', path, pair, (i) => i.definition)) continue;
    ctx.c.attribute('index', path, null, pair.env.definition, pair.against.definition);
    ctx.c.attribute('index.valid', path, 'valid', pair.env.valid, pair.against.valid);
    ctx.c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }
}

const triggerValue = (t: Trigger): string =>
  `executes ${t.function}, ${hashValue(t.definitionHash)}`;

/** Compares triggers by table and name; definitions by hash. */
export function diffTriggers(ctx: DiffContext): void {
  const key = (t: Trigger): string => `${formatName(t.table)}.${t.name}`;
  for (const pair of pairBy(ctx.env.triggers, ctx.against.triggers, key)) {
    const sample = either(pair);
    if (ctx.loneSchemas.has(sample.table.schema)) continue;
    if (ctx.loneRelations.has(formatName(sample.table))) continue;
    const path = [sample.table.schema, sample.table.name, 'triggers', sample.name];
    if (!ctx.c.presence('trigger', path, pair, triggerValue)) continue;
    // The hash covers timing, events, condition and function; the value shows the function.
    ctx.c.attribute('trigger', path, null, triggerValue(pair.env), triggerValue(pair.against), {
      equal: pair.env.definitionHash === pair.against.definitionHash,
    });
    ctx.c.attribute('trigger.enabled', path, 'enabled', pair.env.enabled, pair.against.enabled);
    ctx.c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }
}
