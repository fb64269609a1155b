/**
 * The statements that complete a schema model's objects once the rows are in: keys and other
 * constraints, indexes, views and materialized views (created, then refreshed), triggers, sequence
 * ownership, and the comments on all of them. Pure: the model in, SQL text out.
 */
import type { Constraint, SchemaModel, View } from '../postgres/schema-model.js';
import { mentions, orderByDependencies, qualified, quoteIdent } from './ddl-names.js';
import { comment, type DdlScript } from './ddl-pre.js';

// Keys first: a foreign key needs the referenced key's unique index.
const constraintOrder: Readonly<Record<Constraint['kind'], number>> = {
  'primary key': 0,
  unique: 1,
  exclusion: 2,
  check: 3,
  'foreign key': 4,
};

/** Everything created after the rows are loaded, in creation order. */
export function postDataDdl(model: SchemaModel): DdlScript {
  const out: string[] = [];
  const warnings: string[] = [];
  const constraints = model.tables.flatMap((table) =>
    table.constraints.map((constraint) => ({ table, constraint })),
  );
  constraints.sort(
    (a, b) => constraintOrder[a.constraint.kind] - constraintOrder[b.constraint.kind],
  );
  for (const { table, constraint: c } of constraints) {
    // pg_get_constraintdef already carries DEFERRABLE, NOT VALID and the rest.
    out.push(
      `ALTER TABLE ${qualified(table)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`,
    );
    out.push(comment(`CONSTRAINT ${quoteIdent(c.name)} ON ${qualified(table)}`, c.comment));
  }
  const views: { view: View; materialized: boolean }[] = [
    ...model.views.map((view) => ({ view, materialized: false })),
    ...model.materializedViews.map((view) => ({ view, materialized: true })),
  ];
  const ordered = orderByDependencies(views, (a, b) => mentions(a.view.definition, b.view));
  for (const { view, materialized } of ordered) {
    const kind = materialized ? 'MATERIALIZED VIEW' : 'VIEW';
    const options = view.options.length === 0 ? '' : ` WITH (${view.options.join(', ')})`;
    const body = view.definition.trim().replace(/;$/, '');
    // Materialized views are filled after their indexes exist, below.
    out.push(
      `CREATE ${kind} ${qualified(view)}${options} AS\n${body}${materialized ? '\nWITH NO DATA' : ''}`,
    );
    out.push(comment(`${kind} ${qualified(view)}`, view.comment));
    for (const c of view.columns)
      out.push(comment(`COLUMN ${qualified(view)}.${quoteIdent(c.name)}`, c.comment));
  }
  // Indexes that back a constraint were made by it.
  for (const index of model.indexes) {
    // On a partitioned table pg_get_indexdef says `ON ONLY`, which would leave the partitions
    // unindexed and the index invalid: without ONLY it is created on every partition too.
    if (index.constraint === null) out.push(index.definition.replace(/ ON ONLY /, ' ON '));
    out.push(comment(`INDEX ${qualified(index)}`, index.comment));
  }
  for (const { view, materialized } of ordered) {
    if (materialized) out.push(`REFRESH MATERIALIZED VIEW ${qualified(view)}`);
  }
  for (const s of model.sequences) {
    if (s.ownedBy === null) continue;
    out.push(
      `ALTER SEQUENCE ${qualified(s)} OWNED BY ${qualified(s.ownedBy.table)}.${quoteIdent(s.ownedBy.column)}`,
    );
  }
  for (const t of model.triggers) {
    const on = `ON ${qualified(t.table)}`;
    if (t.definition === undefined) {
      warnings.push(`trigger ${t.name} ${on} was not recreated: its definition was not read`);
      continue;
    }
    out.push(t.definition);
    if (t.enabled !== 'origin') {
      const state = t.enabled === 'disabled' ? 'DISABLE' : `ENABLE ${t.enabled.toUpperCase()}`;
      out.push(`ALTER TABLE ${qualified(t.table)} ${state} TRIGGER ${quoteIdent(t.name)}`);
    }
    out.push(comment(`TRIGGER ${quoteIdent(t.name)} ${on}`, t.comment));
  }
  for (const r of model.routines) {
    if (r.kind === 'aggregate')
      warnings.push(
        `aggregate ${qualified(r)}(${r.identityArguments}) is not recreated by the copy`,
      );
  }
  return { statements: out.filter((s) => s !== ''), warnings };
}
