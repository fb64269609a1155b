/**
 * Rows rules and subsets agree: a sync of a schema where a `rows: none` parent and a
 * `rows: { where }` parent have children with rows succeeds, leaves zero orphaned foreign keys
 * (NOT VALID ones included), keeps exactly the expected rows, and its dry-run notes name the
 * tables cut because a parent is cut — without a subset and with one.
 *
 * customers: 1–20, odd ids in region eu; 5 was referred by 2 (us), 7 by 5, 9 by 3. The rule
 * `region = 'eu'` keeps the eu customers whose referrers are kept: 1, 3, 9, 11, 13, 15, 17, 19.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { validateConfigText } from '../../src/config/config-validate.js';
import { prepareSync, readModel, type PreparedSync } from '../../src/data/prepare-sync.js';
import { runSync } from '../../src/data/sync-run.js';
import type { SyncResult } from '../../src/data/sync-plan-types.js';
import { verifyCopy, type VerifyReport } from '../../src/data/verify-run.js';
import { usePostgres } from '../harness/postgres.js';
import { testOptions } from './sync-helpers.js';

const pg = usePostgres();

const schema = `
CREATE TABLE regions (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE customer_demographics (id int PRIMARY KEY, description text);
CREATE TABLE customers (
  id int PRIMARY KEY,
  region text NOT NULL REFERENCES regions,
  referrer_id int REFERENCES customers
);
CREATE TABLE customer_customer_demo (
  customer_id int NOT NULL REFERENCES customers,
  demographics_id int NOT NULL REFERENCES customer_demographics,
  PRIMARY KEY (customer_id, demographics_id)
);
CREATE TABLE profiles (
  id int PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers,
  demographics_id int REFERENCES customer_demographics
);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers);
CREATE TABLE lines (order_id int NOT NULL REFERENCES orders, n int, PRIMARY KEY (order_id, n));
CREATE TABLE notes (order_id int REFERENCES orders, body text NOT NULL);
CREATE TABLE reviews (id int PRIMARY KEY, customer_id int NOT NULL, stars int NOT NULL);
CREATE TABLE visits (
  id int,
  customer_id int NOT NULL REFERENCES customers,
  at date NOT NULL,
  PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE visits_2023 PARTITION OF visits FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE visits_2024 PARTITION OF visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

INSERT INTO regions VALUES ('eu', 'Europe'), ('us', 'Americas'), ('apac', 'Asia');
INSERT INTO customer_demographics VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO customers SELECT g, CASE WHEN g % 2 = 1 THEN 'eu' ELSE 'us' END,
  CASE g WHEN 5 THEN 2 WHEN 7 THEN 5 WHEN 9 THEN 3 END FROM generate_series(1, 20) g;
INSERT INTO customer_customer_demo SELECT g, 1 + g % 3 FROM generate_series(1, 20) g;
INSERT INTO profiles SELECT g, g, CASE WHEN g % 3 <> 0 THEN 1 + g % 3 END FROM generate_series(1, 20) g;
INSERT INTO orders SELECT c * 10 + k, c FROM generate_series(1, 20) c, generate_series(1, 3) k;
INSERT INTO lines SELECT o.id, n FROM orders o, generate_series(1, 2) n;
INSERT INTO notes SELECT id, 'note' FROM orders;
INSERT INTO notes VALUES (NULL, 'loose note');
INSERT INTO reviews SELECT g, g, 5 FROM generate_series(1, 20) g;
ALTER TABLE reviews ADD CONSTRAINT reviews_customer FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
INSERT INTO visits SELECT g, g, '2023-06-01' FROM generate_series(1, 20) g;
INSERT INTO visits SELECT 100 + g, g, '2024-06-01' FROM generate_series(1, 20) g;
`;

function configFor(source: string, target: string, subset: string) {
  const text = `project: rows
environments:
  production:
    database: \${SOURCE}
    protected: true
  staging:
    database: \${TARGET}
data:
  key: 0123456789abcdef0123
  tables:
    public.customer_demographics: { rows: none }
    public.customers: { rows: { where: "region = 'eu'" } }
${subset}`;
  const result = validateConfigText(text, {
    file: 'understudy.yaml',
    env: { SOURCE: source, TARGET: target },
  });
  if (result.config === undefined) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

interface Synced {
  source: string;
  prepared: PreparedSync;
  result: SyncResult;
  report: VerifyReport;
  target: string;
}

async function syncWith(source: string, target: string, subset = ''): Promise<Synced> {
  const prepared = await prepareSync(configFor(source, target, subset), { scan: false });
  const result = await runSync(prepared.input, testOptions({ keepTemplate: false }));
  const report = await verifyCopy({
    sourceUrl: source,
    targetUrl: target,
    model: await readModel(target, 'target'),
    masked: [],
    expectedRows: new Map(result.tables.map((t) => [t.table, t.rowsWritten])),
  });
  return { source, prepared, result, report, target };
}

async function ids(target: string, sql: string): Promise<number[]> {
  return (await pg().query<{ id: number }>(target, sql)).map((r) => r.id);
}

const counts = (report: VerifyReport): Record<string, number> =>
  Object.fromEntries(report.rowCounts.map((r) => [r.table, r.actual]));

describe('rows rules without a subset', () => {
  let synced: Synced;
  beforeAll(async () => {
    const source = await pg().createDatabase();
    await pg().exec(source, schema);
    synced = await syncWith(source, pg().urlFor('rows_rules_plain'));
  }, 120_000);

  it('succeeds with zero orphans, every foreign key (the NOT VALID one too) in place', async () => {
    expect(synced.report.orphans).toEqual([]);
    expect(synced.report.ok).toBe(true);
    const keys = (url: string) =>
      pg().query(
        url,
        "SELECT conrelid::regclass::text AS t, conname, convalidated FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2",
      );
    const copied = await keys(synced.target);
    expect(copied).toEqual(await keys(synced.source));
    expect(copied).toContainEqual({
      t: 'reviews',
      conname: 'reviews_customer',
      convalidated: false,
    });
  });

  it('keeps exactly the rows the rules and their references allow', async () => {
    expect(counts(synced.report)).toEqual({
      'public.customer_customer_demo': 0,
      'public.customer_demographics': 0,
      'public.customers': 8,
      'public.lines': 48,
      'public.notes': 25,
      'public.orders': 24,
      'public.profiles': 3,
      'public.regions': 3,
      'public.reviews': 8,
      'public.visits': 16,
    });
    expect(await ids(synced.target, 'SELECT id FROM customers ORDER BY id')).toEqual([
      1, 3, 9, 11, 13, 15, 17, 19,
    ]);
    expect(await ids(synced.target, 'SELECT id FROM profiles ORDER BY id')).toEqual([3, 9, 15]);
  });

  it('copies the row counts verify was told to expect', () => {
    // Verify counts a partitioned table as a whole; the sync reports its partitions.
    const planned = synced.report.rowCounts.filter((r) => r.table !== 'public.visits');
    expect(planned.every((r) => r.ok && r.expected === r.actual)).toBe(true);
    const written = Object.fromEntries(synced.result.tables.map((t) => [t.table, t.rowsWritten]));
    expect(written['public.visits_2023']! + written['public.visits_2024']!).toBe(16);
  });

  it('names every table cut because a parent is cut, in the dry-run notes', () => {
    expect(synced.prepared.subsetNotes).toEqual([
      'cut public.customer_customer_demo to no rows: it references public.customers (rows: where), public.customer_demographics (rows: none)',
      'cut public.customers to rows whose references are copied: public.customers (rows: where)',
      'cut public.lines to rows whose references are copied: public.orders (cut in turn)',
      'cut public.notes to rows whose references are copied: public.orders (cut in turn)',
      'cut public.orders to rows whose references are copied: public.customers (rows: where)',
      'cut public.profiles to rows whose references are copied: public.customers (rows: where), public.customer_demographics (rows: none)',
      'cut public.reviews to rows whose references are copied: public.customers (rows: where)',
      'cut public.visits to rows whose references are copied: public.customers (rows: where)',
    ]);
    const planned = new Map(
      (synced.prepared.input.tables ?? []).map((t) => [`${t.schema}.${t.name}`, t.rows]),
    );
    expect(planned.get('public.customer_customer_demo')).toBe('none');
    expect(planned.get('public.visits_2024')).toEqual(planned.get('public.visits_2023'));
  });
});

describe('rows rules with a subset', () => {
  let synced: Synced;
  beforeAll(async () => {
    const source = await pg().createDatabase();
    await pg().exec(source, schema);
    synced = await syncWith(
      source,
      pg().urlFor('rows_rules_subset'),
      `  subset:
    root: public.customers
    where: id IN (5, 7, 9, 11)
`,
    );
  }, 120_000);

  it('succeeds with zero orphans', () => {
    expect(synced.report.orphans).toEqual([]);
    expect(synced.report.ok).toBe(true);
  });

  it('intersects the rules with the subset: excluded seeds are dropped, not their referrers pulled', async () => {
    // 5 and 7 are cut (5's referrer 2 is in the us), so they are no seeds and pull nothing;
    // 9 pulls its referrer 3 (upwards only: 3's orders stay behind).
    expect(await ids(synced.target, 'SELECT id FROM customers ORDER BY id')).toEqual([3, 9, 11]);
    expect(counts(synced.report)).toEqual({
      'public.customer_customer_demo': 0,
      'public.customer_demographics': 0,
      'public.customers': 3,
      'public.lines': 12,
      'public.notes': 6,
      'public.orders': 6,
      'public.profiles': 1,
      'public.regions': 3,
      'public.reviews': 2,
      'public.visits': 4,
    });
    expect(synced.report.rowCounts.every((r) => r.ok)).toBe(true);
  });

  it('says which tables the subset leaves whole and which the rules cut', () => {
    const notes = synced.prepared.subsetNotes;
    expect(notes).toContain('copied whole (not related to the subset roots): public.regions');
    expect(notes).toContain(
      'not subsetted (not related to the subset roots), cut by rows rules only: public.customer_demographics',
    );
    expect(notes).toContain(
      'cut public.profiles to rows whose references are copied: public.customers (rows: where), public.customer_demographics (rows: none)',
    );
  });
});
