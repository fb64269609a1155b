/**
 * The catalog queries behind `readSchemaModel`: one set-based query per object kind over every
 * user schema at once, so a 1,000-table database costs a dozen round trips, not thousands.
 * Each query takes `$1`, an optional list of schemas to restrict to (NULL: all user schemas).
 *
 * Written for PostgreSQL 13 through 17: only catalog columns all of them have are read, and
 * kinds added later (not-null constraints in pg_constraint) are filtered out by name.
 */

/** Schemas users cannot create (`pg_` is reserved), plus the optional `$1` filter. */
function userSchema(namespace: string): string {
  return `${namespace}.nspname !~ '^pg_' AND ${namespace}.nspname <> 'information_schema'
    AND ($1::text[] IS NULL OR ${namespace}.nspname = ANY ($1::text[]))`;
}

/** An object created by an extension's script is recorded with a dependency of type 'e'. */
function notInExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = '${catalog}'::regclass AND x.objid = ${oid} AND x.objsubid = 0 AND x.deptype = 'e')`;
}

function comment(catalog: string, oid: string, subId = '0'): string {
  return `(SELECT d.description FROM pg_catalog.pg_description d
    WHERE d.classoid = '${catalog}'::regclass AND d.objoid = ${oid} AND d.objsubid = ${subId})`;
}

/** A collation as SQL names it (`pg_catalog."C"`), only when it differs from the type's default. */
function collationUnlessDefault(collation: string, typeDefault: string): string {
  return `(SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
    WHERE co.oid = ${collation} AND ${collation} <> ${typeDefault})`;
}

function sha256(text: string): string {
  return `pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(${text}, 'UTF8')), 'hex')`;
}

/** Column names of `relation` for an attnum array, in array order. */
function columnNames(relation: string, attnums: string): string {
  return `(SELECT coalesce(pg_catalog.array_agg(a.attname::text ORDER BY k.ord), '{}')
    FROM pg_catalog.unnest(${attnums}) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum)`;
}

/**
 * Settings that change how PostgreSQL deparses definitions: with them fixed, the same schema
 * reads as the same text whatever the role's or database's defaults are. `search_path` set to
 * the catalog alone makes every user object schema-qualified.
 */
export const deparseSettings: ReadonlyArray<readonly [name: string, value: string]> = [
  ['search_path', 'pg_catalog'],
  ['TimeZone', 'UTC'],
  ['DateStyle', 'ISO, YMD'],
  ['IntervalStyle', 'postgres'],
  ['extra_float_digits', '3'],
  ['bytea_output', 'hex'],
  ['quote_all_identifiers', 'off'],
];

export const extensionsQuery = `
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace`;

export const schemasQuery = `
SELECT n.nspname AS name, ${comment('pg_namespace', 'n.oid')} AS comment
FROM pg_catalog.pg_namespace n
WHERE ${userSchema('n')} AND ${notInExtension('pg_namespace', 'n.oid')}`;

export const enumsQuery = `
SELECT n.nspname AS schema, t.typname AS name,
  (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
     FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) AS labels,
  ${comment('pg_type', 't.oid')} AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ${userSchema('n')} AND ${notInExtension('pg_type', 't.oid')}`;

// Only 'c' constraints: PostgreSQL 17 also stores a domain's NOT NULL in pg_constraint.
export const domainsQuery = `
SELECT n.nspname AS schema, t.typname AS name,
  pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
  t.typnotnull AS not_null,
  pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default,
  ${collationUnlessDefault('t.typcollation', 'bt.typcollation')} AS collation,
  coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
      'name', con.conname, 'definition', pg_catalog.pg_get_constraintdef(con.oid), 'validated', con.convalidated)
      ORDER BY con.conname COLLATE "C")
    FROM pg_catalog.pg_constraint con WHERE con.contypid = t.oid AND con.contype = 'c'), '[]') AS checks,
  ${comment('pg_type', 't.oid')} AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
WHERE t.typtype = 'd' AND ${userSchema('n')} AND ${notInExtension('pg_type', 't.oid')}`;

// A composite type's attributes come from columnsQuery, keyed by its relation.
export const compositeTypesQuery = `
SELECT t.typrelid::text AS relation, n.nspname AS schema, t.typname AS name,
  ${comment('pg_type', 't.oid')} AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND ${userSchema('n')} AND ${notInExtension('pg_type', 't.oid')}`;

export const rangeTypesQuery = `
SELECT n.nspname AS schema, t.typname AS name,
  pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
  ${collationUnlessDefault('r.rngcollation', 'st.typcollation')} AS collation,
  pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(oc.opcname) AS subtype_opclass,
  CASE WHEN r.rngcanonical::oid <> 0 THEN r.rngcanonical::oid::regprocedure::text END AS canonical,
  CASE WHEN r.rngsubdiff::oid <> 0 THEN r.rngsubdiff::oid::regprocedure::text END AS subtype_diff,
  ${comment('pg_type', 't.oid')} AS comment
FROM pg_catalog.pg_range r
JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
JOIN pg_catalog.pg_opclass oc ON oc.oid = r.rngsubopc
JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE ${userSchema('n')} AND ${notInExtension('pg_type', 't.oid')}`;

// Identity sequences (dependency 'i') are returned too; the reader attaches them to their column.
export const sequencesQuery = `
SELECT n.nspname AS schema, c.relname AS name,
  pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
  s.seqstart::text AS start, s.seqincrement::text AS increment,
  s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
  dep.deptype AS dependency, dep.refobjid::text AS owner_relation,
  tn.nspname AS owner_schema, tc.relname AS owner_table, ta.attname AS owner_column,
  ${comment('pg_class', 'c.oid')} AS comment
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
  AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = dep.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
WHERE ${userSchema('n')} AND ${notInExtension('pg_class', 'c.oid')}`;

/** Tables, partitioned tables, views and materialized views. */
export const relationsQuery = `
SELECT c.oid::text AS relation, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
  c.relpersistence = 'u' AS unlogged,
  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
  coalesce((SELECT pg_catalog.json_agg(pg_catalog.json_build_object('schema', pn.nspname, 'name', pc.relname)
      ORDER BY i.inhseqno)
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
    JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
    WHERE i.inhrelid = c.oid), '[]') AS parents,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS view_definition,
  coalesce(c.reloptions, '{}')::text[] AS options,
  ${comment('pg_class', 'c.oid')} AS comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${userSchema('n')} AND ${notInExtension('pg_class', 'c.oid')}`;

// Not filtered by extension: columns of relations the other queries left out are dropped when joined.
// A partition's identity is its parent's: PostgreSQL 17 marks it on the partition's column too,
// older versions do not, so it is left out on partitions to read the same model from both.
export const columnsQuery = `
SELECT a.attrelid::text AS relation, a.attname AS name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS not_null,
  CASE WHEN c.relispartition THEN '' ELSE a.attidentity::text END AS identity,
  a.attgenerated::text AS generated,
  pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS expression,
  ${collationUnlessDefault('a.attcollation', 't.typcollation')} AS collation,
  ${comment('pg_class', 'a.attrelid', 'a.attnum')} AS comment
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'c') AND ${userSchema('n')}
ORDER BY a.attrelid, a.attnum`;

// Clones on partitions (conparentid) and copies inherited from a parent (not conislocal) are
// left out: the parent's constraint stands for them.
export const constraintsQuery = `
SELECT con.conrelid::text AS relation, con.conname AS name, con.contype AS kind,
  ${columnNames('con.conrelid', 'con.conkey')} AS columns,
  pg_catalog.pg_get_constraintdef(con.oid) AS definition,
  con.condeferrable AS deferrable, con.condeferred AS initially_deferred, con.convalidated AS validated,
  CASE WHEN con.contype IN ('p', 'u', 'x') THEN ic.relname END AS index,
  fn.nspname AS referenced_schema, fc.relname AS referenced_table,
  CASE WHEN con.contype = 'f' THEN ${columnNames('con.confrelid', 'con.confkey')} END AS referenced_columns,
  con.confupdtype AS on_update, con.confdeltype AS on_delete, con.confmatchtype AS match,
  ${comment('pg_constraint', 'con.oid')} AS comment
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class ic ON ic.oid = con.conindid
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid AND con.contype = 'f'
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0 AND con.conislocal
  AND c.relkind IN ('r', 'p') AND ${userSchema('n')}`;

// Indexes attached to a partitioned index (a pg_inherits row) are left out, like cloned constraints.
export const indexesQuery = `
SELECT n.nspname AS schema, ic.relname AS name, tn.nspname AS table_schema, tc.relname AS table_name,
  pg_catalog.pg_get_indexdef(i.indexrelid) AS definition, am.amname AS method,
  (SELECT pg_catalog.array_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
     FROM pg_catalog.generate_series(1, i.indnkeyatts) AS k)::text[] AS keys,
  coalesce((SELECT pg_catalog.array_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true) ORDER BY k)
     FROM pg_catalog.generate_series(i.indnkeyatts + 1, i.indnatts) AS k), '{}')::text[] AS include,
  i.indisunique AS unique, i.indisprimary AS primary, con.conname AS constraint,
  pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indisvalid AS valid,
  ${comment('pg_class', 'ic.oid')} AS comment
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
  AND con.contype IN ('p', 'u', 'x')
WHERE tc.relkind IN ('r', 'p', 'm') AND ${userSchema('tn')} AND ${notInExtension('pg_class', 'tc.oid')}
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)`;

// pg_get_functiondef refuses aggregates, so theirs is hashed from pg_aggregate, with every
// function reference written as a signature (never an OID).
const aggregateDefinition = `(SELECT pg_catalog.concat_ws(E'\\n',
    'AGGREGATE ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
      || '(' || pg_catalog.pg_get_function_arguments(p.oid) || ')',
    'RETURNS ' || pg_catalog.pg_get_function_result(p.oid),
    'STRICT ' || p.proisstrict::text, 'PARALLEL ' || p.proparallel::text, 'VOLATILITY ' || p.provolatile::text,
    'KIND ' || a.aggkind::text, 'DIRECTARGS ' || a.aggnumdirectargs::text,
    'SFUNC ' || a.aggtransfn::oid::regprocedure::text, 'STYPE ' || a.aggtranstype::regtype::text, 'SSPACE ' || a.aggtransspace::text,
    'FINALFUNC ' || a.aggfinalfn::oid::regprocedure::text, 'FINALEXTRA ' || a.aggfinalextra::text,
    'FINALMODIFY ' || a.aggfinalmodify::text, 'COMBINEFUNC ' || a.aggcombinefn::oid::regprocedure::text,
    'SERIALFUNC ' || a.aggserialfn::oid::regprocedure::text, 'DESERIALFUNC ' || a.aggdeserialfn::oid::regprocedure::text,
    'MSFUNC ' || a.aggmtransfn::oid::regprocedure::text, 'MINVFUNC ' || a.aggminvtransfn::oid::regprocedure::text,
    'MSTYPE ' || a.aggmtranstype::regtype::text, 'MSSPACE ' || a.aggmtransspace::text,
    'MFINALFUNC ' || a.aggmfinalfn::oid::regprocedure::text, 'MFINALEXTRA ' || a.aggmfinalextra::text,
    'MFINALMODIFY ' || a.aggmfinalmodify::text, 'SORTOP ' || a.aggsortop::regoperator::text,
    'INITCOND ' || a.agginitval, 'MINITCOND ' || a.aggminitval)
  FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid)`;

export const routinesQuery = `
SELECT n.nspname AS schema, p.proname AS name, p.prokind AS kind,
  pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
  pg_catalog.pg_get_function_result(p.oid) AS result,
  l.lanname AS language,
  ${sha256(`CASE WHEN p.prokind = 'a' THEN ${aggregateDefinition} ELSE pg_catalog.pg_get_functiondef(p.oid) END`)}
    AS definition_hash,
  ${comment('pg_proc', 'p.oid')} AS comment
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE ${userSchema('n')} AND ${notInExtension('pg_proc', 'p.oid')}
  -- Constructors PostgreSQL makes for a range type (and, from 14, its multirange) belong to the type.
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'i')`;

// Internal triggers implement foreign keys; triggers with a parent are clones on partitions.
export const triggersQuery = `
SELECT n.nspname AS table_schema, c.relname AS table_name, t.tgname AS name,
  t.tgfoid::regprocedure::text AS function,
  ${sha256('pg_catalog.pg_get_triggerdef(t.oid)')} AS definition_hash,
  t.tgenabled AS enabled,
  ${comment('pg_trigger', 't.oid')} AS comment
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ${userSchema('n')} AND ${notInExtension('pg_class', 'c.oid')}`;

// Only with `definitions: true`: the full text the hashes above are taken from, for recreating
// the objects (the data copy). Keyed like routinesQuery and triggersQuery; aggregates have none.
export const routineDefinitionsQuery = `
SELECT n.nspname AS schema, p.proname AS name,
  pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
  CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE ${userSchema('n')} AND ${notInExtension('pg_proc', 'p.oid')}`;

export const triggerDefinitionsQuery = `
SELECT n.nspname AS table_schema, c.relname AS table_name, t.tgname AS name,
  pg_catalog.pg_get_triggerdef(t.oid) AS definition
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ${userSchema('n')}`;
