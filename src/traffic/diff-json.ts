/**
 * Structural difference of two JSON values: every place where the recorded answer and the actual
 * one disagree, with its exact path. Arrays of objects that carry an id-like key (`id`, `uuid`,
 * `sku`, `*_id`, …) are aligned by that key, so a reordered list is not a difference; other
 * arrays are compared index by index. Pure; the noise model decides later what matters.
 */
import type { PathSegment } from './diff-path.js';

/** One place where two JSON values disagree. */
export interface JsonDifference {
  /** `changed` value, `type` changed, `removed` (only recorded has it), `added` (only actual). */
  readonly kind: 'changed' | 'type' | 'removed' | 'added';
  /**
   * Where. Inside an array aligned by key, the index is the recorded item's position (an added
   * item's, its position in the actual answer).
   */
  readonly segments: readonly PathSegment[];
  readonly recorded?: unknown;
  readonly actual?: unknown;
}

/** Keys tried first, in this order, when aligning arrays of objects. */
const preferredKeys = ['id', 'uuid', 'key', 'sku', 'slug', 'code'];
const idSuffix = /(_id|Id|ID|_uuid|Uuid|_key|Key)$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** Every difference between `recorded` and `actual`, in document order. */
export function diffJson(recorded: unknown, actual: unknown): JsonDifference[] {
  const out: JsonDifference[] = [];
  compare(recorded, actual, [], out);
  return out;
}

function compare(a: unknown, b: unknown, path: PathSegment[], out: JsonDifference[]): void {
  if (a === b) return;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) {
    out.push({ kind: 'type', segments: path.slice(), recorded: a, actual: b });
    return;
  }
  if (ka === 'array') {
    compareArrays(a as unknown[], b as unknown[], path, out);
    return;
  }
  if (ka === 'object') {
    compareObjects(a as JsonObject, b as JsonObject, path, out);
    return;
  }
  // Primitives of one type that are not identical (NaN cannot occur in parsed JSON).
  out.push({ kind: 'changed', segments: path.slice(), recorded: a, actual: b });
}

function compareObjects(a: JsonObject, b: JsonObject, path: PathSegment[], out: JsonDifference[]) {
  for (const key of Object.keys(a)) {
    path.push(key);
    if (Object.hasOwn(b, key)) compare(a[key], b[key], path, out);
    else out.push({ kind: 'removed', segments: path.slice(), recorded: a[key] });
    path.pop();
  }
  for (const key of Object.keys(b)) {
    if (Object.hasOwn(a, key)) continue;
    path.push(key);
    out.push({ kind: 'added', segments: path.slice(), actual: b[key] });
    path.pop();
  }
}

function compareArrays(a: unknown[], b: unknown[], path: PathSegment[], out: JsonDifference[]) {
  const key = alignmentKey(a, b);
  if (key === undefined) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i += 1) {
      path.push(i);
      compare(a[i], b[i], path, out);
      path.pop();
    }
    for (let i = common; i < a.length; i += 1)
      out.push({ kind: 'removed', segments: [...path, i], recorded: a[i] });
    for (let i = common; i < b.length; i += 1)
      out.push({ kind: 'added', segments: [...path, i], actual: b[i] });
    return;
  }
  const positions = new Map<unknown, number>();
  b.forEach((item, j) => positions.set((item as JsonObject)[key], j));
  const seen = new Set<number>();
  a.forEach((item, i) => {
    const j = positions.get((item as JsonObject)[key]);
    path.push(i);
    if (j === undefined) out.push({ kind: 'removed', segments: path.slice(), recorded: item });
    else {
      seen.add(j);
      compare(item, b[j], path, out);
    }
    path.pop();
  });
  b.forEach((item, j) => {
    if (!seen.has(j)) out.push({ kind: 'added', segments: [...path, j], actual: item });
  });
}

/**
 * The key to align two arrays by: the first candidate that every item of both arrays holds as a
 * string or number, unique within each array, and shared by at least one item of each (a key
 * whose values are all new on every call, such as a fresh UUID, cannot pair items). Candidates:
 * `id`, `uuid`, `key`, `sku`, `slug`, `code`, then keys ending in `_id`/`Id`/`_key`, by name.
 */
export function alignmentKey(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const first = a[0];
  if (!isObject(first)) return undefined;
  const suffixed = Object.keys(first)
    .filter((k) => idSuffix.test(k) && !preferredKeys.includes(k))
    .sort();
  for (const key of [...preferredKeys, ...suffixed]) {
    const left = keyValues(a, key);
    if (left === undefined) continue;
    const right = keyValues(b, key);
    if (right === undefined) continue;
    for (const value of left) if (right.has(value)) return key;
  }
  return undefined;
}

/** The set of `key`'s values over `items`, or undefined when one lacks it or two share one. */
function keyValues(items: readonly unknown[], key: string): Set<unknown> | undefined {
  const values = new Set<unknown>();
  for (const item of items) {
    if (!isObject(item)) return undefined;
    const value = item[key];
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    if (values.has(value)) return undefined;
    values.add(value);
  }
  return values;
}
