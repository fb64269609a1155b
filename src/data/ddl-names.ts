/**
 * SQL quoting for the statements the data copy writes: identifiers, qualified names, literals,
 * and the order in which objects that mention each other must be created.
 */
import type { QualifiedName } from '../postgres/schema-model.js';

/** Quotes an identifier unless it is a plain lower-case name (keywords are always quoted). */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !reserved.has(name)
    ? name
    : `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, each part quoted as needed. */
export function qualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/** A string literal, standard-conforming (`'it''s'`). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

// Quoting a non-keyword does no harm, so a short conservative list is enough.
const reserved = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate ' +
    'collation column concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user default deferrable desc distinct do else end ' +
    'except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into ' +
    'is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on ' +
    'only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose ' +
    'when where window with'
  ).split(' '),
);

/**
 * Orders items so that each comes after the items it depends on; `dependsOn(a, b)` says whether
 * `a` needs `b` first. Depth-first in input order: an item's needs are pulled in just before it;
 * a cycle is broken where it is found.
 */
export function orderByDependencies<T>(
  items: readonly T[],
  dependsOn: (item: T, other: T) => boolean,
): T[] {
  const done = new Set<T>();
  const visiting = new Set<T>();
  const out: T[] = [];
  const visit = (item: T): void => {
    if (done.has(item) || visiting.has(item)) return;
    visiting.add(item);
    for (const other of items) if (other !== item && dependsOn(item, other)) visit(other);
    visiting.delete(item);
    done.add(item);
    out.push(item);
  };
  for (const item of items) visit(item);
  return out;
}

/** True when deparsed SQL text mentions the qualified name (as PostgreSQL prints it). */
export function mentions(text: string, name: QualifiedName): boolean {
  const printed = qualified(name);
  let at = text.indexOf(printed);
  while (at >= 0) {
    const after = text[at + printed.length];
    const before = at === 0 ? undefined : text[at - 1];
    if (
      (after === undefined || !/[\w$"]/.test(after)) &&
      (before === undefined || !/[\w$".]/.test(before))
    )
      return true;
    at = text.indexOf(printed, at + 1);
  }
  return false;
}
