/**
 * The statements that recreate a schema model's objects before its rows are loaded: schemas,
 * extensions, types, sequences, functions and tables with their columns — no constraints,
 * indexes or triggers, which `ddl-post.ts` adds once the data is in (faster, and no trigger fires
 * during the load). Pure: the model in, SQL text out.
 *
 * Functions come before tables because column defaults, generated columns and checks may call
 * them; the session that runs these sets `check_function_bodies = off`, as pg_dump does, so a
 * function body may name tables that do not exist yet.
 */
import type {
  Column,
  CompositeType,
  Domain,
  SchemaModel,
  SequenceOptions,
  Table,
} from '../postgres/schema-model.js';
import { mentions, orderByDependencies, qualified, quoteIdent, quoteLiteral } from './ddl-names.js';

/** SQL statements plus what could not be recreated. */
export interface DdlScript {
  readonly statements: readonly string[];
  readonly warnings: readonly string[];
}

/** Session settings the DDL is written for: every user name in it is schema-qualified. */
export const ddlSessionSettings = [
  'SET search_path = pg_catalog',
  'SET check_function_bodies = off',
  "SET client_min_messages = 'warning'",
] as const;

/** Everything that must exist before rows are copied, in creation order. */
export function preDataDdl(model: SchemaModel): DdlScript {
  const out: string[] = [];
  const warnings: string[] = [];
  for (const schema of model.schemas) {
    out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema.name)}`);
    out.push(comment(`SCHEMA ${quoteIdent(schema.name)}`, schema.comment));
  }
  for (const e of model.extensions) {
    out.push(
      `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)} VERSION ${quoteLiteral(e.version)}`,
    );
  }
  for (const e of model.enums) {
    out.push(`CREATE TYPE ${qualified(e)} AS ENUM (${e.labels.map(quoteLiteral).join(', ')})`);
    out.push(comment(`TYPE ${qualified(e)}`, e.comment));
  }
  for (const r of model.rangeTypes) {
    const parts = [`SUBTYPE = ${r.subtype}`, `SUBTYPE_OPCLASS = ${r.subtypeOpclass}`];
    if (r.collation !== null) parts.push(`COLLATION = ${r.collation}`);
    if (r.canonical !== null) parts.push(`CANONICAL = ${functionName(r.canonical)}`);
    if (r.subtypeDiff !== null) parts.push(`SUBTYPE_DIFF = ${functionName(r.subtypeDiff)}`);
    out.push(`CREATE TYPE ${qualified(r)} AS RANGE (${parts.join(', ')})`);
    out.push(comment(`TYPE ${qualified(r)}`, r.comment));
  }
  // Domains and composite types may be built on each other: create each after those it names.
  const types: (Domain | CompositeType)[] = [...model.domains, ...model.compositeTypes];
  const typeText = (t: Domain | CompositeType): string =>
    'baseType' in t ? t.baseType : t.attributes.map((a) => a.type).join(' ');
  for (const t of orderByDependencies(types, (a, b) => mentions(typeText(a), b))) {
    out.push(...('baseType' in t ? domainDdl(t) : compositeDdl(t)));
  }
  for (const s of model.sequences) {
    out.push(`CREATE SEQUENCE ${qualified(s)} AS ${s.dataType} ${sequenceOptions(s)}`);
    out.push(comment(`SEQUENCE ${qualified(s)}`, s.comment));
  }
  for (const r of model.routines) {
    if (r.definition === undefined) {
      warnings.push(
        `${r.kind} ${qualified(r)}(${r.identityArguments}) was not recreated: its definition was not read`,
      );
      continue;
    }
    out.push(r.definition);
    const kind = r.kind === 'procedure' ? 'PROCEDURE' : 'FUNCTION';
    out.push(comment(`${kind} ${qualified(r)}(${r.identityArguments})`, r.comment));
  }
  for (const table of tablesInCreationOrder(model.tables)) out.push(...tableDdl(table));
  return { statements: out.filter((s) => s !== ''), warnings };
}

/** Parents (partitioned or inherited) before their children. */
export function tablesInCreationOrder(tables: readonly Table[]): Table[] {
  return orderByDependencies(tables, (a, b) => {
    const parents = [...a.inherits, ...(a.partitionOf === null ? [] : [a.partitionOf.parent])];
    return parents.some((p) => p.schema === b.schema && p.name === b.name);
  });
}

/** `COMMENT ON … IS …`, or nothing when there is no comment. */
export function comment(target: string, text: string | null): string {
  return text === null ? '' : `COMMENT ON ${target} IS ${quoteLiteral(text)}`;
}

function domainDdl(d: Domain): string[] {
  let sql = `CREATE DOMAIN ${qualified(d)} AS ${d.baseType}`;
  if (d.collation !== null) sql += ` COLLATE ${d.collation}`;
  if (d.default !== null) sql += ` DEFAULT ${d.default}`;
  if (d.notNull) sql += ' NOT NULL';
  const checks = d.checks.map(
    (c) =>
      `ALTER DOMAIN ${qualified(d)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}${c.validated ? '' : ' NOT VALID'}`,
  );
  return [sql, ...checks, comment(`DOMAIN ${qualified(d)}`, d.comment)];
}

function compositeDdl(t: CompositeType): string[] {
  const attributes = t.attributes.map(
    (a) =>
      `${quoteIdent(a.name)} ${a.type}${a.collation === null ? '' : ` COLLATE ${a.collation}`}`,
  );
  return [
    `CREATE TYPE ${qualified(t)} AS (${attributes.join(', ')})`,
    comment(`TYPE ${qualified(t)}`, t.comment),
    ...t.attributes.map((a) => comment(`COLUMN ${qualified(t)}.${quoteIdent(a.name)}`, a.comment)),
  ];
}

function sequenceOptions(s: SequenceOptions): string {
  return `START WITH ${s.start} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} CACHE ${s.cache} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`;
}

/** `pg_catalog.float8mi(double precision,double precision)` → `pg_catalog.float8mi`. */
function functionName(signature: string): string {
  const paren = signature.indexOf('(');
  return paren < 0 ? signature : signature.slice(0, paren);
}

function columnDdl(c: Column): string {
  let sql = `${quoteIdent(c.name)} ${c.type}`;
  if (c.collation !== null) sql += ` COLLATE ${c.collation}`;
  if (c.generated !== null) sql += ` GENERATED ALWAYS AS (${c.generated}) STORED`;
  if (c.identity !== null) {
    const seq = c.identity.sequence;
    sql += ` GENERATED ${c.identity.generation.toUpperCase()} AS IDENTITY (SEQUENCE NAME ${qualified(seq)} ${sequenceOptions(seq)})`;
  }
  if (c.default !== null) sql += ` DEFAULT ${c.default}`;
  if (c.notNull) sql += ' NOT NULL';
  return sql;
}

function tableDdl(t: Table): string[] {
  const name = qualified(t);
  let sql: string;
  if (t.partitionOf !== null) {
    sql = `CREATE${t.unlogged ? ' UNLOGGED' : ''} TABLE ${name} PARTITION OF ${qualified(t.partitionOf.parent)} ${t.partitionOf.bound}`;
  } else {
    const columns = t.columns.map(columnDdl).join(',\n  ');
    sql = `CREATE${t.unlogged ? ' UNLOGGED' : ''} TABLE ${name} (\n  ${columns}\n)`;
    if (t.inherits.length > 0) sql += ` INHERITS (${t.inherits.map(qualified).join(', ')})`;
  }
  if (t.partitionKey !== null) sql += ` PARTITION BY ${t.partitionKey}`;
  if (t.options.length > 0) sql += ` WITH (${t.options.join(', ')})`;
  const statements = [sql, comment(`TABLE ${name}`, t.comment)];
  for (const c of t.columns)
    statements.push(comment(`COLUMN ${name}.${quoteIdent(c.name)}`, c.comment));
  return statements;
}
