/** The published JSON Schema of `understudy.yaml`, generated from the zod schema for editors. */
import { z } from 'zod';
import { configSchema } from './config-schema.js';

/** The JSON Schema (draft 2020-12) describing the configuration file as users write it. */
export function configJsonSchema(): Record<string, unknown> {
  // "input": defaulted keys are optional, as in the file people write.
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...(allowReferences(schema) as Record<string, unknown>),
    $id: 'https://understudy.dev/understudy.schema.json',
    title: 'Understudy configuration (understudy.yaml)',
  };
}

/** The JSON Schema as the text of `understudy.schema.json`. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/**
 * The file is checked before `${VAR}` is replaced, so every patterned string must also accept a
 * reference — otherwise an editor would flag `database: ${PROD_DATABASE_URL}` as wrong.
 */
function allowReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowReferences);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = allowReferences(value);
  if (out.type === 'string' && typeof out.pattern === 'string')
    out.pattern = `(?:${out.pattern})|\\$\\{`;
  return out;
}
