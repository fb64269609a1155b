import { describe, expect, it } from 'vitest';
import {
  type Column,
  type SchemaModel,
  type Table,
  emptySchemaModel,
  formatName,
  indexesOf,
  normalizeSchemaModel,
  serializeSchemaModel,
  tableByName,
} from './schema-model.js';

const empty: SchemaModel = emptySchemaModel();

function column(name: string): Column {
  return {
    name,
    type: 'text',
    notNull: false,
    default: null,
    identity: null,
    generated: null,
    collation: null,
    comment: null,
  };
}

function table(schema: string, name: string, columns: readonly string[] = ['id']): Table {
  return {
    schema,
    name,
    kind: 'table',
    unlogged: false,
    partitionKey: null,
    partitionOf: null,
    inherits: [],
    options: [],
    columns: columns.map(column),
    constraints: [],
    comment: null,
  };
}

describe('serializeSchemaModel', () => {
  it('writes 2-space indented JSON with sorted keys and a trailing newline', () => {
    const text = serializeSchemaModel({ ...empty, schemas: [{ name: 'app', comment: null }] });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "compositeTypes": []');
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
    expect(text).toContain(
      '"schemas": [\n    {\n      "comment": null,\n      "name": "app"\n    }\n  ]',
    );
  });

  it('gives the same text whatever order the lists and keys were built in', () => {
    const a: SchemaModel = {
      ...empty,
      tables: [table('b', 'orders'), table('a', 'zebra'), table('a', 'Apple')],
      schemas: [
        { name: 'b', comment: null },
        { name: 'a', comment: null },
      ],
    };
    // Same content, keys inserted in another order, lists reversed.
    const b = JSON.parse(
      JSON.stringify({ ...a, tables: [...a.tables].reverse(), schemas: [...a.schemas].reverse() }),
    ) as SchemaModel;
    const reordered = Object.fromEntries(Object.entries(b).reverse()) as unknown as SchemaModel;
    expect(serializeSchemaModel(reordered)).toBe(serializeSchemaModel(a));
    // Code-unit order: upper case before lower case, on every machine's locale.
    expect(normalizeSchemaModel(a).tables.map(formatName)).toEqual([
      'a.Apple',
      'a.zebra',
      'b.orders',
    ]);
  });

  it('keeps the order of ordered lists: columns and enum labels', () => {
    const model: SchemaModel = {
      ...empty,
      tables: [table('app', 't', ['z', 'a', 'm'])],
      enums: [{ schema: 'app', name: 'mood', labels: ['sad', 'ok', 'happy'], comment: null }],
    };
    const parsed = JSON.parse(serializeSchemaModel(model)) as SchemaModel;
    expect(parsed.tables[0]?.columns.map((c) => c.name)).toEqual(['z', 'a', 'm']);
    expect(parsed.enums[0]?.labels).toEqual(['sad', 'ok', 'happy']);
  });

  it('orders overloaded routines by their arguments and triggers by table', () => {
    const routine = (args: string) => ({
      schema: 'app',
      name: 'f',
      kind: 'function' as const,
      identityArguments: args,
      result: 'integer',
      language: 'sql',
      definitionHash: args,
      comment: null,
    });
    const trigger = (tableName: string, name: string) => ({
      table: { schema: 'app', name: tableName },
      name,
      function: 'app.f()',
      definitionHash: '',
      enabled: 'origin' as const,
      comment: null,
    });
    const model = normalizeSchemaModel({
      ...empty,
      routines: [routine('text'), routine('integer'), routine('')],
      triggers: [trigger('b', 'a'), trigger('a', 'z'), trigger('a', 'b')],
    });
    expect(model.routines.map((r) => r.identityArguments)).toEqual(['', 'integer', 'text']);
    expect(model.triggers.map((t) => `${t.table.name}.${t.name}`)).toEqual(['a.b', 'a.z', 'b.a']);
  });
});

describe('tableByName and indexesOf', () => {
  const model: SchemaModel = {
    ...empty,
    tables: [table('public', 'orders'), table('app', 'orders')],
    indexes: [
      {
        schema: 'app',
        name: 'orders_pkey',
        table: { schema: 'app', name: 'orders' },
        definition: 'CREATE UNIQUE INDEX orders_pkey ON app.orders USING btree (id)',
        method: 'btree',
        keys: ['id'],
        include: [],
        unique: true,
        primary: true,
        constraint: 'orders_pkey',
        predicate: null,
        valid: true,
        comment: null,
      },
    ],
  };

  it('finds a table by qualified name, with public as the default schema', () => {
    expect(tableByName(model, 'app.orders')?.schema).toBe('app');
    expect(tableByName(model, 'orders')?.schema).toBe('public');
    expect(tableByName(model, { schema: 'app', name: 'missing' })).toBeUndefined();
  });

  it("lists one table's indexes", () => {
    expect(indexesOf(model, { schema: 'app', name: 'orders' }).map((i) => i.name)).toEqual([
      'orders_pkey',
    ]);
    expect(indexesOf(model, { schema: 'public', name: 'orders' })).toEqual([]);
  });
});
