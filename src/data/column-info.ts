/** What maskers need to know about a column, read off the schema model. Pure. */
import type { SchemaModel, Table } from '../postgres/schema-model.js';
import type { ColumnInfo } from './data-types.js';

/** Removes `(…)` modifiers and a trailing `[]`: `character varying(40)[]` → `character varying`. */
function stripModifiers(type: string): string {
  return type
    .replace(/\[\]$/, '')
    .replace(/\(.*\)$/, '')
    .trim();
}

/** The type a domain stands for, resolved through nested domains; other types as they are. */
export function resolveBaseType(model: SchemaModel, type: string): string {
  let current = type;
  for (let depth = 0; depth < 8; depth++) {
    const plain = current.replace(/\[\]$/, '');
    const domain = model.domains.find((d) => `${d.schema}.${d.name}` === plain || d.name === plain);
    if (domain === undefined) return current;
    current = current.endsWith('[]') ? `${domain.baseType}[]` : domain.baseType;
  }
  return current;
}

/** ColumnInfo for one column of a table in the model, or undefined when it has no such column. */
export function columnInfo(
  model: SchemaModel,
  table: Table,
  columnName: string,
): ColumnInfo | undefined {
  const column = table.columns.find((c) => c.name === columnName);
  if (column === undefined) return undefined;
  const resolved = resolveBaseType(model, column.type);
  const isArray = resolved.endsWith('[]');
  const unique = table.constraints.some(
    (c) => (c.kind === 'primary key' || c.kind === 'unique') && c.columns.includes(columnName),
  );
  const length = /^(?:character varying|varchar|character|char)\((\d+)\)/.exec(
    resolved.replace(/\[\]$/, ''),
  );
  return {
    table: `${table.schema}.${table.name}`,
    name: column.name,
    type: resolved,
    baseType: stripModifiers(resolved),
    isArray,
    unique,
    ...(length?.[1] === undefined ? {} : { maxLength: Number(length[1]) }),
  };
}
