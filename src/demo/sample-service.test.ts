import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../../test/harness/postgres.js';
import { firstNames, lastNames, streetNames, streetSuffixes } from '../data/maskers/word-lists.js';
import { loadSampleData, seedSql, SEED_SIZES } from './sample-data.js';
import { startSampleService, type RunningSampleService } from './sample-service.js';
import { planTraffic } from './traffic.js';

const pg = usePostgres();
let database: string;
let v1: RunningSampleService;
let v2: RunningSampleService;

beforeAll(async () => {
  database = await pg().createDatabase();
  await loadSampleData(database);
  v1 = await startSampleService({ version: 'v1', port: 0, database });
  v2 = await startSampleService({ version: 'v2', port: 0, database });
});
afterAll(async () => {
  await v1?.close();
  await v2?.close();
});

async function get(service: RunningSampleService, path: string, init?: RequestInit) {
  const res = await fetch(`${service.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the sample service', () => {
  it('answers the health and version checks deploys verify', async () => {
    expect(await get(v1, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await get(v2, '/version')).body).toMatchObject({ version: 'v2' });
  });

  it('v2 forgets the discount of discounted orders, and differs nowhere else', async () => {
    const orders = await pg().query<{ id: number; discount_percent: number }>(
      database,
      'SELECT id, discount_percent FROM orders WHERE id <= 60 ORDER BY id',
    );
    const discounted = orders.filter((o) => o.discount_percent > 0);
    expect(discounted.length).toBeGreaterThan(5);
    for (const { id, discount_percent } of orders) {
      const [a, b] = [(await get(v1, `/orders/${id}`)).body, (await get(v2, `/orders/${id}`)).body];
      expect({ ...a, total: 0 }).toEqual({ ...b, total: 0 });
      const subtotal = a.subtotal as number;
      expect(b.total).toBe(subtotal);
      expect(a.total).toBe(Math.round((subtotal * (100 - discount_percent)) / 100));
    }
    for (const path of [
      '/products?page=2',
      '/products/7',
      '/customers/3',
      '/categories',
      '/search?q=lamp',
    ])
      expect((await get(v2, path)).body).toEqual((await get(v1, path)).body);
  });

  it('takes new orders and refuses what it does not know', async () => {
    const created = await get(v1, '/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 5, items: [{ productId: 3, quantity: 2 }] }),
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toBeGreaterThan(SEED_SIZES.orders);
    expect((await get(v1, '/orders/999999')).status).toBe(404);
    expect((await get(v1, '/nowhere')).status).toBe(404);
  });
});

describe('the seed and the traffic', () => {
  it('are the same on every run', () => {
    expect(seedSql()).toBe(seedSql());
    expect(planTraffic(200, 10, 7)).toEqual(planTraffic(200, 10, 7));
  });

  it('uses names and streets no masker produces, so a leak check can prove the copy clean', () => {
    const seed = seedSql();
    const vocabulary = new Set([...firstNames, ...lastNames, ...streetNames, ...streetSuffixes]);
    const names = [...seed.matchAll(/\(\d+,'([^' ]+) ((?:[^']|'')+)','[^']+@example\.com'/g)];
    expect(names.length).toBe(SEED_SIZES.customers);
    for (const [, first, last] of names) {
      expect(vocabulary.has(first ?? '')).toBe(false);
      expect(vocabulary.has(last?.replace("''", "'") ?? '')).toBe(false);
    }
  });
});
