/**
 * Subset plans run against real PostgreSQL: each table's predicate materialises a subset copy in
 * a `subset` schema of the same database, and every foreign key of the model is checked there
 * for orphans. Northwind (customers 10 %, downwards) and a hand-made schema with a two-table
 * cycle and a self-reference.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import type { SchemaModel } from '../../src/postgres/schema-model.js';
import { planSubset, type SubsetPlan, type SubsetRule } from '../../src/data/subset-plan.js';
import { buildForeignKeyGraph } from '../../src/data/subset-graph.js';
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
