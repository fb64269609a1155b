/**
 * Reads a database's catalog into the schema model. Takes any client with a `query` method (a
 * `pg.Client` or `pg.PoolClient` fits), so the core does not depend on `pg`.
 */
import { UnderstudyError, messageOf } from '../shared/errors.js';
import {
  type ColumnRow,
  type CompositeTypeRow,
  type ConstraintRow,
  type RelationRow,
  type SequenceRow,
  decode,
  groupByRelation,
  routineKinds,
  toColumn,
  toCompositeTypes,
  toRelations,
  toSequences,
  triggerEnabled,
} from './catalog-rows.js';
import * as queries from './catalog-queries.js';
import {
  type Column,
  type Domain,
  type EnumType,
  type Extension,
  type Index,
  type QualifiedName,
  type RangeType,
  type Routine,
  type Schema,
  type SchemaModel,
  type Trigger,
  normalizeSchemaModel,
  schemaModelFormat,
} from './schema-model.js';

/** The one thing the reader needs from a connection. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface ReadSchemaModelOptions {
  /** Only these schemas; default every user schema. Extensions are listed whatever their schema. */
  readonly schemas?: readonly string[];
  /**
   * `own` (default): read inside a REPEATABLE READ READ ONLY transaction of its own, so every
   * query sees one snapshot. `caller`: the client is already inside a transaction (the data
   * copy's snapshot) and the model is read from it; settings changed for reading are restored.
   */
  readonly transaction?: 'own' | 'caller';
  /**
   * Also read the full `definition` of routines and triggers (not only their hashes), for
   * recreating them. Off by default: the model and its serialisation are then unchanged.
   */
  readonly definitions?: boolean;
}

interface DomainRow extends QualifiedName {
  readonly base_type: string;
  readonly not_null: boolean;
  readonly default: string | null;
  readonly collation: string | null;
  readonly checks: Domain['checks'];
  readonly comment: string | null;
}
interface RangeRow extends QualifiedName {
  readonly subtype: string;
  readonly collation: string | null;
  readonly subtype_opclass: string;
  readonly canonical: string | null;
  readonly subtype_diff: string | null;
  readonly comment: string | null;
}
interface IndexRow extends Omit<Index, 'table'> {
  readonly table_schema: string;
  readonly table_name: string;
}
interface RoutineRow extends QualifiedName {
  readonly kind: string;
  readonly identity_arguments: string;
  readonly result: string | null;
  readonly language: string;
  readonly definition_hash: string;
  readonly comment: string | null;
}
interface TriggerRow {
  readonly table_schema: string;
  readonly table_name: string;
  readonly name: string;
  readonly function: string;
  readonly definition_hash: string;
  readonly enabled: string;
  readonly comment: string | null;
}

/** Reads every user schema object of the connected database into one deterministic model. */
export async function readSchemaModel(
  client: Queryable,
  options: ReadSchemaModelOptions = {},
): Promise<SchemaModel> {
  const own = (options.transaction ?? 'own') === 'own';
  try {
    if (own) await beginOwnTransaction(client);
    try {
      const previous = await applyDeparseSettings(client);
      const model = await readInSnapshot(client, options.schemas);
      const full =
        options.definitions === true
          ? await withDefinitions(client, model, options.schemas)
          : model;
      if (!own) await restoreSettings(client, previous);
      return full;
    } finally {
      // Read only: ending the transaction either way changes nothing, and ROLLBACK also ends an aborted one.
      if (own) await client.query('ROLLBACK');
    }
  } catch (error) {
    if (error instanceof UnderstudyError) throw error;
    throw new UnderstudyError(
      'E_OPERATION',
      `could not read the database schema: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

async function beginOwnTransaction(client: Queryable): Promise<void> {
  // Inside a transaction block, now() is when it began, before this statement. BEGIN there would
  // only warn, and the closing ROLLBACK would then undo the caller's work.
  const { rows } = await client.query(
    'SELECT pg_catalog.now() = pg_catalog.statement_timestamp() AS idle',
  );
  if ((rows[0] as { idle?: boolean } | undefined)?.idle !== true) {
    throw new UnderstudyError(
      'E_INPUT',
      'readSchemaModel was given a client inside a transaction but told to open its own',
      { hint: "pass transaction: 'caller' to read within the open transaction" },
    );
  }
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
}

// Local to the transaction: they end with it, whatever happens in between.
const setLocalSettings =
  'SELECT pg_catalog.set_config(s.name, s.value, true) FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS s(name, value)';

/** Sets the deparse settings for the current transaction only; returns the values they replace. */
async function applyDeparseSettings(
  client: Queryable,
): Promise<ReadonlyArray<readonly [string, string]>> {
  const names = queries.deparseSettings.map(([name]) => name);
  const values = queries.deparseSettings.map(([, value]) => value);
  const { rows: before } = await client.query(
    'SELECT s.name, pg_catalog.current_setting(s.name) AS value FROM pg_catalog.unnest($1::text[]) AS s(name)',
    [names],
  );
  await client.query(setLocalSettings, [names, values]);
  // Outside a transaction block a local setting lasts one statement: the model would depend on
  // the session's own settings, so refuse rather than read it inexactly.
  const { rows } = await client.query(
    "SELECT pg_catalog.current_setting('search_path') AS search_path",
  );
  if ((rows[0] as { search_path?: string } | undefined)?.search_path !== 'pg_catalog') {
    throw new UnderstudyError(
      'E_INPUT',
      "readSchemaModel with transaction 'caller' needs a client inside an open transaction",
      {
        hint: "open one first (BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY), or use transaction 'own'",
      },
    );
  }
  return (before as { name: string; value: string }[]).map((row) => [row.name, row.value] as const);
}

async function restoreSettings(
  client: Queryable,
  previous: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  await client.query(setLocalSettings, [
    previous.map(([name]) => name),
    previous.map(([, value]) => value),
  ]);
}

async function readInSnapshot(
  client: Queryable,
  schemas: readonly string[] | undefined,
): Promise<SchemaModel> {
  const filter = [schemas === undefined ? null : [...schemas]];
  const rows = async <T>(sql: string, values: unknown[] = filter): Promise<T[]> =>
    (await client.query(sql, values)).rows as T[];
  // One after another: a client runs one query at a time, and pg 9 will refuse overlapping calls.
  const extensions = await rows<Extension>(queries.extensionsQuery, []);
  const schemaRows = await rows<Schema>(queries.schemasQuery);
  const enums = await rows<EnumType>(queries.enumsQuery);
  const domains = await rows<DomainRow>(queries.domainsQuery);
  const composites = await rows<CompositeTypeRow>(queries.compositeTypesQuery);
  const ranges = await rows<RangeRow>(queries.rangeTypesQuery);
  const sequences = await rows<SequenceRow>(queries.sequencesQuery);
  const relations = await rows<RelationRow>(queries.relationsQuery);
  const columns = await rows<ColumnRow>(queries.columnsQuery);
  const constraints = await rows<ConstraintRow>(queries.constraintsQuery);
  const indexes = await rows<IndexRow>(queries.indexesQuery);
  const routines = await rows<RoutineRow>(queries.routinesQuery);
  const triggers = await rows<TriggerRow>(queries.triggersQuery);

  const identities = new Map<string, SequenceRow>();
  for (const s of sequences) {
    if (s.dependency === 'i' && s.owner_relation !== null)
      identities.set(`${s.owner_relation}/${s.owner_column ?? ''}`, s);
  }
  const columnsByRelation = new Map<string, Column[]>();
  for (const [relation, group] of groupByRelation(columns)) {
    columnsByRelation.set(
      relation,
      group.map((row) => toColumn(row, identities)),
    );
  }
  const { tables, views, materializedViews } = toRelations(
    relations,
    columnsByRelation,
    groupByRelation(constraints),
  );

  return normalizeSchemaModel({
    format: schemaModelFormat,
    extensions: extensions.map((e) => ({ name: e.name, version: e.version, schema: e.schema })),
    schemas: schemaRows.map((s) => ({ name: s.name, comment: s.comment })),
    enums: enums.map((e) => ({
      schema: e.schema,
      name: e.name,
      labels: e.labels,
      comment: e.comment,
    })),
    domains: domains.map((d) => ({
      schema: d.schema,
      name: d.name,
      baseType: d.base_type,
      notNull: d.not_null,
      default: d.default,
      collation: d.collation,
      checks: d.checks,
      comment: d.comment,
    })),
    compositeTypes: toCompositeTypes(composites, columnsByRelation),
    rangeTypes: ranges.map((r): RangeType => ({
      schema: r.schema,
      name: r.name,
      subtype: r.subtype,
      collation: r.collation,
      subtypeOpclass: r.subtype_opclass,
      canonical: r.canonical,
      subtypeDiff: r.subtype_diff,
      comment: r.comment,
    })),
    sequences: toSequences(sequences),
    tables,
    views,
    materializedViews,
    indexes: indexes.map((i): Index => ({
      schema: i.schema,
      name: i.name,
      table: { schema: i.table_schema, name: i.table_name },
      definition: i.definition,
      method: i.method,
      keys: i.keys,
      include: i.include,
      unique: i.unique,
      primary: i.primary,
      constraint: i.constraint,
      predicate: i.predicate,
      valid: i.valid,
      comment: i.comment,
    })),
    routines: routines.map((r): Routine => ({
      schema: r.schema,
      name: r.name,
      kind: decode('routine', routineKinds, r.kind),
      identityArguments: r.identity_arguments,
      result: r.kind === 'p' ? null : r.result,
      language: r.language,
      definitionHash: r.definition_hash,
      comment: r.comment,
    })),
    triggers: triggers.map((t): Trigger => ({
      table: { schema: t.table_schema, name: t.table_name },
      name: t.name,
      function: t.function,
      definitionHash: t.definition_hash,
      enabled: decode('trigger enabled', triggerEnabled, t.enabled),
      comment: t.comment,
    })),
  });
}

interface DefinitionRow {
  readonly schema: string;
  readonly name: string;
  readonly identity_arguments: string;
  readonly definition: string | null;
}
interface TriggerDefinitionRow {
  readonly table_schema: string;
  readonly table_name: string;
  readonly name: string;
  readonly definition: string;
}

/** The model with `definition` added to its routines and triggers (read in the same snapshot). */
async function withDefinitions(
  client: Queryable,
  model: SchemaModel,
  schemas: readonly string[] | undefined,
): Promise<SchemaModel> {
  const filter = [schemas === undefined ? null : [...schemas]];
  const routineRows = (await client.query(queries.routineDefinitionsQuery, filter))
    .rows as DefinitionRow[];
  const triggerRows = (await client.query(queries.triggerDefinitionsQuery, filter))
    .rows as TriggerDefinitionRow[];
  const routines = new Map(
    routineRows.map((r) => [`${r.schema}.${r.name}(${r.identity_arguments})`, r.definition]),
  );
  const triggers = new Map(
    triggerRows.map((t) => [`${t.table_schema}.${t.table_name}/${t.name}`, t.definition]),
  );
  return {
    ...model,
    routines: model.routines.map((r) => {
      const definition = routines.get(`${r.schema}.${r.name}(${r.identityArguments})`);
      return definition == null ? r : { ...r, definition };
    }),
    triggers: model.triggers.map((t) => {
      const definition = triggers.get(`${t.table.schema}.${t.table.name}/${t.name}`);
      return definition === undefined ? t : { ...t, definition };
    }),
  };
}
