/**
 * Converting column values, as both adapters return them (see `store-port.ts`), into the types
 * repositories hand out. A value of an unexpected type is a schema bug, so it throws.
 */

/** An int8/bigserial column (a string, as `pg` returns it) as a JS number. */
export function toNumber(value: unknown, column = 'value'): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new TypeError(`expected ${column} to be an integer column value, got ${String(value)}`);
  }
  return n;
}

/** A timestamptz column value as a `Date`. */
export function toDate(value: unknown, column = 'value'): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw new TypeError(`expected ${column} to be a timestamp, got ${String(value)}`);
}

/** A text column value as a string. */
export function toText(value: unknown, column = 'value'): string {
  if (typeof value === 'string') return value;
  throw new TypeError(`expected ${column} to be text, got ${String(value)}`);
}

/** A JSON value as the text for a `$n::jsonb` parameter; rejects what JSON cannot hold. */
export function jsonParam(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('the value cannot be stored as JSON');
  return text;
}
