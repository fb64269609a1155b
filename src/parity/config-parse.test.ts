import { describe, expect, it } from 'vitest';
import { isUnderstudyError } from '../shared/errors.js';
import {
  flattenConfig,
  locateJsonError,
  parseJsonText,
  parseKubernetesText,
  parseYamlText,
  selectPointer,
} from './config-parse.js';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isUnderstudyError(error, 'E_INPUT')) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('flattenConfig', () => {
  it('flattens objects with dots and arrays by index, scalars as text', () => {
    const value = {
      db: { pool: { max: 20 }, ssl: true },
      hosts: ['a', 'b'],
      nothing: null,
      empty: {},
      none: [],
    };
    expect(Object.fromEntries(flattenConfig(value, 'x'))).toEqual({
      'db.pool.max': '20',
      'db.ssl': 'true',
      empty: '{}',
      'hosts.0': 'a',
      'hosts.1': 'b',
      none: '[]',
      nothing: 'null',
    });
    expect([...flattenConfig(value, 'x').keys()]).toEqual([
      'db.pool.max',
      'db.ssl',
      'empty',
      'hosts.0',
      'hosts.1',
      'none',
      'nothing',
    ]);
  });

  it('wants an object', () => {
    expect(errorOf(() => flattenConfig('text', 'app.json'))).toBe(
      'app.json: expected an object of settings',
    );
  });
});

describe('selectPointer', () => {
  const doc = { app: { 'a/b': { x: 1 }, settings: { y: 2 } } };
  it('picks the object at a JSON pointer', () => {
    expect(selectPointer(doc, '/app/settings', 'f')).toEqual({ y: 2 });
    expect(selectPointer(doc, '/app/a~1b', 'f')).toEqual({ x: 1 });
    expect(selectPointer(doc, undefined, 'f')).toBe(doc);
  });
  it('says what is missing', () => {
    expect(errorOf(() => selectPointer(doc, '/app/nope', 'f.json'))).toBe(
      'f.json: nothing at pointer "/app/nope" (no "nope")',
    );
  });
});

describe('parseJsonText', () => {
  it('names the line and column of a syntax error, without quoting the text', () => {
    const text = '{\n  "db": {\n    "password": "hunter2",\n  }\n}\n';
    const message = errorOf(() => parseJsonText(text, 'app.json'));
    expect(message).toBe('app.json:4:3: invalid JSON: expected a double-quoted property name');
    expect(message).not.toContain('hunter2');
  });

  it.each([
    ['{"a": }', 6, 'unexpected character'],
    ['{"a": 1 "b": 2}', 8, 'expected "," or "}"'],
    ['{"a": 1', 7, 'unexpected end of input'],
    ['{"a" 1}', 5, 'expected ":" after a property name'],
    ['', 0, 'unexpected end of input'],
    ['{"a": "xy', 6, 'a string is never closed'],
    ['{"a": "x\ny"}', 8, 'a control character (such as a line break) inside a string'],
    ['[1, 2] 3', 7, 'unexpected text after the JSON value'],
    ['{"a": "\\x"}', 7, 'invalid escape in a string'],
  ])('locates the error in %j', (text, offset, message) => {
    expect(locateJsonError(text)).toEqual({ offset, message });
  });
});

describe('parseYamlText', () => {
  it('names the line of a syntax error', () => {
    expect(errorOf(() => parseYamlText('a: 1\nb: [1, 2\nc: 3\n', 'app.yaml'))).toMatch(
      /^app\.yaml:3:1: invalid YAML: /,
    );
  });
});

describe('parseKubernetesText', () => {
  const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: { name: app }
data:
  LOG_LEVEL: info
  PORT: "8080"
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec: {}
---
apiVersion: v1
kind: Secret
metadata: { name: app-secrets }
type: Opaque
data:
  DB_PASSWORD: aHVudGVyMg==
  PORT: OTA5MA==
stringData:
  API_TOKEN: plain-token
`;

  it('reads ConfigMaps and Secrets with plain keys; the later object wins', () => {
    const read = parseKubernetesText(manifest, 'k8s.yaml');
    expect(Object.fromEntries(read.values)).toEqual({
      API_TOKEN: 'plain-token',
      DB_PASSWORD: 'hunter2',
      LOG_LEVEL: 'info',
      PORT: '9090',
    });
    expect([...read.secretKeys].sort()).toEqual(['API_TOKEN', 'DB_PASSWORD', 'PORT']);
  });

  it('keeps only the object of a given name', () => {
    const read = parseKubernetesText(manifest, 'k8s.yaml', 'app');
    expect(Object.fromEntries(read.values)).toEqual({ LOG_LEVEL: 'info', PORT: '8080' });
    expect(errorOf(() => parseKubernetesText(manifest, 'k8s.yaml', 'other'))).toBe(
      'k8s.yaml: holds no ConfigMap or Secret named "other"',
    );
  });

  it('reads the items of a List', () => {
    const list =
      'kind: List\nitems:\n  - kind: ConfigMap\n    metadata: { name: a }\n    data: { A: "1" }\n';
    expect(Object.fromEntries(parseKubernetesText(list, 'k.yaml').values)).toEqual({ A: '1' });
  });

  it('names the line of bad base64 and of a YAML error', () => {
    const bad = 'kind: Secret\nmetadata: { name: s }\ndata:\n  TOKEN: "not base64!"\n';
    expect(errorOf(() => parseKubernetesText(bad, 'k.yaml'))).toBe(
      'k.yaml:4:10: a Secret data value is not valid base64',
    );
    expect(errorOf(() => parseKubernetesText('kind: ConfigMap\n---\na: [\n', 'k.yaml'))).toMatch(
      /^k\.yaml:[34]:\d+: invalid YAML/,
    );
  });
});
