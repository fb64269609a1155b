/** SQL text helpers shared by the subset planner, the scan and verify, pure. */

/** Quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`. */
export function quoteTable(t: { readonly schema: string; readonly name: string }): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** A SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A table as a FROM item: `ONLY "s"."t"`, as the copy reads it (an inheriting table's rows are not
 * the parent's); a partitioned table without ONLY, since its rows are in its partitions.
 */
export function fromTable(t: {
  readonly schema: string;
  readonly name: string;
  readonly kind: string;
}): string {
  return t.kind === 'partitioned table' ? quoteTable(t) : `ONLY ${quoteTable(t)}`;
}

/**
 * `alias."column"`, or `"column"` for `alias` ''. Predicates over a copied table leave its columns
 * unqualified so they read a partition as well as its root.
 */
export function columnOf(alias: string, name: string): string {
  return alias === '' ? quoteIdent(name) : `${alias}.${quoteIdent(name)}`;
}

/** A row's key for the recursive walks: the given columns as one jsonb array. */
export function rowKey(alias: string, columns: readonly { readonly name: string }[]): string {
  return `pg_catalog.jsonb_build_array(${columns.map((c) => columnOf(alias, c.name)).join(', ')})`;
}

/**
 * Conditions matching `alias`'s columns to the jsonb key `key` made by {@link rowKey}, column by
 * column so an index on them is used.
 */
export function rowKeyMatch(
  alias: string,
  columns: readonly { readonly name: string; readonly type: string }[],
  key: string,
): string {
  return columns
    .map((c, i) => `${columnOf(alias, c.name)} = (${key} ->> ${i})::${c.type}`)
    .join(' AND ');
}
