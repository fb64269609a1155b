import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { createNorthwind, readFixture, usePostgres } from '../harness/postgres.js';

describe('understudy data', () => {
  const pg = usePostgres();

  it('scans Northwind, writes the suggested rules, syncs masked and verifies; a second run masks identically', async () => {
    const production = await createNorthwind(pg());
    const staging = await pg().createDatabase();
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: northwind
environments:
  production:
    database: \${PROD_DATABASE_URL}
    protected: true
  staging:
    database: \${STAGING_DATABASE_URL}
# masking rules below
data:
  key: \${UNDERSTUDY_MASK_KEY}
  tables:
    public.customer_demographics: { rows: none }
`,
    );
    const env = {
      PROD_DATABASE_URL: production,
      STAGING_DATABASE_URL: staging,
      UNDERSTUDY_MASK_KEY: 'test-key-0123456789abcdef',
    };

    const scan = await runUnderstudy(['data', 'scan', '--json'], { cwd: dir, env });
    if (scan.code !== 1) console.error(scan.stdout, scan.stderr);
    expect(scan.code).toBe(1);
    const found = scan.json<{ findings: { table: string; column: string }[]; uncovered: number }>();
    expect(found.uncovered).toBeGreaterThan(20);
    expect(found.findings.map((f) => `${f.table}.${f.column}`)).toContain(
      'public.employees.home_phone',
    );

    const refused = await runUnderstudy(['data', 'sync'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('personal-data columns have no masker; nothing was copied');
    expect(refused.stderr).toContain('data.tables["public.employees"].columns.home_phone');

    const write = await runUnderstudy(['data', 'scan', '--write'], { cwd: dir, env });
    expect(write.code).toBe(0);
    const config = await readFile(path.join(dir, 'understudy.yaml'), 'utf8');
    expect(config).toContain('# masking rules below');
    expect(config).toContain('home_phone: phone');

    const dry = await runUnderstudy(['data', 'sync', '--dry-run'], { cwd: dir, env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing was written');
    expect(
      await pg().query(staging, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"),
    ).toEqual([{ n: '0' }]);

    const sync = await runUnderstudy(['data', 'sync', '--json'], { cwd: dir, env });
    if (sync.code !== 0) console.error(sync.stdout, sync.stderr);
    expect(sync.code).toBe(0);
    const synced = sync.json<{
      ok: boolean;
      report: { verification: { ok: boolean; orphans: unknown[] } };
    }>();
    expect(synced.ok).toBe(true);
    expect(synced.report.verification).toMatchObject({ ok: true, orphans: [] });
    // Northwind writes each employee's surname into photo_path and a supplier's name into its
    // home page: the scan flags both (they repeat the row's personal data), so they are masked.
    expect(config).toContain('photo_path: redact_text');
    expect(config).toContain('homepage: redact_text');
    const verify = await runUnderstudy(['data', 'verify'], { cwd: dir, env });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('✓ verified');

    const query = 'SELECT customer_id, contact_name, phone FROM customers ORDER BY customer_id';
    type Customer = { customer_id: string; contact_name: string; phone: string };
    const real = await pg().query<Customer>(production, query);
    const first = await pg().query<Customer>(staging, query);
    expect(first).toHaveLength(91);
    expect(first.map((r) => r.customer_id)).toEqual(real.map((r) => r.customer_id));
    expect(first.filter((r, i) => r.contact_name === real[i]?.contact_name)).toEqual([]);
    expect(await pg().query(staging, 'SELECT count(*) AS n FROM customer_demographics')).toEqual([
      { n: '0' },
    ]);

    expect((await runUnderstudy(['data', 'sync'], { cwd: dir, env })).code).toBe(0);
    expect(await pg().query<Customer>(staging, query)).toEqual(first);

    const parity = await runUnderstudy(['audit', 'list', '--json', '--action', 'data.sync'], {
      cwd: dir,
      env,
    });
    expect(parity.json<{ entries: unknown[] }>().entries).toHaveLength(2);
  }, 180_000);

  it('masks a database of every built-in type, verifies it clean, and masks it the same way twice', async () => {
    const production = await pg().createDatabase();
    await pg().exec(production, await readFixture('data/sync-source.sql'));
    const staging = await pg().createDatabase();
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: every-type
environments:
  production:
    database: \${PROD_DATABASE_URL}
    protected: true
  staging:
    database: \${STAGING_DATABASE_URL}
data:
  key: \${UNDERSTUDY_MASK_KEY}
  tables:
    app.customers:
      columns:
        tags: full_name
        scores: { masker: number_noise, percent: 10 }
        profile: { masker: json, paths: { "$.nested[1]": redact_text } }
        raw: { masker: json, paths: { "$.a[*]": number_noise } }
        uid: uuid
        created_at: { masker: date_shift, days: 30 }
    app.orders:
      columns:
        total: { masker: number_noise, percent: 5 }
        exact: { masker: number_noise, percent: 5 }
        placed_on: { masker: date_shift, days: 10 }
    app.events:
      columns:
        kind: { masker: constant, value: event }
`,
    );
    const env = {
      PROD_DATABASE_URL: production,
      STAGING_DATABASE_URL: staging,
      UNDERSTUDY_MASK_KEY: 'every-type-key-0123456789',
    };
    const write = await runUnderstudy(['data', 'scan', '--write', '--json'], { cwd: dir, env });
    expect(write.code).toBe(0);
    const config = await readFile(path.join(dir, 'understudy.yaml'), 'utf8');
    for (const rule of ['email: email', 'first_name: first_name', 'notes: redact_text'])
      expect(config).toContain(rule);
    // A generated column is recomputed from its masked inputs, never masked itself.
    expect(config).not.toContain('full_name: ');

    const sync = await runUnderstudy(['data', 'sync', '--json'], { cwd: dir, env });
    if (sync.code !== 0) console.error(sync.stdout, sync.stderr);
    expect(sync.code).toBe(0);
    expect(sync.json<{ report: { verification: { ok: boolean } } }>().report.verification.ok).toBe(
      true,
    );

    type Row = Record<string, unknown>;
    const customers = `SELECT id, email::text, first_name, last_name, full_name, tags, scores,
      profile, raw::text AS raw, avatar, uid, notes, created_at FROM app.customers ORDER BY id`;
    const orders = 'SELECT id, total, exact, placed_on, search FROM app.orders ORDER BY id';
    const [real, first, realOrders, firstOrders] = await Promise.all([
      pg().query<Row>(production, customers),
      pg().query<Row>(staging, customers),
      pg().query<Row>(production, orders),
      pg().query<Row>(staging, orders),
    ]);
    expect(first).toHaveLength(300);
    for (const [i, row] of first.entries()) {
      const before = real[i]!;
      expect(row.id).toBe(before.id);
      expect(row.email).not.toBe(before.email);
      expect(row.first_name).not.toBe(before.first_name);
      expect(row.full_name).toBe(`${String(row.first_name)} ${String(row.last_name)}`);
      expect(row.uid).not.toBe(before.uid);
      expect(row.avatar).toBeNull();
      expect((row.tags as unknown[]).length).toBe((before.tags as unknown[]).length);
      expect((row.tags as unknown[]).filter((t) => t === null)).toHaveLength(1);
      expect(row.notes === null).toBe(before.notes === null);
      expect(typeof (row.profile as { i: unknown }).i).toBe('number');
    }
    expect(new Set(first.map((r) => r.email)).size).toBe(300);
    expect(firstOrders.map((r) => r.search)).toEqual(realOrders.map((r) => r.search));
    expect(firstOrders.filter((r, i) => r.total !== realOrders[i]!.total).length).toBeGreaterThan(
      2000,
    );
    expect(
      await pg().query(staging, "SELECT count(*) AS n FROM app.events WHERE kind = 'event'"),
    ).toEqual([{ n: '400' }]);

    // The same key masks every value the same way again.
    expect((await runUnderstudy(['data', 'sync'], { cwd: dir, env })).code).toBe(0);
    expect(await pg().query<Row>(staging, customers)).toEqual(first);
    expect(await pg().query<Row>(staging, orders)).toEqual(firstOrders);

    // Another key, other values.
    const other = { ...env, UNDERSTUDY_MASK_KEY: 'another-key-9876543210abc' };
    expect((await runUnderstudy(['data', 'sync'], { cwd: dir, env: other })).code).toBe(0);
    const third = await pg().query<Row>(staging, customers);
    expect(third.filter((r, i) => r.email === first[i]!.email)).toEqual([]);
  }, 180_000);
});
