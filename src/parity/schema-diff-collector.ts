/**
 * The builder `diffSchemaModels` fills: it counts what was compared, records differences with the
 * severity the table gives them, and pairs the objects of two models by key in linear time.
 */
import type { SchemaModel } from '../postgres/schema-model.js';
import { driftPath, type Difference, type JsonValue } from './drift.js';
import {
  type ChangeSubject,
  type ObjectSubject,
  type SchemaSubject,
  schemaSeverity,
} from './schema-severity.js';

/** One key's objects on each side; at least one is present. */
export interface Pair<T> {
  readonly key: string;
  readonly env: T | undefined;
  readonly against: T | undefined;
}

/** The object of a pair, from whichever side has it. */
export function either<T>(pair: Pair<T>): T {
  return (pair.env ?? pair.against) as T;
}

/** Pairs two lists by key with two maps: no quadratic scans, whatever the models' sizes. */
export function pairBy<T>(
  env: readonly T[],
  against: readonly T[],
  keyOf: (item: T) => string,
): Pair<T>[] {
  const envByKey = new Map<string, T>();
  for (const item of env) envByKey.set(keyOf(item), item);
  const pairs: Pair<T>[] = [];
  const seen = new Set<string>();
  for (const item of against) {
    const key = keyOf(item);
    seen.add(key);
    pairs.push({ key, env: envByKey.get(key), against: item });
  }
  for (const [key, item] of envByKey) {
    if (!seen.has(key)) pairs.push({ key, env: item, against: undefined });
  }
  return pairs;
}

const noOptions = {};

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Collects the differences of one comparison. Mutable by design: it is the builder. */
export class DiffCollector {
  compared = 0;
  readonly differences: Difference[] = [];

  /** Counts one object and records it when one side lacks it; true when both sides have it. */
  presence<T>(
    subject: ObjectSubject,
    path: readonly string[],
    pair: Pair<T>,
    summary: (item: T) => JsonValue,
  ): pair is Pair<T> & { readonly env: T; readonly against: T } {
    this.compared += 1;
    if (pair.env !== undefined && pair.against !== undefined) return true;
    if (pair.against !== undefined) {
      this.push(subject, path, 'missing', { againstValue: summary(pair.against) });
    } else if (pair.env !== undefined) {
      this.push(subject, path, 'extra', { envValue: summary(pair.env) });
    }
    return false;
  }

  /**
   * Counts one attribute and records it when the two values differ, at `path` plus `name` (the
   * full path is only built for a difference: most attributes are equal). `equal` overrides the
   * comparison where the values shown are shortened (hashes).
   */
  attribute(
    subject: ChangeSubject,
    path: readonly string[],
    name: string | null,
    envValue: JsonValue,
    againstValue: JsonValue,
    options: { readonly equal?: boolean; readonly note?: string } = noOptions,
  ): void {
    this.compared += 1;
    if (options.equal ?? sameJson(envValue, againstValue)) return;
    this.push(subject, name === null ? path : [...path, name], 'changed', {
      envValue,
      againstValue,
      ...(options.note === undefined ? {} : { note: options.note }),
    });
  }

  /** Compares the order of the names both sides share, so an added or dropped one is not also a reorder. */
  order(subject: ChangeSubject, path: readonly string[], env: string[], against: string[]): void {
    this.compared += 1;
    if (env.length === against.length && env.every((name, i) => name === against[i])) return;
    const inEnv = new Set(env);
    const inAgainst = new Set(against);
    const shared = (names: string[], other: Set<string>): string[] =>
      names.filter((n) => other.has(n));
    if (sameJson(shared(env, inAgainst), shared(against, inEnv))) return;
    this.push(subject, path, 'changed', {
      envValue: env,
      againstValue: against,
      note: 'the same names in another order',
    });
  }

  private push(
    subject: SchemaSubject,
    path: readonly string[],
    kind: Exclude<Difference['kind'], 'shared'>,
    rest: Pick<Difference, 'envValue' | 'againstValue' | 'note'>,
  ): void {
    this.differences.push({
      probe: 'schema',
      path: driftPath('schema', ...path),
      kind,
      severity: schemaSeverity(subject, kind),
      ...rest,
    });
  }
}

/** What every part of the comparison reads: both models, the collector, and what one side lacks. */
export interface DiffContext {
  readonly env: SchemaModel;
  readonly against: SchemaModel;
  readonly c: DiffCollector;
  /** Schemas only one side has: their objects are part of that one difference. */
  readonly loneSchemas: ReadonlySet<string>;
  /** Tables, views and materialized views (`schema.name`) only one side has: likewise for their children. */
  readonly loneRelations: ReadonlySet<string>;
}

/** The value shown for a definition PostgreSQL gave only as a hash. */
export function hashValue(hash: string): string {
  return `sha256:${hash.slice(0, 12)}`;
}

/** `n thing` or `n things`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
