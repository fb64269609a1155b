/**
 * Types, sequences, views and routines for `diffSchemaModels`. Paths and counting are documented
 * in schema-diff.ts.
 */
import {
  type QualifiedName,
  type Routine,
  type View,
  formatName,
} from '../postgres/schema-model.js';
import { type DiffContext, count, either, hashValue, pairBy } from './schema-diff-collector.js';
import { sequenceAttributes } from './schema-diff-tables.js';

/** Pairs schema-level objects, leaving out those of a schema one side lacks altogether. */
function pairObjects<T extends QualifiedName>(
  ctx: DiffContext,
  env: readonly T[],
  against: readonly T[],
  keyOf: (item: T) => string = formatName,
) {
  return pairBy(env, against, keyOf).filter((pair) => !ctx.loneSchemas.has(either(pair).schema));
}

/** Enums, domains, composite and range types. */
export function diffTypes(ctx: DiffContext): void {
  const { c } = ctx;
  for (const pair of pairObjects(ctx, ctx.env.enums, ctx.against.enums)) {
    const path = pathOf(either(pair));
    if (!c.presence('enum', path, pair, (e) => `enum (${count(e.labels.length, 'label')})`))
      continue;
    const label = (l: string): string => l;
    for (const labels of pairBy(pair.env.labels, pair.against.labels, label))
      c.presence('enum.label', [...path, 'labels', labels.key], labels, label);
    c.order('enum.labelOrder', [...path, 'labels'], [...pair.env.labels], [...pair.against.labels]);
    c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }

  for (const pair of pairObjects(ctx, ctx.env.domains, ctx.against.domains)) {
    const path = pathOf(either(pair));
    if (!c.presence('domain', path, pair, (d) => `domain over ${d.baseType}`)) continue;
    const { env, against } = pair;
    c.attribute('domain.baseType', path, 'baseType', env.baseType, against.baseType);
    c.attribute('domain.nullable', path, 'nullable', !env.notNull, !against.notNull);
    c.attribute('domain.default', path, 'default', env.default, against.default);
    c.attribute('domain.collation', path, 'collation', env.collation, against.collation);
    for (const check of pairBy(env.checks, against.checks, (k) => k.name)) {
      const checkPath = [...path, 'checks', check.key];
      // The definition ends in NOT VALID while the check is not validated.
      if (!c.presence('domain.check', checkPath, check, (k) => k.definition)) continue;
      c.attribute('domain.check', checkPath, null, check.env.definition, check.against.definition);
    }
    c.attribute('comment', path, 'comment', env.comment, against.comment);
  }

  for (const pair of pairObjects(ctx, ctx.env.compositeTypes, ctx.against.compositeTypes)) {
    const path = pathOf(either(pair));
    const summary = (t: { attributes: readonly unknown[] }): string =>
      `composite type (${count(t.attributes.length, 'attribute')})`;
    if (!c.presence('compositeType', path, pair, summary)) continue;
    const { env, against } = pair;
    for (const attr of pairBy(env.attributes, against.attributes, (a) => a.name)) {
      const attrPath = [...path, 'attributes', attr.key];
      if (!c.presence('compositeType.attribute', attrPath, attr, (a) => a.type)) continue;
      const [e, a] = [attr.env, attr.against];
      c.attribute('compositeType.attribute.type', attrPath, 'type', e.type, a.type);
      c.attribute(
        'compositeType.attribute.collation',
        attrPath,
        'collation',
        e.collation,
        a.collation,
      );
      c.attribute('comment', attrPath, 'comment', e.comment, a.comment);
    }
    const names = (t: typeof env): string[] => t.attributes.map((a) => a.name);
    c.order('compositeType.attributeOrder', [...path, 'attributes'], names(env), names(against));
    c.attribute('comment', path, 'comment', env.comment, against.comment);
  }

  for (const pair of pairObjects(ctx, ctx.env.rangeTypes, ctx.against.rangeTypes)) {
    const path = pathOf(either(pair));
    if (!c.presence('rangeType', path, pair, (r) => `range of ${r.subtype}`)) continue;
    const { env, against } = pair;
    c.attribute('rangeType.subtype', path, 'subtype', env.subtype, against.subtype);
    c.attribute('rangeType.collation', path, 'collation', env.collation, against.collation);
    c.attribute(
      'rangeType.subtypeOpclass',
      path,
      'subtypeOpclass',
      env.subtypeOpclass,
      against.subtypeOpclass,
    );
    c.attribute('rangeType.canonical', path, 'canonical', env.canonical, against.canonical);
    c.attribute('rangeType.subtypeDiff', path, 'subtypeDiff', env.subtypeDiff, against.subtypeDiff);
    c.attribute('comment', path, 'comment', env.comment, against.comment);
  }
}

/** Standalone and owned sequences (identity sequences are compared with their columns). */
export function diffSequences(ctx: DiffContext): void {
  const { c } = ctx;
  for (const pair of pairObjects(ctx, ctx.env.sequences, ctx.against.sequences)) {
    const sample = either(pair);
    // A serial column's sequence goes with its table: part of that table's difference.
    const owner = sample.ownedBy?.table;
    if (owner !== undefined && ctx.loneRelations.has(formatName(owner))) continue;
    const path = pathOf(sample);
    if (!c.presence('sequence', path, pair, (s) => `sequence (${s.dataType})`)) continue;
    for (const [subject, name, read] of sequenceAttributes)
      c.attribute(subject, path, name, read(pair.env), read(pair.against));
    const ownedBy = (s: typeof pair.env): string | null =>
      s.ownedBy === null ? null : `${formatName(s.ownedBy.table)}.${s.ownedBy.column}`;
    c.attribute('sequence.ownedBy', path, 'ownedBy', ownedBy(pair.env), ownedBy(pair.against));
    c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }
}

/** Views and materialized views, by definition. */
export function diffViews(ctx: DiffContext): void {
  diffViewList(ctx, ctx.env.views, ctx.against.views, 'view');
  diffViewList(ctx, ctx.env.materializedViews, ctx.against.materializedViews, 'materialized view');
}

function diffViewList(
  ctx: DiffContext,
  env: readonly View[],
  against: readonly View[],
  what: string,
): void {
  const { c } = ctx;
  for (const pair of pairObjects(ctx, env, against)) {
    const path = pathOf(either(pair));
    const summary = (v: View): string => `${what} (${count(v.columns.length, 'column')})`;
    if (!c.presence('view', path, pair, summary)) continue;
    const [e, a] = [pair.env, pair.against];
    // Columns follow from the definition and the tables it reads, where differences are
    // reported at their source; only their comments are the view's own.
    c.attribute('view', path, null, e.definition, a.definition);
    c.attribute('view.options', path, 'options', [...e.options], [...a.options]);
    for (const column of pairBy(e.columns, a.columns, (col) => col.name)) {
      if (column.env === undefined || column.against === undefined) continue;
      c.attribute(
        'comment',
        [...path, 'columns', column.key],
        'comment',
        column.env.comment,
        column.against.comment,
      );
    }
    c.attribute('comment', path, 'comment', e.comment, a.comment);
  }
}

const routineValue = (r: Routine): string =>
  [
    r.kind === 'procedure' ? r.kind : `${r.kind} returning ${r.result ?? 'void'}`,
    r.language,
    hashValue(r.definitionHash),
  ].join(', ');

/** Functions, procedures and aggregates, by name and arguments; definitions by hash. */
export function diffRoutines(ctx: DiffContext): void {
  const { c } = ctx;
  const signature = (r: Routine): string => `${r.name}(${r.identityArguments})`;
  const key = (r: Routine): string => `${r.schema}.${signature(r)}`;
  for (const pair of pairObjects(ctx, ctx.env.routines, ctx.against.routines, key)) {
    const sample = either(pair);
    const path = [sample.schema, signature(sample)];
    if (!c.presence('routine', path, pair, routineValue)) continue;
    // The hash covers the body, result, language and attributes; the value shows the readable ones.
    c.attribute('routine', path, null, routineValue(pair.env), routineValue(pair.against), {
      equal: pair.env.definitionHash === pair.against.definitionHash,
    });
    c.attribute('comment', path, 'comment', pair.env.comment, pair.against.comment);
  }
}

function pathOf(name: QualifiedName): string[] {
  return [name.schema, name.name];
}
