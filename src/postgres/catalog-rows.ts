/**
 * The rows the catalog queries return, and the pure functions that turn them into the schema
 * model. Catalog codes ('p', 'a', 'O', …) become words here; an unknown code fails loudly rather
 * than being guessed, since a newer server may have given it a meaning the model lacks.
 */
import { UnderstudyError } from '../shared/errors.js';
import type {
  Column,
  CompositeType,
  Constraint,
  ConstraintKind,
  ForeignKeyAction,
  ForeignKeyMatch,
  MaterializedView,
  QualifiedName,
  RoutineKind,
  Sequence,
  SequenceOptions,
  Table,
  TriggerEnabled,
  View,
} from './schema-model.js';

export interface RelationRow {
  readonly relation: string;
  readonly schema: string;
  readonly name: string;
  readonly kind: string;
  readonly unlogged: boolean;
  readonly partition_key: string | null;
  readonly partition_bound: string | null;
  readonly parents: readonly QualifiedName[];
  readonly view_definition: string | null;
  readonly options: readonly string[];
  readonly comment: string | null;
}

export interface ColumnRow {
  readonly relation: string;
  readonly name: string;
  readonly type: string;
  readonly not_null: boolean;
  readonly identity: string;
  readonly generated: string;
  readonly expression: string | null;
  readonly collation: string | null;
  readonly comment: string | null;
}

export interface SequenceRow extends SequenceOptionsRow {
  readonly schema: string;
  readonly name: string;
  readonly dependency: string | null;
  readonly owner_relation: string | null;
  readonly owner_schema: string | null;
  readonly owner_table: string | null;
  readonly owner_column: string | null;
  readonly comment: string | null;
}

interface SequenceOptionsRow {
  readonly data_type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
}

export interface ConstraintRow {
  readonly relation: string;
  readonly name: string;
  readonly kind: string;
  readonly columns: readonly string[];
  readonly definition: string;
  readonly deferrable: boolean;
  readonly initially_deferred: boolean;
  readonly validated: boolean;
  readonly index: string | null;
  readonly referenced_schema: string | null;
  readonly referenced_table: string | null;
  readonly referenced_columns: readonly string[] | null;
  readonly on_update: string;
  readonly on_delete: string;
  readonly match: string;
  readonly comment: string | null;
}

export interface CompositeTypeRow {
  readonly relation: string;
  readonly schema: string;
  readonly name: string;
  readonly comment: string | null;
}

/** Looks a catalog code up in a table of meanings; an unknown one is an error, not a guess. */
export function decode<T>(what: string, table: Readonly<Record<string, T>>, code: string): T {
  const value = table[code];
  if (value === undefined) {
    throw new UnderstudyError(
      'E_OPERATION',
      `unexpected ${what} code "${code}" in the PostgreSQL catalog`,
      {
        hint: 'this server may be newer than the PostgreSQL versions Understudy knows (13 to 17)',
      },
    );
  }
  return value;
}

const constraintKinds: Record<string, ConstraintKind> = {
  p: 'primary key',
  u: 'unique',
  f: 'foreign key',
  c: 'check',
  x: 'exclusion',
};
const foreignKeyActions: Record<string, ForeignKeyAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};
const foreignKeyMatches: Record<string, ForeignKeyMatch> = { s: 'simple', f: 'full', p: 'partial' };
export const routineKinds: Record<string, RoutineKind> = {
  f: 'function',
  p: 'procedure',
  a: 'aggregate',
  w: 'window',
};
export const triggerEnabled: Record<string, TriggerEnabled> = {
  O: 'origin',
  R: 'replica',
  A: 'always',
  D: 'disabled',
};

/** A `pg_sequence` row's settings. */
export function toSequenceOptions(row: SequenceOptionsRow): SequenceOptions {
  return {
    dataType: row.data_type,
    start: row.start,
    increment: row.increment,
    min: row.min,
    max: row.max,
    cache: row.cache,
    cycle: row.cycle,
  };
}

/** Standalone and owned sequences; identity sequences (dependency 'i') are left to their columns. */
export function toSequences(rows: readonly SequenceRow[]): Sequence[] {
  return rows
    .filter((row) => row.dependency !== 'i')
    .map((row) => ({
      schema: row.schema,
      name: row.name,
      ...toSequenceOptions(row),
      ownedBy:
        row.dependency === 'a' &&
        row.owner_schema !== null &&
        row.owner_table !== null &&
        row.owner_column !== null
          ? { table: { schema: row.owner_schema, name: row.owner_table }, column: row.owner_column }
          : null,
      comment: row.comment,
    }));
}

/** Groups rows by relation, keeping their order. */
export function groupByRelation<R extends { readonly relation: string }>(
  rows: readonly R[],
): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const group = groups.get(row.relation);
    if (group === undefined) groups.set(row.relation, [row]);
    else group.push(row);
  }
  return groups;
}

/** A column; `identities` maps `relation/column` to the identity sequence's row. */
export function toColumn(row: ColumnRow, identities: ReadonlyMap<string, SequenceRow>): Column {
  let identity: Column['identity'] = null;
  if (row.identity !== '') {
    const sequence = identities.get(`${row.relation}/${row.name}`);
    if (sequence === undefined) {
      throw new UnderstudyError(
        'E_OPERATION',
        `the identity column ${row.name} has no sequence in the catalog`,
      );
    }
    identity = {
      generation: decode('identity', { a: 'always', d: 'by default' } as const, row.identity),
      sequence: { schema: sequence.schema, name: sequence.name, ...toSequenceOptions(sequence) },
    };
  }
  return {
    name: row.name,
    type: row.type,
    notNull: row.not_null,
    default: row.generated === '' ? row.expression : null,
    identity,
    generated: row.generated === '' ? null : row.expression,
    collation: row.collation,
    comment: row.comment,
  };
}

/** A table constraint. */
export function toConstraint(row: ConstraintRow): Constraint {
  const kind = decode('constraint', constraintKinds, row.kind);
  return {
    name: row.name,
    kind,
    columns: row.columns,
    definition: row.definition,
    deferrable: row.deferrable,
    initiallyDeferred: row.initially_deferred,
    validated: row.validated,
    index: row.index,
    references:
      kind === 'foreign key' && row.referenced_schema !== null && row.referenced_table !== null
        ? {
            table: { schema: row.referenced_schema, name: row.referenced_table },
            columns: row.referenced_columns ?? [],
            onUpdate: decode('foreign key action', foreignKeyActions, row.on_update),
            onDelete: decode('foreign key action', foreignKeyActions, row.on_delete),
            match: decode('foreign key match', foreignKeyMatches, row.match),
          }
        : null,
    comment: row.comment,
  };
}

export interface Relations {
  readonly tables: Table[];
  readonly views: View[];
  readonly materializedViews: MaterializedView[];
}

/** Tables, views and materialized views with their columns and constraints attached. */
export function toRelations(
  rows: readonly RelationRow[],
  columns: ReadonlyMap<string, readonly Column[]>,
  constraints: ReadonlyMap<string, readonly ConstraintRow[]>,
): Relations {
  const out: Relations = { tables: [], views: [], materializedViews: [] };
  for (const row of rows) {
    const base = { schema: row.schema, name: row.name };
    const relationColumns = columns.get(row.relation) ?? [];
    const options = [...row.options];
    if (row.kind === 'v' || row.kind === 'm') {
      const view: View = {
        ...base,
        definition: row.view_definition ?? '',
        options,
        columns: relationColumns,
        comment: row.comment,
      };
      (row.kind === 'v' ? out.views : out.materializedViews).push(view);
      continue;
    }
    const parent = row.partition_bound === null ? undefined : row.parents[0];
    out.tables.push({
      ...base,
      kind: decode('table', { r: 'table', p: 'partitioned table' } as const, row.kind),
      unlogged: row.unlogged,
      partitionKey: row.partition_key,
      partitionOf:
        parent === undefined || row.partition_bound === null
          ? null
          : { parent, bound: row.partition_bound },
      // A partition's one parent is its partitioned table, already in partitionOf.
      inherits: parent === undefined ? row.parents : [],
      options,
      columns: relationColumns,
      constraints: (constraints.get(row.relation) ?? []).map(toConstraint),
      comment: row.comment,
    });
  }
  return out;
}

/** Composite types with their attributes, from the columns of their relations. */
export function toCompositeTypes(
  rows: readonly CompositeTypeRow[],
  columns: ReadonlyMap<string, readonly Column[]>,
): CompositeType[] {
  return rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    attributes: (columns.get(row.relation) ?? []).map((c) => ({
      name: c.name,
      type: c.type,
      collation: c.collation,
      comment: c.comment,
    })),
    comment: row.comment,
  }));
}
