import { describe, expect, it } from 'vitest';
import {
  type Column,
  type Constraint,
  type Index,
  type SchemaModel,
  type Table,
  emptySchemaModel,
} from '../postgres/schema-model.js';
import { diffSchemaModels, schemaSeverities } from './schema-diff.js';

function column(name: string, type = 'text', extra: Partial<Column> = {}): Column {
  return {
    name,
    type,
    notNull: false,
    default: null,
    identity: null,
    generated: null,
    collation: null,
    comment: null,
    ...extra,
  };
}

function table(name: string, columns: Column[], extra: Partial<Table> = {}): Table {
  return {
    schema: 'public',
    name,
    kind: 'table',
    unlogged: false,
    partitionKey: null,
    partitionOf: null,
    inherits: [],
    options: [],
    columns,
    constraints: [],
    comment: null,
    ...extra,
  };
}

function primaryKey(tableName: string, columns: string[]): Constraint {
  return {
    name: `${tableName}_pkey`,
    kind: 'primary key',
    columns,
    definition: `PRIMARY KEY (${columns.join(', ')})`,
    deferrable: false,
    initiallyDeferred: false,
    validated: true,
    index: `${tableName}_pkey`,
    references: null,
    comment: null,
  };
}

function index(name: string, tableName: string, keys: string[], extra: Partial<Index> = {}): Index {
  return {
    schema: 'public',
    name,
    table: { schema: 'public', name: tableName },
    definition: `CREATE INDEX ${name} ON public.${tableName} USING btree (${keys.join(', ')})`,
    method: 'btree',
    keys,
    include: [],
    unique: false,
    primary: false,
    constraint: null,
    predicate: null,
    valid: true,
    comment: null,
    ...extra,
  };
}

function model(parts: Partial<SchemaModel> = {}): SchemaModel {
  return emptySchemaModel({ schemas: [{ name: 'public', comment: null }], ...parts });
}

const orders = (...extra: Column[]): Table =>
  table('orders', [column('id', 'integer', { notNull: true }), column('status'), ...extra], {
    constraints: [primaryKey('orders', ['id'])],
  });
const ordersPkey = index('orders_pkey', 'orders', ['id'], {
  unique: true,
  primary: true,
  constraint: 'orders_pkey',
});

/** `path kind severity`, one per difference: what a reader of the report sees. */
function summary(env: SchemaModel, against: SchemaModel): string[] {
  return diffSchemaModels(env, against).differences.map((d) => `${d.path} ${d.kind} ${d.severity}`);
}

describe('diffSchemaModels', () => {
  it('finds nothing between equal models, and counts what it compared', () => {
    const m = model({ tables: [orders()], indexes: [ordersPkey] });
    const result = diffSchemaModels(m, m);
    expect(result.differences).toEqual([]);
    // schema + its comment; table + 7 attributes; 2 columns × 7 attributes + 2; column order;
    // constraint + definition + comment. The constraint's index is the constraint's.
    expect(result.compared).toBe(2 + 8 + 16 + 1 + 3);
  });

  it('reports a missing table once, with a summary, and nothing under it', () => {
    const against = model({
      tables: [orders()],
      indexes: [ordersPkey, index('orders_status_idx', 'orders', ['status'])],
      triggers: [
        {
          table: { schema: 'public', name: 'orders' },
          name: 'orders_touch',
          function: 'public.touch()',
          definitionHash: 'ab'.repeat(32),
          enabled: 'origin',
          comment: null,
        },
      ],
    });
    const { differences } = diffSchemaModels(model(), against);
    expect(differences).toEqual([
      {
        probe: 'schema',
        path: 'schema:public.orders',
        kind: 'missing',
        severity: 'breaking',
        againstValue: 'table (2 columns)',
      },
    ]);
  });

  it('reports each changed column attribute at its own path', () => {
    const env = model({ tables: [orders(column('total', 'numeric(12,2)', { default: '0' }))] });
    const against = model({
      tables: [orders(column('total', 'numeric(10,2)', { notNull: true }))],
    });
    expect(diffSchemaModels(env, against).differences).toEqual([
      expect.objectContaining({
        path: 'schema:public.orders.columns.total.default',
        kind: 'changed',
        severity: 'notice',
        envValue: '0',
        againstValue: null,
      }),
      expect.objectContaining({
        path: 'schema:public.orders.columns.total.nullable',
        severity: 'breaking',
        envValue: true,
        againstValue: false,
      }),
      expect.objectContaining({
        path: 'schema:public.orders.columns.total.type',
        severity: 'breaking',
        envValue: 'numeric(12,2)',
        againstValue: 'numeric(10,2)',
      }),
    ]);
  });

  it('tells missing (breaking) from extra (notice) columns, without a column-order report', () => {
    const env = model({ tables: [orders(column('note'))] });
    const against = model({ tables: [orders(column('total', 'numeric'))] });
    expect(summary(env, against)).toEqual([
      'schema:public.orders.columns.note extra notice',
      'schema:public.orders.columns.total missing breaking',
    ]);
  });

  it('reports a reordering of the same columns as a notice', () => {
    const a = table('t', [column('a'), column('b')]);
    const b = table('t', [column('b'), column('a')]);
    expect(summary(model({ tables: [a] }), model({ tables: [b] }))).toEqual([
      'schema:public.t.columns changed notice',
    ]);
  });

  it('reports a constraint-backed index at the constraint only', () => {
    const against = model({ tables: [orders()], indexes: [ordersPkey] });
    const env = model({ tables: [{ ...orders(), constraints: [] }] });
    expect(summary(env, against)).toEqual([
      'schema:public.orders.constraints.orders_pkey missing breaking',
    ]);
  });

  it('reports changed index definitions with both definitions', () => {
    const env = model({ tables: [orders()], indexes: [index('orders_idx', 'orders', ['id'])] });
    const against = model({
      tables: [orders()],
      indexes: [index('orders_idx', 'orders', ['status'])],
    });
    expect(diffSchemaModels(env, against).differences).toEqual([
      {
        probe: 'schema',
        path: 'schema:public.orders_idx',
        kind: 'changed',
        severity: 'breaking',
        envValue: 'CREATE INDEX orders_idx ON public.orders USING btree (id)',
        againstValue: 'CREATE INDEX orders_idx ON public.orders USING btree (status)',
      },
    ]);
  });

  it('reports a missing partition once, and a column change on its parent only', () => {
    const parent = (type: string): Table =>
      table('events', [column('at', 'timestamptz'), column('kind', type)], {
        kind: 'partitioned table',
        partitionKey: 'RANGE (at)',
      });
    const partition = (name: string, type: string): Table =>
      table(name, [column('at', 'timestamptz'), column('kind', type)], {
        partitionOf: {
          parent: { schema: 'public', name: 'events' },
          bound: `FOR VALUES IN ('${name}')`,
        },
      });
    const env = model({ tables: [parent('varchar(20)'), partition('events_a', 'varchar(20)')] });
    const against = model({
      tables: [parent('text'), partition('events_a', 'text'), partition('events_b', 'text')],
    });
    expect(diffSchemaModels(env, against).differences).toEqual([
      expect.objectContaining({
        path: 'schema:public.events.columns.kind.type',
        kind: 'changed',
      }),
      expect.objectContaining({
        path: 'schema:public.events_b',
        kind: 'missing',
        severity: 'breaking',
        againstValue: "partition of public.events FOR VALUES IN ('events_b') (2 columns)",
      }),
    ]);
  });

  it('reports a missing partitioned table without its partitions', () => {
    const against = model({
      tables: [
        table('events', [column('at')], { kind: 'partitioned table', partitionKey: 'RANGE (at)' }),
        table('events_a', [column('at')], {
          partitionOf: { parent: { schema: 'public', name: 'events' }, bound: 'DEFAULT' },
        }),
      ],
    });
    expect(diffSchemaModels(model(), against).differences).toEqual([
      expect.objectContaining({
        path: 'schema:public.events',
        againstValue: 'partitioned table (1 column, 1 partition)',
      }),
    ]);
  });

  it('reports a missing schema once, with what it holds', () => {
    const against = model({
      schemas: [
        { name: 'public', comment: null },
        { name: 'audit', comment: null },
      ],
      tables: [table('events', [column('id')], { schema: 'audit' })],
      enums: [{ schema: 'audit', name: 'level', labels: ['a'], comment: null }],
    });
    expect(diffSchemaModels(model(), against).differences).toEqual([
      expect.objectContaining({
        path: 'schema:schemas.audit',
        kind: 'missing',
        againstValue: 'schema (1 table, 1 type)',
      }),
    ]);
  });

  it('reports enum labels one by one, and a reorder only of shared labels', () => {
    const mood = (labels: string[]): SchemaModel =>
      model({ enums: [{ schema: 'public', name: 'mood', labels, comment: null }] });
    expect(summary(mood(['sad', 'ok', 'glad']), mood(['sad', 'meh', 'ok']))).toEqual([
      'schema:public.mood.labels.glad extra notice',
      'schema:public.mood.labels.meh missing breaking',
    ]);
    expect(summary(mood(['ok', 'sad']), mood(['sad', 'ok']))).toEqual([
      'schema:public.mood.labels changed breaking',
    ]);
  });

  it('treats an extension lacking in staging as breaking and another version as a notice', () => {
    const ext = (name: string, version: string) => ({ name, version, schema: 'public' });
    const env = model({ extensions: [ext('hstore', '1.4')] });
    const against = model({ extensions: [ext('hstore', '1.8'), ext('pg_trgm', '1.6')] });
    expect(summary(env, against)).toEqual([
      'schema:extensions.hstore.version changed notice',
      'schema:extensions.pg_trgm missing breaking',
    ]);
  });

  it('compares routines by hash but shows what is readable', () => {
    const routine = (hash: string, result: string) => ({
      schema: 'public',
      name: 'total',
      kind: 'function' as const,
      identityArguments: 'id integer',
      result,
      language: 'sql',
      definitionHash: hash.repeat(64),
      comment: null,
    });
    const { differences } = diffSchemaModels(
      model({ routines: [routine('a', 'numeric')] }),
      model({ routines: [routine('b', 'integer')] }),
    );
    expect(differences).toEqual([
      expect.objectContaining({
        path: 'schema:public.total(id integer)',
        kind: 'changed',
        severity: 'breaking',
        envValue: `function returning numeric, sql, sha256:${'a'.repeat(12)}`,
        againstValue: `function returning integer, sql, sha256:${'b'.repeat(12)}`,
      }),
    ]);
  });

  it('leaves out a serial sequence whose table is missing', () => {
    const against = model({
      tables: [orders()],
      sequences: [
        {
          schema: 'public',
          name: 'orders_id_seq',
          dataType: 'integer',
          start: '1',
          increment: '1',
          min: '1',
          max: '2147483647',
          cache: '1',
          cycle: false,
          ownedBy: { table: { schema: 'public', name: 'orders' }, column: 'id' },
          comment: null,
        },
      ],
    });
    expect(summary(model(), against)).toEqual(['schema:public.orders missing breaking']);
  });

  it('gives every difference a severity from the documented table', () => {
    for (const rule of Object.values(schemaSeverities)) {
      const kinds = ['missing', 'extra', 'changed'] as const;
      expect(kinds.some((k) => k in rule)).toBe(true);
      expect(rule.why.length).toBeGreaterThan(0);
    }
  });

  it('is deterministic whatever the input order', () => {
    const tables = [orders(column('a')), table('b', [column('x')]), table('c', [column('y')])];
    const against = model({ tables });
    const env1 = model({ tables: [tables[2] as Table] });
    const env2 = model({ tables: [...tables].reverse().slice(2) });
    const shuffled = model({ tables: [...tables].reverse() });
    expect(diffSchemaModels(env1, against)).toEqual(diffSchemaModels(env1, shuffled));
    expect(diffSchemaModels(env2, against).differences.map((d) => d.path)).toEqual([
      'schema:public.b',
      'schema:public.c',
    ]);
  });

  it('diffs two 1,000-table models, finding exactly the planted drift (speed: npm run bench:parity)', () => {
    const big = (drift: boolean): SchemaModel => {
      const tables: Table[] = [];
      const indexes: Index[] = [];
      for (let i = 0; i < 1000; i++) {
        const columns = Array.from({ length: 12 }, (_, k) =>
          column(`c${k}`, drift && i % 50 === 0 && k === 3 ? 'bigint' : 'integer'),
        );
        tables.push(table(`t${i}`, columns, { constraints: [primaryKey(`t${i}`, ['c0'])] }));
        indexes.push(index(`t${i}_c1_idx`, `t${i}`, ['c1']));
      }
      return model({ tables, indexes });
    };
    const env = big(true);
    const against = big(false);
    const result = diffSchemaModels(env, against);
    expect(result.differences).toHaveLength(20);
  });
});
