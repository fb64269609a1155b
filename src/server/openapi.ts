/**
 * The OpenAPI 3.1 document, generated from the route table: each route's path parameters, query
 * and body come from its zod schemas, so a route cannot exist undocumented.
 */
import { z } from 'zod';
import type { Route } from './route.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['E_INPUT', 'E_AUTH', 'E_CSRF', 'E_NOT_FOUND'] },
        message: { type: 'string' },
        hint: { type: 'string' },
        path: { type: 'string', description: 'Where in the request the problem is: body.env' },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  });
  return rest;
}

/** The document for `routes`, as served at /api/v1/openapi.json. */
export function openApiDocument(
  routes: readonly Route[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: Record<string, unknown>[] = [];
    for (const [, name] of r.path.matchAll(/\{([^}]+)\}/g))
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    if (r.query !== undefined) {
      const q = jsonSchema(r.query) as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(q.properties ?? {}))
        parameters.push({
          name,
          in: 'query',
          required: q.required?.includes(name) ?? false,
          schema,
        });
    }
    const responses: Record<string, unknown> = {
      [String(r.answers.status)]: {
        description: r.answers.description,
        ...(r.answers.status === 204
          ? {}
          : { content: { [r.answers.type ?? 'application/json']: {} } }),
      },
      default: {
        description: 'An error: 400 bad input, 401 not signed in, 403 CSRF, 404, 409 refused, 429',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    };
    const operation: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(r.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(r.body) } },
            },
          }),
      responses,
      security: r.access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Understudy',
      version,
      description:
        'Parity, masked data, recorded traffic and gated promotion between staging and production. Sign in with POST /api/v1/session (a cookie; send X-CSRF-Token on changes) or send a token as Authorization: Bearer. Actions on protected environments need a current TOTP code as "totp" in the body.',
    },
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'understudy_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
