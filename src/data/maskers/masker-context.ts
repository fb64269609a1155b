/** What each masker factory receives, and the shape of what it returns. */
import type { ColumnInfo, MaskerSpec } from '../data-types.js';
import type { KeyedPrf } from './keyed-prf.js';

/** Masks one non-null element value (never an array literal); null means SQL NULL. */
export type TextMasker = (text: string) => string | null;

/** Inputs of a masker factory; `prf` gives the PRF of one label (derived once, then cached). */
export interface MaskerContext {
  readonly spec: MaskerSpec;
  /** The element column: for `text[]` a `text` column with `isArray: false`. */
  readonly column: ColumnInfo;
  readonly key: Buffer;
  readonly dir: string;
  prf(label: string): KeyedPrf;
}

/** Picks an element of a non-empty list by a hash value. */
export function pick(list: readonly string[], hash: number): string {
  return list[hash % list.length]!;
}

/** Cuts `text` to at most `max` characters (code points, as PostgreSQL counts them). */
export function fitLength(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}
