/** Test helpers: a column of a given type and a masker built with a fixed test key. */
import path from 'node:path';
import type { ColumnInfo, MaskerSpec, ValueMasker } from '../../data-types.js';
import { createValueMasker } from '../index.js';

export const testKey = Buffer.from('a test masking key, 32 bytes....');
export const otherKey = Buffer.from('another masking key, 32 bytes...');

/** A column named `name` of `type` (`text[]` makes an array column). */
export function column(type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  const isArray = type.endsWith('[]');
  const base = type.replace(/\[\]$/, '');
  const length = /\((\d+)\)$/.exec(base);
  return {
    table: 'public.t',
    name: 'c',
    type,
    baseType: base.replace(/\(.*\)$/, ''),
    isArray,
    unique: false,
    ...(length === null ? {} : { maxLength: Number(length[1]) }),
    ...extra,
  };
}

/** A masker for `spec` on a column of `type`. */
export function masker(
  spec: MaskerSpec | MaskerSpec['masker'],
  type = 'text',
  extra: Partial<ColumnInfo> = {},
  key = testKey,
): Promise<ValueMasker> {
  const full = typeof spec === 'string' ? { masker: spec } : spec;
  return createValueMasker(full, column(type, extra), {
    key,
    dir: path.dirname(import.meta.dirname),
  });
}
