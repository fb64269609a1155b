/**
 * Pure validation of the text of `understudy.yaml`: parse, interpolate, check against the schema,
 * and return every problem at once with its file, line, column and key path. Nothing here touches
 * the disk; `config-load.ts` does that.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import type { Problem } from '../shared/errors.js';
import { closest } from '../shared/suggest.js';
import { interpolate } from './config-interpolate.js';
import { configSchema, type Config } from './config-schema.js';

export interface ValidationResult {
  /** The validated, frozen configuration; undefined when there are errors. */
  readonly config: Readonly<Config> | undefined;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

export interface ValidateOptions {
  /** File name shown in locations. */
  readonly file: string;
  /** Environment for `${VAR}` interpolation. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Date used to warn about expired allowances (today by default). */
  readonly today?: string;
}

type Path = readonly (string | number)[];

/** Validates the text of a configuration file; never throws. */
export function validateConfigText(text: string, options: ValidateOptions): ValidationResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return options.file;
    const pos = lines.linePos(offset);
    return `${options.file}:${pos.line}:${pos.col}`;
  };

  if (doc.errors.length > 0) {
    // `{ database: ${URL} }` is the most common way to trip: `{` starts a mapping inside `{ … }`.
    const flowReference = /\{[^}\n]*:\s*\$\{/.test(text);
    const errors = doc.errors.map((e) => ({
      location: at(e.pos[0]),
      message: `invalid YAML: ${firstLine(e.message)}`,
    }));
    if (flowReference) {
      errors.push({
        location: options.file,
        message: 'a ${VAR} value inside { … } must be quoted: { database: "${DATABASE_URL}" }',
      });
    }
    return { config: undefined, errors, warnings: [] };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      config: undefined,
      errors: [{ location: options.file, message: 'the file is empty' }],
      warnings: [],
    };
  }
  if (!isMap(doc.contents)) {
    return {
      config: undefined,
      errors: [
        {
          location: at(doc.contents.range?.[0]),
          message: 'the file must be a mapping of keys (project:, environments:, …)',
        },
      ],
      warnings: [],
    };
  }

  const errors: Problem[] = [];
  const unresolved = new Set<string>();
  interpolateDocument(doc, options.env, (path, node, message) => {
    unresolved.add(formatPath(path));
    errors.push({ location: at(node.range?.[0]), path: formatPath(path), message });
  });

  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // A value left empty by an unset variable is already reported as such.
      errors.push(
        ...describeIssue(issue, [], doc, at).filter(
          (p) => p.path === undefined || !unresolved.has(p.path),
        ),
      );
    }
  }
  if (errors.length > 0) {
    return { config: undefined, errors: sortByLocation(dedupe(errors)), warnings: [] };
  }
  const config = deepFreeze(parsed.data!);
  return { config, errors: [], warnings: collectWarnings(config, doc, at, options.today) };
}

function interpolateDocument(
  doc: Document,
  env: ValidateOptions['env'],
  report: (path: Path, node: Node, message: string) => void,
): void {
  const walk = (node: unknown, path: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const result = interpolate(node.value, env);
      for (const miss of result.missing) report(path, node, miss.message);
      if (result.value !== node.value) node.value = result.value;
    }
  };
  walk(doc.contents, []);
}

/** The YAML node at a path, or the closest existing ancestor, plus the key node when asked. */
function locate(doc: Document, path: Path, key?: string): Node | undefined {
  let node: unknown = doc.contents;
  let found: Node | undefined = node as Node;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (pair === undefined) return found;
      node = pair.value ?? pair.key;
      found = (pair.value ?? pair.key) as Node;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      if (node === undefined) return found;
      found = node as Node;
    } else {
      return found;
    }
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key,
    );
    if (pair !== undefined) return pair.key as Node;
  }
  return found;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  base: Path,
  doc: Document,
  at: (offset?: number) => string,
): Problem[] {
  const path: Path = [...base, ...(issue.path as (string | number)[])];
  const where = (p: Path, key?: string): string => at(locate(doc, p, key)?.range?.[0]);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const guess = closest(key, schemaKeysAt(path));
        return {
          location: where(path, key),
          path: formatPath([...path, key]),
          message: `unknown key "${key}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
        };
      });
    case 'invalid_union': {
      const branch = bestBranch(issue.errors);
      if (branch === undefined)
        return [{ location: where(path), path: formatPath(path), message: 'is not valid here' }];
      return branch.flatMap((inner) => describeIssue(inner, path, doc, at));
    }
    case 'invalid_type': {
      const input = 'input' in issue ? issue.input : undefined;
      const message =
        input === undefined
          ? `is required (${issue.expected})`
          : `must be ${article(issue.expected)}, not ${kindOf(input)}`;
      return [{ location: where(path), path: formatPath(path), message }];
    }
    case 'invalid_value': {
      const input = 'input' in issue ? issue.input : undefined;
      const options = issue.values.map((v) => String(v));
      const guess = typeof input === 'string' ? closest(input, options) : undefined;
      const list =
        options.length <= 8 ? options.join(', ') : `${options.slice(0, 8).join(', ')}, …`;
      return [
        {
          location: where(path),
          path: formatPath(path),
          message: `must be one of ${list}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`,
        },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const word =
        issue.code === 'too_small'
          ? inclusive
            ? 'at least'
            : 'more than'
          : inclusive
            ? 'at most'
            : 'less than';
      const what =
        issue.origin === 'array' ? ` item(s)` : issue.origin === 'string' ? ` character(s)` : '';
      const message = /^Too (small|big)/.test(issue.message)
        ? `must be ${word} ${String(limit)}${what}`
        : issue.message;
      return [{ location: where(path), path: formatPath(path), message }];
    }
    default:
      return [
        { location: where(path), path: formatPath(path), message: plainMessage(issue.message) },
      ];
  }
}

/**
 * Of a union's failed branches, the one the user most likely meant: the fewest mismatches of kind
 * at the branch's root (a string where an object was wanted, keys of another variant), then the
 * fewest issues.
 */
function bestBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const structural = (issues: z.core.$ZodIssue[]): number =>
    issues.filter(
      (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'unrecognized_keys'),
    ).length +
    issues.filter((i) => i.code === 'invalid_type' && !('input' in i && i.input !== undefined))
      .length *
      0.5;
  return [...branches].sort((a, b) => structural(a) - structural(b) || a.length - b.length)[0];
}

/** Keys the schema allows at a path (for "did you mean"), best effort. */
function schemaKeysAt(path: Path): string[] {
  let schema: unknown = configSchema;
  for (const step of path) {
    schema = childSchema(schema, step);
    if (schema === undefined) return [];
  }
  return shapeKeys(schema);
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: Record<string, unknown> } | undefined;
  for (let i = 0; i < 10 && current?.def !== undefined; i++) {
    const def = current.def;
    if (
      def.type === 'optional' ||
      def.type === 'default' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    )
      current = def.innerType as typeof current;
    else if (def.type === 'pipe') current = def.in as typeof current;
    else if (def.type === 'lazy') current = (def.getter as () => typeof current)();
    else break;
  }
  return current;
}

function shapeKeys(schema: unknown): string[] {
  const s = unwrap(schema) as
    { def?: { type?: string; shape?: Record<string, unknown>; options?: unknown[] } } | undefined;
  if (s?.def?.type === 'object' && s.def.shape !== undefined) return Object.keys(s.def.shape);
  if (s?.def?.type === 'union' && s.def.options !== undefined)
    return s.def.options.flatMap((o) => shapeKeys(o));
  return [];
}

function childSchema(schema: unknown, step: string | number): unknown {
  const s = unwrap(schema) as { def?: Record<string, unknown> } | undefined;
  const def = s?.def;
  if (def === undefined) return undefined;
  if (def.type === 'object') {
    const shape = def.shape as Record<string, unknown>;
    return shape[String(step)] ?? def.catchall;
  }
  if (def.type === 'record') return def.valueType;
  if (def.type === 'array') return def.element;
  if (def.type === 'union') {
    for (const option of def.options as unknown[]) {
      const child = childSchema(option, step);
      if (child !== undefined) return child;
    }
  }
  return undefined;
}

function collectWarnings(
  config: Config,
  doc: Document,
  at: (offset?: number) => string,
  today?: string,
): Problem[] {
  const warnings: Problem[] = [];
  const date = today ?? new Date().toISOString().slice(0, 10);
  config.parity?.allow.forEach((allowance, i) => {
    const path = ['parity', 'allow', i];
    if (/^[*.:]*$/.test(allowance.match.replaceAll('*', '')) && allowance.match.includes('*')) {
      warnings.push({
        location: at(locate(doc, [...path, 'match'])?.range?.[0]),
        path: formatPath([...path, 'match']),
        message: `"${allowance.match}" matches every difference: nothing would ever be reported`,
      });
    }
    if (allowance.expires !== undefined && allowance.expires < date) {
      warnings.push({
        location: at(locate(doc, [...path, 'expires'])?.range?.[0]),
        path: formatPath([...path, 'expires']),
        message: `this allowance expired on ${allowance.expires}; its difference is reported as drift again`,
      });
    }
  });
  return warnings;
}

/** `environments.production.config[0].dotenv`; keys with dots are quoted: `tables["public.orders"]`. */
export function formatPath(path: Path): string {
  return path.reduce<string>((text, step) => {
    if (typeof step === 'number') return `${text}[${step}]`;
    if (!/^[A-Za-z_$][\w$-]*$/.test(step)) return `${text}[${JSON.stringify(step)}]`;
    return text === '' ? step : `${text}.${step}`;
  }, '');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

function plainMessage(message: string): string {
  return message
    .replace(/^Invalid input: /, '')
    .replace(/^Too small: expected (\w+) to have >=?(\d+) (\w+)$/, 'must have at least $2 $3');
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.location}|${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortByLocation(problems: Problem[]): Problem[] {
  const pos = (p: Problem): [number, number] => {
    const match = /:(\d+):(\d+)$/.exec(p.location ?? '');
    return match === null ? [0, 0] : [Number(match[1]), Number(match[2])];
  };
  return [...problems].sort((a, b) => {
    const [la, ca] = pos(a);
    const [lb, cb] = pos(b);
    return la - lb || ca - cb;
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
