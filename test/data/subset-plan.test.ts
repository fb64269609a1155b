/**
 * Subset plans run against real PostgreSQL: each table's predicate materialises a subset copy in
 * a `subset` schema of the same database, and every foreign key of the model is checked there
 * for orphans. Northwind (customers 10 %, downwards) and a hand-made schema with a two-table
 * cycle and a self-reference, each also under rows rules that cut tables others reference.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import type { SchemaModel } from '../../src/postgres/schema-model.js';
import { planSubset, type SubsetPlan, type SubsetRule } from '../../src/data/subset-plan.js';
import { buildForeignKeyGraph } from '../../src/data/subset-graph.js';
import type { RowSelection } from '../../src/data/sync-plan-types.js';
import { quoteIdent } from '../../src/data/subset-sql.js';
import { createNorthwind, usePostgres, type TestServer } from '../harness/postgres.js';

const server = usePostgres();

async function modelOf(url: string): Promise<SchemaModel> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readSchemaModel(client, { schemas: ['public'] });
  } finally {
    await client.end();
  }
}

/** Materialises the plan into schema `target` and returns row counts by table. */
async function materialise(
  s: TestServer,
  url: string,
  plan: SubsetPlan,
  target: string,
): Promise<Map<string, number>> {
  await s.exec(url, `DROP SCHEMA IF EXISTS ${target} CASCADE; CREATE SCHEMA ${target}`);
  const counts = new Map<string, number>();
  for (const [table, predicate] of plan.filters) {
    const name = table.split('.')[1]!;
    const source = table.split('.').map(quoteIdent).join('.');
    await s.exec(
      url,
      `CREATE TABLE ${target}.${quoteIdent(name)} AS SELECT * FROM ${source} WHERE ${predicate}`,
    );
    const [row] = await s.query<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM ${target}.${quoteIdent(name)}`,
    );
    counts.set(table, Number(row!.n));
  }
  return counts;
}

/** Orphans per foreign key of the model, inside schema `target`. */
async function orphans(
  s: TestServer,
  url: string,
  model: SchemaModel,
  target: string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of buildForeignKeyGraph(model).edges) {
    const child = `${target}.${quoteIdent(e.child.split('.')[1]!)}`;
    const parent = `${target}.${quoteIdent(e.parent.split('.')[1]!)}`;
    const on = e.columns
      .map((c, i) => `p.${quoteIdent(e.parentColumns[i]!)} = c.${quoteIdent(c)}`)
      .join(' AND ');
    const notNull = e.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const [row] = await s.query<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM ${child} c LEFT JOIN ${parent} p ON ${on}
        WHERE p.${quoteIdent(e.parentColumns[0]!)} IS NULL AND ${notNull}`,
    );
    out[e.constraint] = Number(row!.n);
  }
  return out;
}

const allZero = (o: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(o).map((k) => [k, 0]));

describe('subset plan on Northwind: customers 10 %, downwards', () => {
  let url: string;
  let model: SchemaModel;
  let plan: SubsetPlan;
  let counts: Map<string, number>;
  const rule: SubsetRule = { root: 'public.customers', percent: 10, downwards: true };

  beforeAll(async () => {
    url = await createNorthwind(server());
    model = await modelOf(url);
    plan = planSubset(model, rule);
    counts = await materialise(server(), url, plan, 'subset');
  });

  it('leaves zero orphaned foreign keys', async () => {
    const found = await orphans(server(), url, model, 'subset');
    expect(Object.keys(found).length).toBeGreaterThan(10);
    expect(found).toEqual(allZero(found));
  });

  it('keeps roughly 10 % of customers, and all orders and lines of kept customers', async () => {
    const customers = counts.get('public.customers')!;
    expect(customers).toBeGreaterThanOrEqual(4);
    expect(customers).toBeLessThanOrEqual(16);
    const [missing] = await server().query<{ orders: string; lines: string }>(
      url,
      `SELECT (SELECT count(*) FROM public.orders o JOIN subset.customers c USING (customer_id)
                WHERE o.order_id NOT IN (SELECT order_id FROM subset.orders)) AS orders,
              (SELECT count(*) FROM public.order_details d JOIN subset.orders o USING (order_id)
                WHERE (d.order_id, d.product_id) NOT IN (SELECT order_id, product_id FROM subset.order_details)) AS lines`,
    );
    expect(missing).toEqual({ orders: '0', lines: '0' });
    expect(counts.get('public.orders')).toBeGreaterThan(0);
    expect(counts.get('public.orders')).toBeLessThan(830);
  });

  it('keeps no order whose customer was not chosen', async () => {
    const [row] = await server().query<{ n: string }>(
      url,
      'SELECT count(*) AS n FROM subset.orders WHERE customer_id NOT IN (SELECT customer_id FROM subset.customers)',
    );
    expect(row!.n).toBe('0');
  });

  it('copies unrelated tables whole, employees with their managers', () => {
    expect(counts.get('public.employees')).toBe(9);
    expect(counts.get('public.products')).toBe(77);
    expect(counts.get('public.region')).toBe(4);
    expect(plan.notes.join('\n')).toContain('public.employees');
  });

  it('is deterministic: a second plan selects the same rows', async () => {
    const again = planSubset(await modelOf(url), rule);
    expect([...again.filters]).toEqual([...plan.filters]);
    await materialise(server(), url, again, 'subset2');
    const [diff] = await server().query<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM (SELECT * FROM subset.customers EXCEPT SELECT * FROM subset2.customers) d`,
    );
    expect(diff!.n).toBe('0');
  });

  it('orders tables parents first', () => {
    const at = (t: string): number => plan.order.indexOf(t);
    expect(at('public.customers')).toBeLessThan(at('public.orders'));
    expect(at('public.orders')).toBeLessThan(at('public.order_details'));
    expect(at('public.products')).toBeLessThan(at('public.order_details'));
  });

  it('refuses a root without a primary key, and an unknown root', async () => {
    await server().exec(url, 'CREATE TABLE public.loose (x int)');
    const m = await modelOf(url);
    expect(() => planSubset(m, { root: 'public.loose', percent: 5 })).toThrow(/no primary key/);
    expect(() => planSubset(m, { root: 'public.nope', percent: 5 })).toThrow(/not a table/);
  });
});

describe('subset plan on a cycle and a self-reference', () => {
  let url: string;
  let model: SchemaModel;
  beforeAll(async () => {
    const s = server();
    url = await s.createDatabase();
    await s.exec(
      url,
      `CREATE TABLE a (id int PRIMARY KEY, b_id int, parent_id int REFERENCES a);
       CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
       ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
       CREATE TABLE c (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
       CREATE TABLE log (a_id int REFERENCES a, note text);
       INSERT INTO a (id, parent_id) SELECT g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 200) g;
       INSERT INTO b SELECT g, 201 - g FROM generate_series(1, 200) g;
       UPDATE a SET b_id = id;
       INSERT INTO c SELECT g, g FROM generate_series(1, 200) g;
       INSERT INTO log SELECT g, 'x' FROM generate_series(1, 200) g;
       CREATE TABLE e (id int PRIMARY KEY, boss int REFERENCES e);
       INSERT INTO e SELECT g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 200) g;`,
    );
    model = await modelOf(url);
  });

  it.each([
    ['percent, downwards', { root: 'public.a', percent: 5, downwards: true }],
    ['percent, upwards only', { root: 'public.a', percent: 5, downwards: false }],
    ['where on c', { root: 'public.c', where: 'id = 150', downwards: true }],
  ] as const)('%s: zero orphans', async (_, rule) => {
    const plan = planSubset(model, rule);
    const counts = await materialise(server(), url, plan, 'sub');
    const found = await orphans(server(), url, model, 'sub');
    expect(found).toEqual(allZero(found));
    expect(counts.get('public.a')).toBeGreaterThan(0);
    expect(plan.notes.join('\n')).toMatch(/cycle/);
  });

  it('follows a self-reference up to the top, and down to every report when asked', async () => {
    const up = planSubset(model, { root: 'public.e', where: 'id = 150', downwards: false });
    expect((await materialise(server(), url, up, 'sub')).get('public.e')).toBe(150);
    const down = planSubset(model, { root: 'public.e', where: 'id = 150', downwards: true });
    expect((await materialise(server(), url, down, 'sub')).get('public.e')).toBe(200);
  });

  it('closes the a ↔ b cycle upwards and copies tables unrelated to the root whole', async () => {
    const plan = planSubset(model, { root: 'public.a', where: 'id = 150', downwards: false });
    const counts = await materialise(server(), url, plan, 'sub');
    // a 150 → parents 149 … 1, each a's b, each b's a (201 - id) → all of a and b.
    expect(counts.get('public.a')).toBe(200);
    expect(counts.get('public.b')).toBe(200);
    expect(counts.get('public.c')).toBe(0);
    expect(counts.get('public.log')).toBe(0);
    expect(counts.get('public.e')).toBe(200);
  });

  it('keeps rows of a keyless child only when their parent is kept', async () => {
    const plan = planSubset(model, { root: 'public.a', where: 'id = 1', downwards: true });
    const counts = await materialise(server(), url, plan, 'sub');
    expect(counts.get('public.log')).toBe(counts.get('public.a'));
    const found = await orphans(server(), url, model, 'sub');
    expect(found).toEqual(allZero(found));
  });
});

describe('rows rules on Northwind: cut parents cut their children', () => {
  let url: string;
  let model: SchemaModel;
  // Cutting employee 5 cuts those who report to him (6, 7, 9), their orders and territories;
  // customers outside Germany go with their orders.
  const cutEmployees = `WITH RECURSIVE cut AS (SELECT 5 AS id UNION
    SELECT e.employee_id FROM employees e JOIN cut ON e.reports_to = cut.id) SELECT id FROM cut`;
  const rules = new Map<string, RowSelection>([
    ['public.customers', { where: "country = 'Germany'" }],
    ['public.employees', { where: 'employee_id <> 5' }],
    ['public.customer_demographics', 'none'],
  ]);
  beforeAll(async () => {
    url = await createNorthwind(server());
    model = await modelOf(url);
  });

  it.each([
    ['without a subset', undefined],
    ['with customers 50 %', { root: 'public.customers', percent: 50 }],
    [
      'with orders, upwards only',
      { root: 'public.orders', where: 'order_id < 10500', downwards: false },
    ],
  ] as const)('%s: zero orphans, only allowed rows', async (_, rule) => {
    const plan = planSubset(model, rule, rules);
    const counts = await materialise(server(), url, plan, 'cut');
    const found = await orphans(server(), url, model, 'cut');
    expect(found).toEqual(allZero(found));
    const [outside] = await server().query<{ customers: string; employees: string }>(
      url,
      `SELECT (SELECT count(*) FROM cut.customers WHERE country <> 'Germany') AS customers,
              (SELECT count(*) FROM cut.employees WHERE employee_id IN (${cutEmployees})) AS employees`,
    );
    expect(outside).toEqual({ customers: '0', employees: '0' });
    expect(counts.get('public.orders')).toBeGreaterThan(0);
    expect(plan.notes).toContain(
      'cut public.orders to rows whose references are copied: public.customers (rows: where), public.employees (rows: where)',
    );
  });

  it('without a subset keeps every order of a German customer taken by a kept employee', async () => {
    const plan = planSubset(model, undefined, rules);
    const counts = await materialise(server(), url, plan, 'cut');
    const [row] = await server().query<{ n: string }>(
      url,
      `SELECT count(*) AS n FROM orders o JOIN customers c USING (customer_id)
        JOIN employees e USING (employee_id)
        WHERE c.country = 'Germany' AND e.employee_id NOT IN (${cutEmployees})`,
    );
    expect(counts.get('public.orders')).toBe(Number(row!.n));
    expect(counts.get('public.products')).toBe(77);
  });
});

describe('rows rules on a cycle and a self-reference', () => {
  let url: string;
  let model: SchemaModel;
  beforeAll(async () => {
    const s = server();
    url = await s.createDatabase();
    await s.exec(
      url,
      `CREATE TABLE a (id int PRIMARY KEY, b_id int, parent_id int REFERENCES a);
       CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
       ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
       CREATE TABLE log (a_id int REFERENCES a, note text);
       INSERT INTO a (id, parent_id) SELECT g, CASE WHEN g % 10 <> 1 THEN g - 1 END FROM generate_series(1, 100) g;
       INSERT INTO b SELECT g, g FROM generate_series(1, 100) g;
       UPDATE a SET b_id = id;
       INSERT INTO log SELECT g, 'x' FROM generate_series(1, 100) g;
       CREATE TABLE e (id int PRIMARY KEY, boss int REFERENCES e);
       INSERT INTO e SELECT g, CASE WHEN g > 1 THEN g - 1 END FROM generate_series(1, 200) g;`,
    );
    model = await modelOf(url);
  });

  it('a self-reference: rows below a cut row are cut, down the whole chain', async () => {
    const rules = new Map<string, RowSelection>([['public.e', { where: 'id <> 150' }]]);
    const counts = await materialise(server(), url, planSubset(model, undefined, rules), 'sub');
    expect(counts.get('public.e')).toBe(149);
    const up = planSubset(model, { root: 'public.e', where: 'id IN (100, 160)' }, rules);
    expect((await materialise(server(), url, up, 'sub')).get('public.e')).toBe(149);
    const only = { root: 'public.e', where: 'id IN (100, 160)', downwards: false };
    const upOnly = await materialise(server(), url, planSubset(model, only, rules), 'sub');
    expect(upOnly.get('public.e')).toBe(100);
  });

  it('a two-table cycle: a cut b cuts its a, the a below it and their logs', async () => {
    // a in chains of ten (1–10, 11–20, …); b 35 cut → a 35 (its b) → a 36–40 (parents) → b 35–40.
    const rules = new Map<string, RowSelection>([['public.b', { where: 'id <> 35' }]]);
    for (const rule of [
      undefined,
      { root: 'public.a', percent: 50 },
      { root: 'public.b', where: 'id BETWEEN 30 AND 40', downwards: false },
    ]) {
      const plan = planSubset(model, rule, rules);
      const counts = await materialise(server(), url, plan, 'sub');
      const found = await orphans(server(), url, model, 'sub');
      expect(found).toEqual(allZero(found));
      const [cut] = await server().query<{ n: string }>(
        url,
        'SELECT count(*) AS n FROM sub.a WHERE id BETWEEN 35 AND 40',
      );
      expect(cut!.n).toBe('0');
      if (rule === undefined) {
        expect(counts.get('public.a')).toBe(94);
        expect(counts.get('public.b')).toBe(94);
        expect(counts.get('public.log')).toBe(94);
      }
    }
  });
  it('a table without a primary key, and a two-column key, cut by their parents', async () => {
    const s = server();
    await s.exec(
      url,
      `CREATE TABLE k (code int UNIQUE, parent int REFERENCES k (code), note text);
       INSERT INTO k SELECT g, CASE WHEN g % 5 <> 1 THEN g - 1 END, 'n' FROM generate_series(1, 50) g;
       INSERT INTO k VALUES (NULL, NULL, 'no code'), (NULL, NULL, 'no code');
       CREATE TABLE pair (a int, b int, PRIMARY KEY (a, b));
       CREATE TABLE pair_ref (id int PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES pair);
       INSERT INTO pair SELECT x, y FROM generate_series(1, 3) x, generate_series(1, 3) y;
       INSERT INTO pair_ref SELECT row_number() OVER (), a, b FROM pair;
       INSERT INTO pair_ref VALUES (100, 2, NULL), (101, NULL, 1);`,
    );
    const m = await modelOf(url);
    const rules = new Map<string, RowSelection>([
      ['public.k', { where: 'code IS DISTINCT FROM 3' }],
      ['public.pair', { where: 'a <> 2' }],
    ]);
    const counts = await materialise(s, url, planSubset(m, undefined, rules), 'sub');
    const found = await orphans(s, url, m, 'sub');
    expect(found).toEqual(allZero(found));
    // 3 is cut, and 4 and 5 below it; both rows without a code stay.
    expect(counts.get('public.k')).toBe(49);
    // (2, 1), (2, 2), (2, 3) are cut; a key with a NULL column references nothing and stays.
    expect(counts.get('public.pair_ref')).toBe(8);
  });
});
