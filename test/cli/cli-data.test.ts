import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { createNorthwind, usePostgres } from '../harness/postgres.js';

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

    // Northwind keeps real data in columns no scan calls personal (an employee's surname inside
    // photo_path): the sync copies, and verification names exactly that.
    const sync = await runUnderstudy(['data', 'sync', '--json', '--no-verify'], { cwd: dir, env });
    if (sync.code !== 0) console.error(sync.stdout, sync.stderr);
    expect(sync.code).toBe(0);
    expect(sync.json<{ ok: boolean }>().ok).toBe(true);
    const verify = await runUnderstudy(['data', 'verify', '--json'], { cwd: dir, env });
    expect(verify.code).toBe(1);
    const leaks = verify.json<{
      leaks: { sourceColumn: string; foundIn: { table: string; column: string } }[];
      orphans: unknown[];
    }>();
    expect(leaks.leaks).toContainEqual(
      expect.objectContaining({
        sourceColumn: 'public.employees.last_name',
        foundIn: { table: 'public.employees', column: 'photo_path' },
      }),
    );
    expect(leaks.orphans).toEqual([]);
    const realNames = await pg().query<{ last_name: string }>(
      production,
      'SELECT last_name FROM employees',
    );
    for (const { last_name } of realNames) expect(verify.stdout).not.toContain(last_name);

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

    expect((await runUnderstudy(['data', 'sync', '--no-verify'], { cwd: dir, env })).code).toBe(0);
    expect(await pg().query<Customer>(staging, query)).toEqual(first);

    const parity = await runUnderstudy(['audit', 'list', '--json', '--action', 'data.sync'], {
      cwd: dir,
      env,
    });
    expect(parity.json<{ entries: unknown[] }>().entries).toHaveLength(2);
  }, 180_000);
});
