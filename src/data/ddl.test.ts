import { describe, expect, it } from 'vitest';
import { emptySchemaModel, type SchemaModel, type Table } from '../postgres/schema-model.js';
import { mentions, orderByDependencies, quoteIdent } from './ddl-names.js';
import { postDataDdl } from './ddl-post.js';
import { preDataDdl, tablesInCreationOrder } from './ddl-pre.js';

const table = (name: string, parent: string | null = null): Table => ({
  schema: 'app',
  name,
  kind: 'table',
  unlogged: false,
  partitionKey: null,
  partitionOf:
    parent === null ? null : { parent: { schema: 'app', name: parent }, bound: 'DEFAULT' },
  inherits: [],
  options: [],
  columns: [
    {
      name: 'id',
      type: 'integer',
      notNull: true,
      default: null,
      identity: null,
      generated: null,
      collation: null,
      comment: null,
    },
  ],
  constraints: [],
  comment: null,
});

const empty: SchemaModel = emptySchemaModel();

describe('ddl', () => {
  it('quotes only what needs quoting', () => {
    expect(quoteIdent('orders')).toBe('orders');
    expect(quoteIdent('Order')).toBe('"Order"');
    expect(quoteIdent('user')).toBe('"user"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
  it('finds whole qualified names only', () => {
    expect(mentions('SELECT * FROM app.orders o', { schema: 'app', name: 'orders' })).toBe(true);
    expect(mentions('SELECT * FROM app.orders_old', { schema: 'app', name: 'orders' })).toBe(false);
  });
  it('puts what an item needs before it', () => {
    expect(orderByDependencies(['c', 'b', 'a'], (x, y) => x === 'c' && y === 'a')).toEqual([
      'a',
      'c',
      'b',
    ]);
    expect(
      tablesInCreationOrder([table('p1', 'events'), table('events')]).map((t) => t.name),
    ).toEqual(['events', 'p1']);
  });
  it('warns about routines and triggers read without definitions', () => {
    const model: SchemaModel = {
      ...empty,
      routines: [
        {
          schema: 'app',
          name: 'f',
          kind: 'function',
          identityArguments: '',
          result: 'integer',
          language: 'sql',
          definitionHash: 'x',
          comment: null,
        },
      ],
      triggers: [
        {
          table: { schema: 'app', name: 't' },
          name: 'tr',
          function: 'app.f()',
          definitionHash: 'y',
          enabled: 'origin',
          comment: null,
        },
      ],
    };
    expect(preDataDdl(model).warnings).toHaveLength(1);
    expect(postDataDdl(model).warnings).toHaveLength(1);
  });
  it('creates partitioned indexes on every partition, not ONLY the parent', () => {
    const model: SchemaModel = {
      ...empty,
      indexes: [
        {
          schema: 'app',
          name: 'i',
          table: { schema: 'app', name: 'events' },
          definition: 'CREATE INDEX i ON ONLY app.events USING btree (kind)',
          method: 'btree',
          keys: ['kind'],
          include: [],
          unique: false,
          primary: false,
          constraint: null,
          predicate: null,
          valid: true,
          comment: 'c',
        },
      ],
    };
    expect(postDataDdl(model).statements).toEqual([
      'CREATE INDEX i ON app.events USING btree (kind)',
      "COMMENT ON INDEX app.i IS 'c'",
    ]);
  });
});
