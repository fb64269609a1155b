import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from './config-json-schema.js';

const committed = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'understudy.schema.json',
);

describe('understudy.schema.json', () => {
  it('is exactly what the zod schema generates (regenerate with `understudy schema > understudy.schema.json`)', async () => {
    expect(await readFile(committed, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes every top-level key and accepts ${VAR} where a pattern is required', () => {
    const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
    for (const [key, value] of Object.entries(schema.properties))
      expect(value.description, key).toBeTruthy();
    const text = configJsonSchemaText();
    expect(text).toContain('"pattern": "(?:^postgres(ql)?:\\\\/\\\\/)|\\\\$\\\\{"');
  });
});
