import { beforeAll, describe, expect, it } from 'vitest';
import { createNorthwind, readFixture, usePostgres } from '../../test/harness/postgres.js';
import { isUnderstudyError } from '../shared/errors.js';
import { readSchemaModel, type ReadSchemaModelOptions } from './catalog-read.js';
import { connect } from './connection.js';
import {
  type SchemaModel,
  formatName,
  indexesOf,
  serializeSchemaModel,
  tableByName,
} from './schema-model.js';

const pg = usePostgres();

async function read(url: string, options?: ReadSchemaModelOptions): Promise<SchemaModel> {
  const client = await connect(url);
  try {
    return await readSchemaModel(client, options);
  } finally {
    await client.end();
  }
}

async function everyKind(): Promise<string> {
  const url = await pg().createDatabase();
  await pg().exec(url, await readFixture('every-kind.sql'));
  return url;
}

/**
 * Where two serialised models differ, as readable paths: list elements are named by their
 * schema and name (`tables.app.orders.columns.status.type`), so a test says what changed.
 */
function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const keyOf = (item: unknown, index: number): string => {
    if (item === null || typeof item !== 'object') return String(index);
    const { schema, name, identityArguments, table } = item as Record<string, unknown>;
    const owner =
      table !== null && typeof table === 'object'
        ? `${formatName(table as { schema: string; name: string })}.`
        : '';
    const base = `${owner}${typeof schema === 'string' ? `${schema}.` : ''}${typeof name === 'string' ? name : index}`;
    return typeof identityArguments === 'string' ? `${base}(${identityArguments})` : base;
  };
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = new Map(before.map((item, i) => [keyOf(item, i), item] as const));
    const b = new Map(after.map((item, i) => [keyOf(item, i), item] as const));
    return [...new Set([...a.keys(), ...b.keys()])].flatMap((key) =>
      changedPaths(a.get(key), b.get(key), `${path}.${key}`),
    );
  }
  if (
    before !== null &&
    after !== null &&
    typeof before === 'object' &&
    typeof after === 'object'
  ) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) =>
      changedPaths(
        (before as Record<string, unknown>)[key],
        (after as Record<string, unknown>)[key],
        `${path}.${key}`,
      ),
    );
  }
  return [path.slice(1)];
}

describe('readSchemaModel on Northwind', () => {
  let url: string;
  let model: SchemaModel;
  beforeAll(async () => {
    url = await createNorthwind(pg());
    model = await read(url);
  });

  it('finds exactly its 14 tables', () => {
    expect(model.tables.map(formatName)).toEqual([
      'public.categories',
      'public.customer_customer_demo',
      'public.customer_demographics',
      'public.customers',
      'public.employee_territories',
      'public.employees',
      'public.order_details',
      'public.orders',
      'public.products',
      'public.region',
      'public.shippers',
      'public.suppliers',
      'public.territories',
      'public.us_states',
    ]);
  });

  it('finds every one of its 13 foreign keys', () => {
    const foreignKeys = model.tables.flatMap((t) =>
      t.constraints.flatMap((c) =>
        c.references === null
          ? []
          : [
              `${t.name}(${c.columns.join(', ')}) → ${c.references.table.name}(${c.references.columns.join(', ')})`,
            ],
      ),
    );
    expect(foreignKeys).toEqual([
      'customer_customer_demo(customer_type_id) → customer_demographics(customer_type_id)',
      'customer_customer_demo(customer_id) → customers(customer_id)',
      'employee_territories(employee_id) → employees(employee_id)',
      'employee_territories(territory_id) → territories(territory_id)',
      'employees(reports_to) → employees(employee_id)',
      'order_details(order_id) → orders(order_id)',
      'order_details(product_id) → products(product_id)',
      'orders(customer_id) → customers(customer_id)',
      'orders(employee_id) → employees(employee_id)',
      'orders(ship_via) → shippers(shipper_id)',
      'products(category_id) → categories(category_id)',
      'products(supplier_id) → suppliers(supplier_id)',
      'territories(region_id) → region(region_id)',
    ]);
    expect(
      tableByName(model, 'order_details')?.constraints.find((c) => c.kind === 'primary key')
        ?.columns,
    ).toEqual(['order_id', 'product_id']);
  });

  it('reads byte-identical JSON twice', async () => {
    expect(serializeSchemaModel(await read(url))).toBe(serializeSchemaModel(model));
  });
});

describe('readSchemaModel on every kind of object', () => {
  let url: string;
  let model: SchemaModel;
  beforeAll(async () => {
    url = await everyKind();
    model = await read(url);
  });

  it('lists the schemas and extensions, but no object an extension owns', () => {
    expect(model.schemas.map((s) => [s.name, s.comment])).toEqual([
      ['app', "The shop's own objects"],
      ['audit', null],
      ['public', 'standard public schema'],
    ]);
    expect(model.extensions).toEqual([
      { name: 'citext', version: '1.6', schema: 'public' },
      { name: 'plpgsql', version: '1.0', schema: 'pg_catalog' },
    ]);
    // citext puts dozens of functions and a type in public; none of them is the user's.
    const inPublic = [
      ...model.routines,
      ...model.domains,
      ...model.compositeTypes,
      ...model.tables,
    ].filter((o) => o.schema === 'public');
    expect(inPublic).toEqual([]);
    // The range type's constructors are PostgreSQL's, made with the type.
    expect(model.routines.map((r) => `${formatName(r)}(${r.identityArguments})`)).toEqual([
      'app.archive_orders(IN before date)',
      'app.order_total(order_id integer)',
      'app.touch_updated_at()',
      'audit.log_change()',
    ]);
  });

  it('reads a partitioned table, its range partitions and its default partition', () => {
    const events = tableByName(model, 'audit.events');
    expect(events?.kind).toBe('partitioned table');
    expect(events?.partitionKey).toBe('RANGE (happened_at)');
    const partitions = model.tables.filter((t) => t.partitionOf !== null);
    expect(
      partitions.map((t) => [t.name, formatName(t.partitionOf!.parent), t.partitionOf!.bound]),
    ).toEqual([
      [
        'events_2024',
        'audit.events',
        "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')",
      ],
      [
        'events_2025',
        'audit.events',
        "FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00')",
      ],
      ['events_default', 'audit.events', 'DEFAULT'],
    ]);
    // The partitions have the parent's columns (COPY needs them) but not its cloned constraints or indexes.
    expect(tableByName(model, 'audit.events_2024')?.columns.map((c) => c.name)).toEqual([
      'id',
      'happened_at',
      'kind',
      'payload',
    ]);
    expect(tableByName(model, 'audit.events_2024')?.constraints).toEqual([]);
    expect(indexesOf(model, { schema: 'audit', name: 'events_2024' })).toEqual([]);
    expect(indexesOf(model, events!).map((i) => i.name)).toEqual([
      'events_kind_idx',
      'events_pkey',
    ]);
  });

  it('reads column types, identities, generated columns, defaults and collations', () => {
    const customers = tableByName(model, 'app.customers')!;
    const col = (name: string) => customers.columns.find((c) => c.name === name)!;
    expect(customers.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id bigint',
      'email app.email',
      'name character varying(40)',
      'first_name text',
      'last_name text',
      'full_name text',
      'mood app.mood',
      'home app.address',
      'referred_by bigint',
      'tags text[]',
      'created_at timestamp with time zone',
    ]);
    expect(col('id').identity).toEqual({
      generation: 'always',
      sequence: {
        schema: 'app',
        name: 'customers_id_seq',
        dataType: 'bigint',
        start: '100',
        increment: '5',
        min: '1',
        max: '9223372036854775807',
        cache: '1',
        cycle: false,
      },
    });
    expect(col('id').default).toBeNull();
    expect(tableByName(model, 'app.orders')?.columns[0]?.identity?.generation).toBe('by default');
    expect(col('full_name').generated).toBe("((first_name || ' '::text) || last_name)");
    expect(col('full_name').default).toBeNull();
    expect(col('name').collation).toBe('pg_catalog."C"');
    expect(col('first_name').collation).toBeNull();
    expect(col('mood').default).toBe("'ok'::app.mood");
    expect(col('tags').notNull).toBe(true);
    expect(col('referred_by').notNull).toBe(false);
    expect(
      tableByName(model, 'app.order_lines')?.columns.find((c) => c.name === 'price')?.type,
    ).toBe('numeric(10,2)');
    expect(tableByName(model, 'app.sessions')?.unlogged).toBe(true);
    expect(tableByName(model, 'app.bookings')?.options).toEqual(['fillfactor=70']);
  });

  it('reads every kind of constraint with its full definition', () => {
    const constraint = (table: string, name: string) =>
      tableByName(model, table)?.constraints.find((c) => c.name === name);
    expect(constraint('app.customers', 'customers_pkey')).toMatchObject({
      kind: 'primary key',
      columns: ['id'],
      index: 'customers_pkey',
    });
    expect(constraint('app.customers', 'customers_email_key')).toMatchObject({
      kind: 'unique',
      definition: 'UNIQUE (email)',
    });
    expect(constraint('app.customers', 'customers_referred_by_fkey')).toMatchObject({
      kind: 'foreign key',
      definition: 'FOREIGN KEY (referred_by) REFERENCES app.customers(id) ON DELETE SET NULL',
      references: {
        table: { schema: 'app', name: 'customers' },
        columns: ['id'],
        onDelete: 'set null',
        onUpdate: 'no action',
        match: 'simple',
      },
    });
    expect(constraint('app.orders', 'orders_customer_fkey')?.references).toMatchObject({
      onDelete: 'cascade',
      onUpdate: 'restrict',
    });
    expect(constraint('app.order_lines', 'order_lines_order_fkey')).toMatchObject({
      deferrable: true,
      initiallyDeferred: true,
    });
    expect(constraint('app.shipments', 'shipments_line_fkey')).toMatchObject({
      columns: ['order_id', 'line_no'],
      deferrable: true,
      initiallyDeferred: false,
      references: {
        table: { schema: 'app', name: 'order_lines' },
        columns: ['order_id', 'line_no'],
        match: 'full',
      },
      definition:
        'FOREIGN KEY (order_id, line_no) REFERENCES app.order_lines(order_id, line_no) MATCH FULL DEFERRABLE',
    });
    expect(constraint('app.orders', 'orders_status_check')).toMatchObject({
      kind: 'check',
      definition: "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text, 'shipped'::text])))",
      comment: 'The order life cycle',
    });
    expect(constraint('app.bookings', 'bookings_no_overlap')).toMatchObject({
      kind: 'exclusion',
      definition: 'EXCLUDE USING gist (during WITH &&)',
      index: 'bookings_no_overlap',
    });
  });

  it('reads partial, expression, covering and materialized-view indexes', () => {
    const index = (name: string) => model.indexes.find((i) => i.name === name);
    expect(index('orders_unpaid_idx')).toMatchObject({
      table: { schema: 'app', name: 'orders' },
      predicate: "(status = 'new'::text)",
      definition:
        "CREATE INDEX orders_unpaid_idx ON app.orders USING btree (customer_id) WHERE (status = 'new'::text)",
      comment: 'For the dunning job',
    });
    expect(index('customers_lower_name_idx')?.keys).toEqual(['lower(name::text)']);
    expect(index('order_lines_product_idx')).toMatchObject({
      keys: ['product_code'],
      include: ['quantity'],
    });
    expect(index('orders_pkey')).toMatchObject({
      unique: true,
      primary: true,
      constraint: 'orders_pkey',
      method: 'btree',
    });
    expect(index('bookings_no_overlap')).toMatchObject({
      method: 'gist',
      constraint: 'bookings_no_overlap',
    });
    expect(index('daily_totals_day_idx')).toMatchObject({
      table: { schema: 'app', name: 'daily_totals' },
      unique: true,
    });
  });

  it('reads enums in sort order, domains, composite and range types', () => {
    expect(model.enums).toEqual([
      {
        schema: 'app',
        name: 'mood',
        labels: ['sad', 'meh', 'ok', 'happy'],
        comment: 'How a customer feels',
      },
    ]);
    expect(model.domains.find((d) => d.name === 'positive_amount')).toEqual({
      schema: 'app',
      name: 'positive_amount',
      baseType: 'numeric(10,2)',
      notNull: true,
      default: '0',
      collation: null,
      checks: [
        {
          name: 'positive_amount_check',
          definition: 'CHECK ((VALUE >= (0)::numeric))',
          validated: true,
        },
      ],
      comment: null,
    });
    expect(model.domains.find((d) => d.name === 'email')?.baseType).toBe('public.citext');
    expect(model.compositeTypes[0]?.attributes.map((a) => [a.name, a.type, a.collation])).toEqual([
      ['street', 'text', null],
      ['city', 'character varying(80)', 'pg_catalog."C"'],
      ['zip', 'character(5)', null],
    ]);
    expect(model.rangeTypes).toMatchObject([
      { schema: 'app', name: 'float_range', subtype: 'double precision' },
    ]);
  });

  it('reads standalone and owned sequences without their current values', () => {
    expect(
      model.sequences.map((s) => [
        formatName(s),
        s.ownedBy === null ? null : `${formatName(s.ownedBy.table)}.${s.ownedBy.column}`,
      ]),
    ).toEqual([
      ['app.bookings_id_seq', 'app.bookings.id'],
      ['app.invoice_number', null],
      ['app.shipments_id_seq', 'app.shipments.id'],
    ]);
    expect(model.sequences.find((s) => s.name === 'invoice_number')).toEqual({
      schema: 'app',
      name: 'invoice_number',
      dataType: 'integer',
      start: '1000',
      increment: '10',
      min: '1000',
      max: '999999',
      cache: '5',
      cycle: true,
      ownedBy: null,
      comment: null,
    });
  });

  it('reads views and materialized views with their definitions and columns', () => {
    expect(model.views.map((v) => [formatName(v), v.comment])).toEqual([
      ['app.open_orders', 'Orders still to ship'],
    ]);
    expect(model.views[0]?.definition).toContain(
      'JOIN app.customers c ON ((c.id = o.customer_id))',
    );
    expect(model.views[0]?.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'id integer',
      'number integer',
      'email app.email',
    ]);
    expect(model.materializedViews.map(formatName)).toEqual(['app.daily_totals']);
    expect(model.materializedViews[0]?.definition).toContain('GROUP BY');
  });

  it('reads functions, the procedure and the triggers, with hashes instead of bodies', () => {
    const routine = (name: string) => model.routines.find((r) => r.name === name)!;
    expect(routine('order_total')).toMatchObject({
      kind: 'function',
      result: 'numeric',
      language: 'sql',
      identityArguments: 'order_id integer',
    });
    expect(routine('archive_orders')).toMatchObject({ kind: 'procedure', result: null });
    expect(routine('touch_updated_at')).toMatchObject({
      result: 'trigger',
      language: 'plpgsql',
      comment: 'Keeps updated_at current',
    });
    expect(routine('touch_updated_at').definitionHash).toMatch(/^[0-9a-f]{64}$/);
    expect(serializeSchemaModel(model)).not.toContain('NEW.updated_at');
    expect(model.triggers.map((t) => [formatName(t.table), t.name, t.function, t.enabled])).toEqual(
      [
        ['app.customers', 'customers_audit', 'audit.log_change()', 'disabled'],
        ['app.orders', 'orders_touch', 'app.touch_updated_at()', 'origin'],
      ],
    );
    expect(model.triggers[0]?.definitionHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads comments on tables and columns', () => {
    expect(tableByName(model, 'app.customers')?.comment).toBe('People who buy');
    expect(
      tableByName(model, 'app.customers')?.columns.find((c) => c.name === 'email')?.comment,
    ).toBe('Where receipts go');
  });

  it('reads byte-identical JSON twice, and only user schemas when asked', async () => {
    expect(serializeSchemaModel(await read(url))).toBe(serializeSchemaModel(model));
    const audit = await read(url, { schemas: ['audit'] });
    expect(audit.schemas.map((s) => s.name)).toEqual(['audit']);
    expect(audit.tables.every((t) => t.schema === 'audit')).toBe(true);
    expect(audit.routines.map(formatName)).toEqual(['audit.log_change']);
  });

  it("reads inside the caller's transaction and puts its settings back", async () => {
    const client = await connect(url);
    try {
      await client.query('SET search_path = app, public');
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const inTransaction = await readSchemaModel(client, { transaction: 'caller' });
      const { rows } = await client.query<{ search_path: string }>(
        "SELECT current_setting('search_path') AS search_path",
      );
      await client.query('COMMIT');
      expect(serializeSchemaModel(inTransaction)).toBe(serializeSchemaModel(model));
      expect(rows[0]?.search_path).toBe('app, public');
      // Inside a transaction, opening its own would end the caller's: refused, and nothing is rolled back.
      await client.query('BEGIN');
      await client.query("SET LOCAL application_name = 'kept'");
      const nested = await readSchemaModel(client).catch((e: unknown) => e);
      expect(isUnderstudyError(nested, 'E_INPUT')).toBe(true);
      const kept = await client.query<{ name: string }>(
        "SELECT current_setting('application_name') AS name",
      );
      expect(kept.rows[0]?.name).toBe('kept');
      await client.query('ROLLBACK');
      // Without a transaction the settings would not hold from one query to the next.
      const refused = await readSchemaModel(client, { transaction: 'caller' }).catch(
        (e: unknown) => e,
      );
      expect(isUnderstudyError(refused, 'E_INPUT')).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('reads the same model whatever the session settings', async () => {
    const client = await connect(url);
    try {
      await client.query(
        "SET search_path = app, audit, public; SET TimeZone = 'America/New_York'; SET DateStyle = 'German'",
      );
      expect(serializeSchemaModel(await readSchemaModel(client))).toBe(serializeSchemaModel(model));
    } finally {
      await client.end();
    }
  });
});

describe('readSchemaModel after changes', () => {
  it('changes only the column whose type changed', async () => {
    const url = await everyKind();
    const before = JSON.parse(serializeSchemaModel(await read(url))) as unknown;
    await pg().exec(
      url,
      'ALTER TABLE app.order_lines ALTER COLUMN product_code TYPE character varying(12)',
    );
    const after = JSON.parse(serializeSchemaModel(await read(url))) as unknown;
    expect(changedPaths(before, after)).toEqual([
      'tables.app.order_lines.columns.product_code.type',
    ]);
  });

  it("changes only a function's hash when its body is replaced", async () => {
    const url = await everyKind();
    const before = JSON.parse(serializeSchemaModel(await read(url))) as unknown;
    await pg().exec(
      url,
      `CREATE OR REPLACE FUNCTION app.order_total(order_id integer) RETURNS numeric LANGUAGE sql STABLE AS $$
         SELECT coalesce(sum(quantity * price), 0) + 0 FROM app.order_lines WHERE order_lines.order_id = $1
       $$`,
    );
    const after = JSON.parse(serializeSchemaModel(await read(url))) as unknown;
    expect(changedPaths(before, after)).toEqual([
      'routines.app.order_total(order_id integer).definitionHash',
    ]);
  });

  it('does not change when rows are inserted, sequences advance, statistics and materialized views refresh', async () => {
    const url = await everyKind();
    const before = serializeSchemaModel(await read(url));
    await pg().exec(
      url,
      `INSERT INTO app.customers (email, name) VALUES ('ada@example.com', 'Ada'), ('bob@example.com', 'Bob');
       INSERT INTO app.orders (customer_id, total) SELECT id, 12.5 FROM app.customers;
       INSERT INTO app.order_lines VALUES (1, 1, 'ABCDEFGH', 2, 3.25);
       INSERT INTO audit.events (happened_at, kind) VALUES ('2024-06-01', 'signup'), ('2031-01-01', 'later');
       INSERT INTO app.bookings (room, during) VALUES ('blue', '[2024-01-01 10:00, 2024-01-01 11:00)');
       SELECT setval('app.invoice_number', 5000);
       SELECT nextval('app.shipments_id_seq');
       REFRESH MATERIALIZED VIEW app.daily_totals;
       ANALYZE;`,
    );
    expect(serializeSchemaModel(await read(url))).toBe(before);
  });
});
