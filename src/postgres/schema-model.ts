/**
 * The schema model: everything a PostgreSQL database defines in its user schemas, as plain
 * readonly data. Schema parity compares two models; the data copy recreates tables from one.
 *
 * The model holds only what two databases with the same schema share: no OIDs, owners, ACLs,
 * database names, sequence values, statistics or timestamps. Objects that PostgreSQL derives
 * from a parent (indexes, constraints and triggers cloned onto partitions) are left out: creating
 * the parent recreates them, and their generated names are not a user's choice. Objects that
 * belong to an extension are left out too; the extension itself (name, version) stands for them.
 *
 * Definitions (`definition` fields) are PostgreSQL's own deparsed text, read with the search path
 * set to `pg_catalog` only, so every user object in them is schema-qualified.
 */

/** Bumped when the model's shape changes, so stored models can be recognised. */
export const schemaModelFormat = 1;

export interface QualifiedName {
  readonly schema: string;
  readonly name: string;
}

export interface SchemaModel {
  readonly format: typeof schemaModelFormat;
  readonly extensions: readonly Extension[];
  readonly schemas: readonly Schema[];
  readonly enums: readonly EnumType[];
  readonly domains: readonly Domain[];
  readonly compositeTypes: readonly CompositeType[];
  readonly rangeTypes: readonly RangeType[];
  readonly sequences: readonly Sequence[];
  readonly tables: readonly Table[];
  readonly views: readonly View[];
  readonly materializedViews: readonly MaterializedView[];
  /** Indexes of tables and materialized views. */
  readonly indexes: readonly Index[];
  /** Functions, procedures, aggregates and window functions. */
  readonly routines: readonly Routine[];
  readonly triggers: readonly Trigger[];
}

export interface Extension {
  readonly name: string;
  readonly version: string;
  /** The schema its objects were created in. */
  readonly schema: string;
}

export interface Schema {
  readonly name: string;
  readonly comment: string | null;
}

export interface EnumType extends QualifiedName {
  /** In sort order (`enumsortorder`), which is not always creation order. */
  readonly labels: readonly string[];
  readonly comment: string | null;
}

export interface Domain extends QualifiedName {
  /** `format_type` of the base type, e.g. `numeric(10,2)`. */
  readonly baseType: string;
  readonly notNull: boolean;
  readonly default: string | null;
  /** Only when it differs from the base type's collation, e.g. `pg_catalog."C"`. */
  readonly collation: string | null;
  /** Check constraints, by name. */
  readonly checks: readonly DomainCheck[];
  readonly comment: string | null;
}

export interface DomainCheck {
  readonly name: string;
  /** `pg_get_constraintdef`, e.g. `CHECK (VALUE >= 0)`. */
  readonly definition: string;
  readonly validated: boolean;
}

export interface CompositeType extends QualifiedName {
  /** In declaration order. */
  readonly attributes: readonly CompositeAttribute[];
  readonly comment: string | null;
}

export interface CompositeAttribute {
  readonly name: string;
  readonly type: string;
  readonly collation: string | null;
  readonly comment: string | null;
}

export interface RangeType extends QualifiedName {
  readonly subtype: string;
  readonly collation: string | null;
  /** The subtype's operator class, e.g. `pg_catalog.timestamp_ops`. */
  readonly subtypeOpclass: string;
  readonly canonical: string | null;
  readonly subtypeDiff: string | null;
  readonly comment: string | null;
}

/**
 * A sequence's settings. Numbers are decimal text because `bigint` bounds exceed what a
 * JavaScript number holds exactly. The current value is data, not schema, and is not here.
 */
export interface SequenceOptions {
  /** `smallint`, `integer` or `bigint`. */
  readonly dataType: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
}

/** A sequence that is not an identity column's (those are under `Column.identity`). */
export interface Sequence extends QualifiedName, SequenceOptions {
  /** `OWNED BY` (as `serial` columns make): dropped with that column. */
  readonly ownedBy: ColumnReference | null;
  readonly comment: string | null;
}

export interface ColumnReference {
  readonly table: QualifiedName;
  readonly column: string;
}

export type TableKind = 'table' | 'partitioned table';

export interface Table extends QualifiedName {
  readonly kind: TableKind;
  readonly unlogged: boolean;
  /** For a partitioned table, `pg_get_partkeydef`, e.g. `RANGE (happened_at)`. */
  readonly partitionKey: string | null;
  /** For a partition, its parent and bound. */
  readonly partitionOf: PartitionOf | null;
  /** Parents by plain (non-partition) inheritance, in `INHERITS` order. */
  readonly inherits: readonly QualifiedName[];
  /** Storage parameters (`reloptions`), sorted, e.g. `fillfactor=70`. */
  readonly options: readonly string[];
  /** In ordinal order; a partition lists the columns it has from its parent. */
  readonly columns: readonly Column[];
  /** By name; constraints inherited from a parent or cloned onto a partition are left out. */
  readonly constraints: readonly Constraint[];
  readonly comment: string | null;
}

export interface PartitionOf {
  readonly parent: QualifiedName;
  /** `pg_get_expr` of the bound, e.g. `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')` or `DEFAULT`. */
  readonly bound: string;
}

export interface Column {
  readonly name: string;
  /** `format_type`, e.g. `character varying(40)`, `numeric(10,2)`, `integer[]`, `app.mood`. */
  readonly type: string;
  readonly notNull: boolean;
  /** The default expression; null for identity and generated columns. */
  readonly default: string | null;
  readonly identity: Identity | null;
  /** The expression of a `GENERATED ALWAYS AS (…) STORED` column. */
  readonly generated: string | null;
  /** Only when it differs from the type's default collation, e.g. `pg_catalog."C"`. */
  readonly collation: string | null;
  readonly comment: string | null;
}

export interface Identity {
  readonly generation: 'always' | 'by default';
  /** The identity's own sequence: its name and settings. */
  readonly sequence: QualifiedName & SequenceOptions;
}

export type ConstraintKind = 'primary key' | 'unique' | 'foreign key' | 'check' | 'exclusion';
export type ForeignKeyAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
export type ForeignKeyMatch = 'simple' | 'full' | 'partial';

export interface Constraint {
  readonly name: string;
  readonly kind: ConstraintKind;
  /** The constrained columns in key order; empty for a check constraint on an expression only. */
  readonly columns: readonly string[];
  /** `pg_get_constraintdef`, e.g. `FOREIGN KEY (order_id) REFERENCES app.orders(id) ON DELETE CASCADE`. */
  readonly definition: string;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  /** False for a constraint added `NOT VALID` and not validated since. */
  readonly validated: boolean;
  /** The index backing a primary key, unique or exclusion constraint. */
  readonly index: string | null;
  readonly references: ForeignKeyReference | null;
  readonly comment: string | null;
}

export interface ForeignKeyReference {
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly onUpdate: ForeignKeyAction;
  readonly onDelete: ForeignKeyAction;
  readonly match: ForeignKeyMatch;
}

export interface View extends QualifiedName {
  /** `pg_get_viewdef`. */
  readonly definition: string;
  /** e.g. `check_option=local`, `security_barrier=true`, sorted. */
  readonly options: readonly string[];
  readonly columns: readonly Column[];
  readonly comment: string | null;
}

/** Its indexes are in `SchemaModel.indexes`. Whether it is populated is state, not schema. */
export type MaterializedView = View;

export interface Index extends QualifiedName {
  /** The table or materialized view it indexes. */
  readonly table: QualifiedName;
  /** `pg_get_indexdef`, e.g. `CREATE UNIQUE INDEX … USING btree (…) WHERE …`. */
  readonly definition: string;
  /** The access method: `btree`, `gist`, `gin`, `hash`, `brin`, `spgist`, … */
  readonly method: string;
  /** Key columns or expressions, in order. */
  readonly keys: readonly string[];
  /** `INCLUDE` columns. */
  readonly include: readonly string[];
  readonly unique: boolean;
  readonly primary: boolean;
  /** The constraint (primary key, unique, exclusion) the index backs. */
  readonly constraint: string | null;
  /** The `WHERE` of a partial index. */
  readonly predicate: string | null;
  /** False after a failed `CREATE INDEX CONCURRENTLY`: the index exists but is not used. */
  readonly valid: boolean;
  readonly comment: string | null;
}

export type RoutineKind = 'function' | 'procedure' | 'aggregate' | 'window';

export interface Routine extends QualifiedName {
  readonly kind: RoutineKind;
  /** `pg_get_function_identity_arguments`: with `name`, what tells overloads apart. */
  readonly identityArguments: string;
  /** `pg_get_function_result`; null for a procedure. */
  readonly result: string | null;
  readonly language: string;
  /**
   * sha256 (hex) of `pg_get_functiondef` — body, attributes and settings — so any change shows
   * without storing bodies. For an aggregate, of its `pg_aggregate` definition instead.
   */
  readonly definitionHash: string;
  /** `pg_get_functiondef`, only when read with `definitions: true` (never for an aggregate). */
  readonly definition?: string;
  readonly comment: string | null;
}

/** `origin` is the default; `replica` and `always` matter under logical replication. */
export type TriggerEnabled = 'origin' | 'replica' | 'always' | 'disabled';

export interface Trigger {
  readonly table: QualifiedName;
  readonly name: string;
  /** The function it executes, e.g. `app.touch_updated_at()`. */
  readonly function: string;
  /** sha256 (hex) of `pg_get_triggerdef`. */
  readonly definitionHash: string;
  /** `pg_get_triggerdef`, only when read with `definitions: true`. */
  readonly definition?: string;
  readonly enabled: TriggerEnabled;
  readonly comment: string | null;
}

/** A model with no objects, overlaid with `parts`: the starting point for hand-made models. */
export function emptySchemaModel(parts: Partial<SchemaModel> = {}): SchemaModel {
  return {
    format: schemaModelFormat,
    extensions: [],
    schemas: [],
    enums: [],
    domains: [],
    compositeTypes: [],
    rangeTypes: [],
    sequences: [],
    tables: [],
    views: [],
    materializedViews: [],
    indexes: [],
    routines: [],
    triggers: [],
    ...parts,
  };
}

/** `schema.name`, for messages and map keys (not quoted: not meant to be pasted into SQL). */
export function formatName(name: QualifiedName): string {
  return `${name.schema}.${name.name}`;
}

/** Orders by code unit, not locale, so the order is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders qualified names by schema, then name. */
export function compareNames(a: QualifiedName, b: QualifiedName): number {
  return compareText(a.schema, b.schema) || compareText(a.name, b.name);
}

/** The table named `schema.name` (or `{ schema, name }`), if the model has it. */
export function tableByName(model: SchemaModel, name: string | QualifiedName): Table | undefined {
  const wanted = typeof name === 'string' ? parseName(name) : name;
  return model.tables.find((t) => t.schema === wanted.schema && t.name === wanted.name);
}

/** The indexes of one table or materialized view, by name. */
export function indexesOf(model: SchemaModel, table: QualifiedName): readonly Index[] {
  return model.indexes.filter(
    (i) => i.table.schema === table.schema && i.table.name === table.name,
  );
}

function parseName(text: string): QualifiedName {
  const dot = text.indexOf('.');
  return dot < 0
    ? { schema: 'public', name: text }
    : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

function sortedBy<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  return [...items].sort(compare);
}

const byName = (a: { readonly name: string }, b: { readonly name: string }): number =>
  compareText(a.name, b.name);

/**
 * The same model with every unordered list in its canonical order (by schema, then name; overloads
 * by arguments; triggers by table). Ordered lists — columns, enum labels, key columns — keep theirs.
 */
export function normalizeSchemaModel(model: SchemaModel): SchemaModel {
  return {
    format: model.format,
    extensions: sortedBy(model.extensions, byName),
    schemas: sortedBy(model.schemas, byName),
    enums: sortedBy(model.enums, compareNames),
    domains: sortedBy(model.domains, compareNames).map((d) => ({
      ...d,
      checks: sortedBy(d.checks, byName),
    })),
    compositeTypes: sortedBy(model.compositeTypes, compareNames),
    rangeTypes: sortedBy(model.rangeTypes, compareNames),
    sequences: sortedBy(model.sequences, compareNames),
    tables: sortedBy(model.tables, compareNames).map((t) => ({
      ...t,
      options: sortedBy(t.options, compareText),
      constraints: sortedBy(t.constraints, (a, b) => byName(a, b) || compareText(a.kind, b.kind)),
    })),
    views: sortedBy(model.views, compareNames).map((v) => ({
      ...v,
      options: sortedBy(v.options, compareText),
    })),
    materializedViews: sortedBy(model.materializedViews, compareNames).map((v) => ({
      ...v,
      options: sortedBy(v.options, compareText),
    })),
    indexes: sortedBy(model.indexes, compareNames),
    routines: sortedBy(
      model.routines,
      (a, b) =>
        compareNames(a, b) ||
        compareText(a.identityArguments, b.identityArguments) ||
        compareText(a.kind, b.kind),
    ),
    triggers: sortedBy(model.triggers, (a, b) => compareNames(a.table, b.table) || byName(a, b)),
  };
}

/** Rebuilds a value with object keys in code-unit order, so key order never depends on how it was built. */
function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareText)) {
      const field = (value as Record<string, unknown>)[key];
      // A missing field and an undefined one must serialise alike.
      if (field !== undefined) out[key] = withSortedKeys(field);
    }
    return out;
  }
  return value;
}

/**
 * Canonical JSON of a model: lists in canonical order, keys sorted, 2-space indent, trailing
 * newline. Two reads of the same database give byte-identical text.
 */
export function serializeSchemaModel(model: SchemaModel): string {
  return `${JSON.stringify(withSortedKeys(normalizeSchemaModel(model)), null, 2)}\n`;
}
