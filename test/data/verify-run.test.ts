/**
 * `data verify` against two real databases: a source and a masked copy with one unmasked e-mail
 * left in its column, one real phone number inside a notes text and one orphaned order. Each is
 * reported exactly, by table and column, and no real value appears anywhere in the report.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSchemaModel } from '../../src/postgres/catalog-read.js';
import type { SchemaModel } from '../../src/postgres/schema-model.js';
import { verifyCopy } from '../../src/data/verify-run.js';
import { usePostgres } from '../harness/postgres.js';

const server = usePostgres();

const schema = `
  CREATE TABLE customers (id int PRIMARY KEY, email text, phone varchar(30), notes text, profile jsonb, born date);
  CREATE TABLE orders (id int PRIMARY KEY, customer_id int, note text);`;
const fk = 'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;';

const source = `${schema} ${fk}
  INSERT INTO customers VALUES
    (1, 'ann@example.com', '+1 415 555 0100', 'likes tea', '{"tier": "gold"}', '1980-01-02'),
    (2, 'bob@example.org', '+44 20 7946 0958', 'vip', '{"tier": "silver"}', '1975-05-06');
  INSERT INTO orders VALUES (10, 1, 'first'), (11, 2, 'second');`;

const clean = `${schema} ${fk}
  INSERT INTO customers VALUES
    (1, 'u1@masked.test', '+1 000 000 0001', 'likes tea', '{"tier": "gold"}', '1981-03-04'),
    (2, 'u2@masked.test', '+1 000 000 0002', 'vip', '{"tier": "silver"}', '1976-07-08');
  INSERT INTO orders VALUES (10, 1, 'first'), (11, 2, 'second');`;

const leaky = `${schema}
  INSERT INTO customers VALUES
    (1, 'u1@masked.test', '+1 000 000 0001', 'likes tea', '{"tier": "gold"}', '1981-03-04'),
    (2, 'bob@example.org', '+1 000 000 0002', 'call +44 20 7946 0958 after 5', '{"tier": "silver"}', '1976-07-08');
  INSERT INTO orders VALUES (10, 1, 'first'), (11, 99, 'second');
  ${fk}`;

const masked = [
  { table: 'public.customers', column: 'email' },
  { table: 'public.customers', column: 'phone' },
  { table: 'public.customers', column: 'born' },
];

async function modelOf(url: string): Promise<SchemaModel> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readSchemaModel(client);
  } finally {
    await client.end();
  }
}

describe('data verify', () => {
  let sourceUrl: string;
  let cleanUrl: string;
  let leakyUrl: string;
  beforeAll(async () => {
    const s = server();
    [sourceUrl, cleanUrl, leakyUrl] = await Promise.all([
      s.createDatabase(),
      s.createDatabase(),
      s.createDatabase(),
    ]);
    await Promise.all([
      s.exec(sourceUrl, source),
      s.exec(cleanUrl, clean),
      s.exec(leakyUrl, leaky),
    ]);
  });

  it('passes a clean copy with the planned row counts', async () => {
    const report = await verifyCopy({
      sourceUrl,
      targetUrl: cleanUrl,
      model: await modelOf(cleanUrl),
      masked,
      expectedRows: new Map([
        ['public.customers', 2],
        ['public.orders', 2],
      ]),
    });
    expect(report).toMatchObject({ ok: true, complete: true, leaks: [], orphans: [] });
    expect(report.rowCounts).toEqual([
      { table: 'public.customers', actual: 2, expected: 2, ok: true },
      { table: 'public.orders', actual: 2, expected: 2, ok: true },
    ]);
  });

  it('names each leak and orphan exactly, never the value', async () => {
    const report = await verifyCopy({
      sourceUrl,
      targetUrl: leakyUrl,
      model: await modelOf(leakyUrl),
      masked,
    });
    expect(report.ok).toBe(false);
    expect(report.leaks.map((l) => ({ ...l, sample: undefined }))).toEqual([
      {
        sourceColumn: 'public.customers.email',
        foundIn: { table: 'public.customers', column: 'email' },
        count: 1,
        sample: undefined,
      },
      {
        sourceColumn: 'public.customers.phone',
        foundIn: { table: 'public.customers', column: 'notes' },
        count: 1,
        sample: undefined,
      },
    ]);
    expect(report.orphans).toEqual([
      { constraint: 'orders_customer_id_fkey', table: 'public.orders', count: 1 },
    ]);
    const text = JSON.stringify(report);
    for (const secret of ['bob@example.org', '7946', '0958', 'ann@example.com', '1975-05-06'])
      expect(text).not.toContain(secret);
  });

  it('reports a row count off plan, and refuses an unknown masked column', async () => {
    const model = await modelOf(cleanUrl);
    const report = await verifyCopy({
      sourceUrl,
      targetUrl: cleanUrl,
      model,
      masked,
      expectedRows: new Map([['public.orders', 3]]),
    });
    expect(report.ok).toBe(false);
    expect(report.rowCounts.find((r) => !r.ok)).toEqual({
      table: 'public.orders',
      actual: 2,
      expected: 3,
      ok: false,
    });
    await expect(
      verifyCopy({
        sourceUrl,
        targetUrl: cleanUrl,
        model,
        masked: [{ table: 'public.x', column: 'y' }],
      }),
    ).rejects.toThrow(/not in the copy/);
  });

  it('fails closed when the masked values exceed the memory limit', async () => {
    const report = await verifyCopy({
      sourceUrl,
      targetUrl: cleanUrl,
      model: await modelOf(cleanUrl),
      masked,
      maxValues: 3,
    });
    expect(report).toMatchObject({ ok: false, complete: false, leaks: [] });
    expect(report.incomplete).toEqual([
      { column: 'public.customers.phone', checked: 1 },
      { column: 'public.customers.born', checked: 0 },
    ]);
  });

  it('checks blurred columns row by row, and places in their own column only', async () => {
    const s = server();
    const [from, to] = await Promise.all([s.createDatabase(), s.createDatabase()]);
    const table = `CREATE TABLE people (id int PRIMARY KEY, born date, credit numeric, city text,
      surname text, photo text, region text)`;
    await s.exec(
      from,
      `${table}; INSERT INTO people VALUES
        (1, '1980-01-02', 10.5, 'Cork', 'King', '/photos/king.bmp', 'Co. Cork'),
        (2, '1980-01-03', 0, 'Graz', 'Lee', '/photos/lee.bmp', 'Styria'),
        (3, '1980-01-04', 7, 'Lyon', 'Moss', NULL, 'Rhône')`,
    );
    // Row 2's date is row 1's real date (a blur may land there), row 3 kept its own credit;
    // zero stays zero by design; Kingston only contains King; Co. Cork names a real city.
    await s.exec(
      to,
      `${table}; INSERT INTO people VALUES
        (1, '1980-01-05', 11.5, 'Bern', 'Ash', '/photos/ash.bmp', 'Co. Cork'),
        (2, '1980-01-02', 0, 'Oslo', 'Kingston', '/photos/x.bmp', 'Styria'),
        (3, '1980-01-06', 7, 'Rome', 'Oak', '/photos/moss.bmp', 'Rhône')`,
    );
    const report = await verifyCopy({
      sourceUrl: from,
      targetUrl: to,
      model: await modelOf(to),
      masked: [
        { table: 'public.people', column: 'born', scope: 'row' },
        { table: 'public.people', column: 'credit', scope: 'row' },
        { table: 'public.people', column: 'city', scope: 'column' },
        { table: 'public.people', column: 'surname' },
      ],
    });
    expect(report.leaks.map((l) => [l.sourceColumn, l.foundIn.column, l.count])).toEqual([
      ['public.people.surname', 'photo', 1],
      ['public.people.credit', 'credit', 1],
    ]);
    expect(report.leaks[1]?.sample).toBe('a row that kept its real value (1 characters)');
  });
});
