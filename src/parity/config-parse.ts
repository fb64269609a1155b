/**
 * Turning the text of configuration sources into flat key → value maps, pure. Nested objects are
 * flattened with dots (`db.pool.max`), arrays by index (`hosts.0`), scalars become their text
 * (`8080`, `true`, `null`), and empty objects and arrays stay visible as `{}` and `[]`. Errors are
 * `E_INPUT` naming `file:line:col`, and never quote the text: it may hold a secret.
 */
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  type Document,
} from 'yaml';
import { UnderstudyError } from '../shared/errors.js';
import { position } from './dotenv-parse.js';

/** The configuration of one environment, read from all its sources. */
export interface ConfigValues {
  /** Key → value as text, keys sorted. */
  readonly values: ReadonlyMap<string, string>;
  /** Keys set by a Kubernetes Secret: secret whatever their name or value says. */
  readonly secretKeys: ReadonlySet<string>;
}

function inputError(where: string, message: string, hint?: string): UnderstudyError {
  return new UnderstudyError('E_INPUT', `${where}: ${message}`, hint === undefined ? {} : { hint });
}

/** Parses JSON; on a syntax error, says where (Node's own message may omit it, or quote the text). */
export function parseJsonText(text: string, file: string): unknown {
  const src = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(src) as unknown;
  } catch {
    const at = locateJsonError(src);
    throw inputError(`${file}:${position(src, at.offset)}`, `invalid JSON: ${at.message}`);
  }
}

/** Finds the first JSON syntax error by scanning the text the way JSON.parse does. */
export function locateJsonError(src: string): {
  readonly offset: number;
  readonly message: string;
} {
  let i = 0;
  class Found extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const fail = (message: string, offset = i): never => {
    throw new Found(offset, offset >= src.length ? 'unexpected end of input' : message);
  };
  const ws = (): void => {
    while (i < src.length && ' \t\n\r'.includes(src[i]!)) i++;
  };
  const string = (): void => {
    const start = i++;
    for (;;) {
      const ch = src[i];
      if (ch === undefined) fail('a string is never closed', start);
      else if (ch === '"') return void i++;
      else if (ch === '\\') {
        if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(src.slice(i + 1, i + 6)))
          fail('invalid escape in a string');
        i += src[i + 1] === 'u' ? 6 : 2;
      } else if (ch < ' ') fail('a control character (such as a line break) inside a string');
      else i++;
    }
  };
  const value = (): void => {
    ws();
    const ch = src[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      ws();
      if (src[i] === close) return void i++;
      for (;;) {
        ws();
        if (close === '}') {
          if (src[i] !== '"') fail('expected a double-quoted property name');
          string();
          ws();
          if (src[i] !== ':') fail('expected ":" after a property name');
          i++;
        }
        value();
        ws();
        if (src[i] === ',') i++;
        else if (src[i] === close) return void i++;
        else fail(`expected "," or "${close}"`);
      }
    }
    if (ch === '"') return string();
    const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    literal.lastIndex = i;
    const match = literal.exec(src);
    if (match !== null) return void (i += match[0].length);
    fail(ch === undefined ? 'unexpected end of input' : 'unexpected character');
  };
  try {
    value();
    ws();
    if (i < src.length) fail('unexpected text after the JSON value');
  } catch (error) {
    if (error instanceof Found) return { offset: error.offset, message: error.message };
    throw error;
  }
  return { offset: src.length, message: 'not valid JSON' };
}

/** Parses one YAML document; a syntax error names the line and column. */
export function parseYamlText(text: string, file: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  throwYamlErrors(doc, lines, file);
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

function throwYamlErrors(doc: Document, lines: LineCounter, file: string): void {
  const error = doc.errors[0];
  if (error === undefined) return;
  const pos = lines.linePos(error.pos[0]);
  throw inputError(
    `${file}:${pos.line}:${pos.col}`,
    `invalid YAML: ${error.message.split('\n')[0]}`,
  );
}

/** The value at a JSON pointer (RFC 6901, e.g. `/app/settings`); `file` names it in errors. */
export function selectPointer(value: unknown, pointer: string | undefined, file: string): unknown {
  if (pointer === undefined || pointer === '') return value;
  if (!pointer.startsWith('/'))
    throw inputError(
      file,
      `pointer "${pointer}" must start with "/"`,
      'e.g. pointer: /app/settings',
    );
  let current = value;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current !== null && typeof current === 'object' && Object.hasOwn(current, part)) {
      current = (current as Record<string, unknown>)[part];
    } else {
      throw inputError(file, `nothing at pointer "${pointer}" (no "${part}")`);
    }
  }
  return current;
}

/** Flattens an object or array into sorted key → text; `what` names the source in errors. */
export function flattenConfig(value: unknown, what: string): Map<string, string> {
  if (value === null || typeof value !== 'object')
    throw inputError(what, 'expected an object of settings');
  const out = new Map<string, string>();
  const walk = (node: unknown, key: string): void => {
    if (Array.isArray(node)) {
      if (node.length === 0 && key !== '') out.set(key, '[]');
      node.forEach((item, i) => walk(item, key === '' ? String(i) : `${key}.${i}`));
    } else if (node !== null && typeof node === 'object' && !(node instanceof Date)) {
      const entries = Object.entries(node);
      if (entries.length === 0 && key !== '') out.set(key, '{}');
      for (const [k, v] of entries) walk(v, key === '' ? k : `${key}.${k}`);
    } else {
      out.set(key, node instanceof Date ? node.toISOString() : String(node));
    }
  };
  walk(value, '');
  return sortedMap(out);
}

/** A copy of a map with its keys in code-point order. */
export function sortedMap(map: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads the ConfigMaps and Secrets of a (multi-document) Kubernetes manifest, including those in
 * a `kind: List`; other kinds are ignored. Keys are plain (not prefixed with the object's name):
 * that is how a pod sees them through `envFrom`. When several objects set one key, the later one
 * in the file wins — as with `envFrom`, where the last source listed wins — and within a Secret
 * `stringData` wins over `data`, as the API server merges them. A key set by any Secret stays
 * secret. `name` keeps only the objects of that name.
 */
export function parseKubernetesText(text: string, file: string, name?: string): ConfigValues {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const values = new Map<string, string>();
  const secretKeys = new Set<string>();
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  let found = 0;
  const readObject = (doc: Document, path: readonly (string | number)[]): void => {
    if (!isMap(doc.getIn(path, true))) return;
    const kind = doc.getIn([...path, 'kind']);
    if (kind === 'List') {
      const items = doc.getIn([...path, 'items'], true);
      const count = isSeq(items) ? items.items.length : 0;
      for (let i = 0; i < count; i++) readObject(doc, [...path, 'items', i]);
      return;
    }
    if (kind !== 'ConfigMap' && kind !== 'Secret') return;
    if (name !== undefined && doc.getIn([...path, 'metadata', 'name']) !== name) return;
    found++;
    const isSecret = kind === 'Secret';
    const sections = isSecret ? ['data', 'stringData'] : ['data', 'binaryData'];
    for (const section of sections) {
      const map = doc.getIn([...path, section], true);
      if (map === undefined || map === null) continue;
      if (!isMap(map)) throw inputError(at(rangeStart(map)), `${section} must be a mapping`);
      for (const pair of map.items) {
        const key = nodeText(pair.key);
        const text = nodeText(pair.value);
        const decoded =
          isSecret && section === 'data'
            ? decodeBase64(text, () => at(rangeStart(pair.value)))
            : text;
        values.set(key, decoded);
        if (isSecret) secretKeys.add(key);
      }
    }
  };
  for (const doc of docs) {
    throwYamlErrors(doc, lines, file);
    readObject(doc, []);
  }
  if (found === 0) {
    const what =
      name === undefined ? 'no ConfigMap or Secret' : `no ConfigMap or Secret named "${name}"`;
    throw inputError(
      file,
      `holds ${what}`,
      'Point the source at a manifest with kind: ConfigMap or Secret.',
    );
  }
  return { values: sortedMap(values), secretKeys };
}

/** The text of a YAML node: a scalar's value, or a collection as YAML (a mistake, compared as is). */
function nodeText(node: unknown): string {
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) return isNode(node) ? node.toString() : JSON.stringify(node);
  const value = node.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: readonly number[] } | null)?.range;
  return range?.[0];
}

/** A Secret's `data` value decoded as UTF-8; binary content is compared in its base64 form. */
function decodeBase64(text: string, where: () => string): string {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    throw inputError(
      where(),
      'a Secret data value is not valid base64',
      'Use stringData for plain text.',
    );
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    return compact;
  }
}
