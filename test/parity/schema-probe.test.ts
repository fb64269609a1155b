/**
 * The schema probe against two real PostgreSQL databases: the same base schema in both, drift of
 * every kind the probe knows planted in staging (and, where PostgreSQL cannot remove a thing, the
 * counterpart added to production). Each planted drift must be found exactly once, with its path,
 * kind and severity, and nothing else.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Difference } from '../../src/parity/drift.js';
import { runSchemaProbe } from '../../src/parity/schema-probe.js';
import { readFixture, usePostgres } from '../harness/postgres.js';

const pg = usePostgres();

const row = (d: Difference): string => `${d.path} ${d.kind} ${d.severity}`;

/** Every planted drift, as `path kind severity`. */
const planted = [
  // extensions and schemas
  'schema:extensions.hstore.version changed notice',
  'schema:extensions.pg_trgm missing breaking',
  'schema:schemas.reporting missing breaking',
  // tables and partitions
  'schema:app.sessions missing breaking',
  'schema:app.wishlists extra notice',
  'schema:audit.events_2025 missing breaking',
  'schema:app.bookings.options changed notice',
  'schema:app.customers.comment changed notice',
  // columns
  'schema:app.customers.columns.tags missing breaking',
  'schema:app.orders.columns.note extra notice',
  'schema:app.order_lines.columns.product_code.type changed breaking',
  'schema:app.shipments.columns.shipped_at.nullable changed breaking',
  'schema:app.orders.columns.status.default changed notice',
  'schema:app.orders.columns.id.identity changed breaking',
  'schema:app.customers.columns.full_name.generated changed breaking',
  // constraints: each type missing, each type changed
  'schema:app.shipments.constraints.shipments_pkey missing breaking',
  'schema:app.orders.constraints.orders_number_key missing breaking',
  'schema:app.order_lines.constraints.order_lines_order_fkey missing breaking',
  'schema:app.orders.constraints.orders_status_check missing breaking',
  'schema:app.bookings.constraints.bookings_no_overlap missing breaking',
  'schema:app.bookings.constraints.bookings_pkey changed breaking',
  'schema:app.customers.constraints.customers_email_key changed breaking',
  'schema:app.customers.constraints.customers_referred_by_fkey changed breaking',
  'schema:app.order_lines.constraints.order_lines_quantity_check changed breaking',
  'schema:app.maintenance.constraints.maintenance_no_overlap changed breaking',
  // indexes
  'schema:app.customers_lower_name_idx missing breaking',
  'schema:app.orders_placed_on_idx extra notice',
  'schema:app.orders_unpaid_idx changed breaking',
  // types and sequences
  'schema:app.mood.labels.furious missing breaking',
  'schema:app.mood.labels.thrilled extra notice',
  'schema:app.positive_amount.checks.positive_amount_check changed breaking',
  'schema:app.invoice_number.increment changed breaking',
  // views
  'schema:app.open_orders changed breaking',
  'schema:app.big_orders missing breaking',
  'schema:app.daily_totals changed breaking',
  // functions and triggers
  'schema:app.order_total(order_id integer) changed breaking',
  'schema:app.loyalty_points(customer_id bigint) extra notice',
  'schema:app.orders.triggers.orders_touch missing breaking',
  'schema:app.customers.triggers.customers_audit.enabled changed breaking',
];

describe('runSchemaProbe with drift of every kind', () => {
  let differences: readonly Difference[];
  let compared: number;
  let facts: unknown;

  beforeAll(async () => {
    const [production, staging] = await Promise.all([pg().createDatabase(), pg().createDatabase()]);
    const base = (await readFixture('every-kind.sql')) + (await readFixture('parity/base.sql'));
    await Promise.all([pg().exec(production, base), pg().exec(staging, base)]);
    await pg().exec(production, await readFixture('parity/production.sql'));
    await pg().exec(staging, await readFixture('parity/staging.sql'));
    const result = await runSchemaProbe({
      env: { name: 'staging', url: staging },
      against: { name: 'production', url: production },
    });
    expect(result.status).toBe('compared');
    ({ differences, compared, facts } = result);
  });

  it('finds each planted drift exactly once, and nothing else', () => {
    expect(differences.map(row)).toEqual([...planted].sort());
  });

  it('reports values people can read', () => {
    const at = (path: string): Difference | undefined =>
      differences.find((d) => d.path === `schema:${path}`);
    expect(at('app.sessions')?.againstValue).toBe('table (3 columns)');
    expect(at('audit.events_2025')?.againstValue).toBe(
      "partition of audit.events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00') (4 columns)",
    );
    expect(at('app.order_lines.columns.product_code.type')).toMatchObject({
      envValue: 'character varying(12)',
      againstValue: 'character(8)',
    });
    expect(at('app.orders.columns.id.identity')).toMatchObject({
      envValue: 'always',
      againstValue: 'by default',
    });
    expect(at('app.orders.constraints.orders_status_check')?.againstValue).toMatch(/^CHECK \(/);
    expect(at('extensions.hstore.version')).toMatchObject({ envValue: '1.4', againstValue: '1.8' });
    expect(at('schemas.reporting')?.againstValue).toBe('schema (1 table)');
    expect(at('app.orders_unpaid_idx')?.envValue).toMatch(
      /^CREATE INDEX orders_unpaid_idx ON app\.orders/,
    );
  });

  it('counts what it compared and reports its facts', () => {
    expect(compared).toBeGreaterThan(300);
    expect(facts).toEqual({ tables: { env: 10, against: 12 }, migrations: [] });
  });

  it('finds nothing between two databases with the same schema', async () => {
    const [a, b] = await Promise.all([pg().createDatabase(), pg().createDatabase()]);
    const base = (await readFixture('every-kind.sql')) + (await readFixture('parity/base.sql'));
    await Promise.all([pg().exec(a, base), pg().exec(b, base)]);
    const result = await runSchemaProbe({
      env: { name: 'staging', url: a },
      against: { name: 'production', url: b },
    });
    expect(result).toMatchObject({ status: 'compared', differences: [] });
    expect(result.compared).toBeGreaterThan(300);
  });
});

describe('runSchemaProbe with migration histories', () => {
  const schema = `
    CREATE TABLE public._prisma_migrations (
      id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
      migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
      started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
    CREATE TABLE public.customers (id serial PRIMARY KEY, name text NOT NULL);
    CREATE TABLE public.orders (id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES public.customers (id));
    INSERT INTO public._prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at) VALUES
      ('1', 'c1', now(), '20240101000000_init', NULL),
      ('2', 'c2', NULL, '20240201000000_failed_attempt', NULL);`;

  it('reports the pending migration and explains the column it added', async () => {
    const [production, staging] = await Promise.all([pg().createDatabase(), pg().createDatabase()]);
    await Promise.all([pg().exec(production, schema), pg().exec(staging, schema)]);
    // Rolled back in production: not applied, so not pending either.
    await pg().exec(
      production,
      `INSERT INTO public._prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at)
       VALUES ('3', 'c3', now(), '20240215000000_add_email_to_customers', now())`,
    );
    await pg().exec(
      staging,
      `INSERT INTO public._prisma_migrations (id, checksum, finished_at, migration_name)
         VALUES ('4', 'c4', now(), '20240301000000_add_total_to_orders');
       ALTER TABLE public.orders ADD COLUMN total numeric(10,2);
       ALTER TABLE public.customers ADD COLUMN nickname text;`,
    );
    const result = await runSchemaProbe({
      env: { name: 'staging', url: staging },
      against: { name: 'production', url: production },
    });
    expect(result.status).toBe('compared');
    expect(result.differences).toEqual([
      {
        probe: 'schema',
        path: 'schema:migrations.prisma.20240301000000_add_total_to_orders',
        kind: 'extra',
        severity: 'notice',
        envValue: 'applied',
        note: 'applied in staging, not in production',
      },
      {
        probe: 'schema',
        path: 'schema:public.customers.columns.nickname',
        kind: 'extra',
        severity: 'notice',
        envValue: 'text',
      },
      {
        probe: 'schema',
        path: 'schema:public.orders.columns.total',
        kind: 'extra',
        severity: 'notice',
        envValue: 'numeric(10,2)',
        explainedBy:
          'prisma migration 20240301000000_add_total_to_orders, applied in staging but not in production',
      },
    ]);
    expect(result.facts).toEqual({
      tables: { env: 3, against: 3 },
      migrations: [{ tool: 'prisma', table: 'public._prisma_migrations', env: 2, against: 1 }],
    });
  });
});

describe('runSchemaProbe when it cannot compare', () => {
  it('is skipped, naming the environment, when a database URL is missing', async () => {
    const result = await runSchemaProbe({
      env: { name: 'staging', url: undefined },
      against: { name: 'production', url: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(result).toEqual({
      probe: 'schema',
      status: 'skipped',
      reason: 'staging has no database URL (environments.NAME.database)',
      compared: 0,
      differences: [],
    });
  });

  it('fails as unreachable, naming the environment and server but not the password', async () => {
    const production = await pg().createDatabase();
    const result = await runSchemaProbe({
      env: { name: 'staging', url: 'postgres://app:s3cret-pass@127.0.0.1:1/shop' },
      against: { name: 'production', url: production },
    });
    expect(result).toMatchObject({
      probe: 'schema',
      status: 'failed',
      unreachable: true,
      compared: 0,
      differences: [],
    });
    expect(result.reason).toMatch(/staging database at postgres:\/\/app@127\.0\.0\.1:1\/shop/);
    expect(result.reason).not.toContain('s3cret');
  });
});
