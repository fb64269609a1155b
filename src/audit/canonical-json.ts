/**
 * Canonical JSON: one text per value, whatever the key order it was built or stored with. The
 * audit chain hashes this text, and PostgreSQL's jsonb reorders keys, so hashing anything less
 * canonical would make a faithful round trip look like tampering.
 */

/** A value that survives a JSON round trip unchanged. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

function compareKeys(a: string, b: string): number {
  // By UTF-16 code units, like JSON.stringify's escaping: locale-independent and total.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical text of a JSON value: keys sorted at every level, no whitespace. Throws on what JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be represented in JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`a value of type ${typeof value} cannot be represented in JSON`);
}

/**
 * The value as JSON will store it (dates as ISO strings, undefined properties dropped), so what
 * is hashed before storing equals what is read back.
 */
export function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('the value cannot be represented in JSON');
  return JSON.parse(text) as JsonValue;
}
