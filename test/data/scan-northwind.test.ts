/**
 * The PII scan against Northwind on a real PostgreSQL: every personal column is found with the
 * expected kind, and product, order and reference columns stay quiet.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ScanReport, scanDatabase, scanFindings } from '../../src/data/scan-run.js';
import { createNorthwind, usePostgres } from '../harness/postgres.js';

const pg = usePostgres();

/** Every column the scan must flag, as `table.column kind`, and nothing else. */
const expected = [
  'public.customers.address street_address',
  'public.customers.city city',
  'public.customers.company_name company',
  'public.customers.contact_name full_name',
  'public.customers.fax phone',
  'public.customers.phone phone',
  'public.customers.postal_code postal_code',
  'public.employees.address street_address',
  'public.employees.birth_date birth_date',
  'public.employees.city city',
  'public.employees.first_name first_name',
  'public.employees.home_phone phone',
  'public.employees.last_name last_name',
  'public.employees.notes free_text',
  'public.employees.photo photo',
  // The photo's path names the employee; the home page names the supplier's company.
  'public.employees.photo_path free_text',
  'public.employees.postal_code postal_code',
  'public.orders.ship_address street_address',
  'public.orders.ship_city city',
  'public.orders.ship_name full_name',
  'public.orders.ship_postal_code postal_code',
  'public.shippers.company_name company',
  'public.shippers.phone phone',
  'public.suppliers.address street_address',
  'public.suppliers.city city',
  'public.suppliers.company_name company',
  'public.suppliers.contact_name full_name',
  'public.suppliers.fax phone',
  'public.suppliers.homepage free_text',
  'public.suppliers.phone phone',
  'public.suppliers.postal_code postal_code',
];

describe('data scan on Northwind', () => {
  let url: string;
  let report: ScanReport;
  beforeAll(async () => {
    url = await createNorthwind(pg());
    report = await scanDatabase(url, { sampleSize: 200, today: new Date('2025-06-01') });
  });

  it('flags exactly the personal columns', () => {
    const found = scanFindings(report)
      .map((f) => `${f.table}.${f.column} ${f.kind}`)
      .sort();
    expect(found).toEqual([...expected].sort());
  });

  it('reports every table and column, with samples for text columns', () => {
    expect(report.tables.map((t) => t.table)).toContain('public.order_details');
    const customers = report.tables.find((t) => t.table === 'public.customers');
    expect(customers?.rowsSampled).toBe(91);
    expect(customers?.columns.find((c) => c.column === 'phone')?.sampled).toBeGreaterThan(80);
    expect(
      customers?.columns.find((c) => c.column === 'phone')?.finding?.confidence,
    ).toBeGreaterThan(0.8);
  });

  it('is deterministic: two scans give the same report', async () => {
    const again = await scanDatabase(url, { sampleSize: 20, today: new Date('2025-06-01') });
    const third = await scanDatabase(url, { sampleSize: 20, today: new Date('2025-06-01') });
    expect(JSON.stringify(again)).toBe(JSON.stringify(third));
  });

  it('samples large tables by blocks', async () => {
    const server = pg();
    const big = await server.createDatabase();
    await server.exec(
      big,
      `CREATE TABLE contacts (id int PRIMARY KEY, reach text);
       INSERT INTO contacts SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 60000) g;
       ANALYZE contacts;`,
    );
    const result = await scanDatabase(big, { sampleSize: 50 });
    const reach = result.tables[0]?.columns.find((c) => c.column === 'reach');
    expect(reach?.sampled).toBe(50);
    expect(reach?.finding?.kind).toBe('email');
  });
});
