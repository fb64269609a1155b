/**
 * Bad input to `data sync`: each mistake is a clear error with the right exit code, before
 * anything is written — the target database stays exactly as it was.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/postgres/local-server.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

const pg = usePostgres();

const source = `
  CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, first_name text,
    display text GENERATED ALWAYS AS (upper(first_name)) STORED, joined date);
  CREATE TABLE audit_log (happened_at timestamptz, note text);
  INSERT INTO customers (id, email, first_name, joined)
    SELECT i, 'user' || i || '@example.org', 'Ann', DATE '2020-01-01' + i FROM generate_series(1, 50) i;`;

describe('understudy data sync refuses bad input before writing anything', () => {
  let production: string;
  let staging: string;
  const env = (extra: Record<string, string | undefined> = {}) => ({
    PROD_DATABASE_URL: production,
    STAGING_DATABASE_URL: staging,
    UNDERSTUDY_MASK_KEY: 'bad-input-key-0123456789',
    ...extra,
  });
  const stagingText = async (): Promise<string> =>
    JSON.stringify(await pg().query(staging, 'SELECT * FROM marker'));

  beforeAll(async () => {
    production = await pg().createDatabase();
    staging = await pg().createDatabase();
    await pg().exec(production, source);
    await pg().exec(staging, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('before')");
  });

  /** Writes a project whose data section is `data` and runs `data sync` in it. */
  async function syncWith(
    data: string,
    extraEnv: Record<string, string | undefined> = {},
    environments = `  production:
    database: \${PROD_DATABASE_URL}
    protected: true
  staging:
    database: \${STAGING_DATABASE_URL}`,
  ) {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: bad-input\nenvironments:\n${environments}\ndata:\n${data}`,
    );
    const run = await runUnderstudy(['data', 'sync'], { cwd: dir, env: env(extraEnv) });
    expect(await stagingText()).toBe('[{"v":"before"}]');
    return run;
  }

  const rules = `  key: \${UNDERSTUDY_MASK_KEY}
  tables:
    public.customers:
      columns:
        email: email
        first_name: first_name
    public.audit_log:
      columns:
        note: { keep: no rows yet }
`;

  it('names an unreachable source (exit 4)', async () => {
    const port = await freePort();
    const run = await syncWith(rules, {
      PROD_DATABASE_URL: `postgres://nobody@127.0.0.1:${port}/gone`,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/production database|source/);
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a source and target that are the same database', async () => {
    const run = await syncWith(rules, { STAGING_DATABASE_URL: production });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/same database/);
    expect(await pg().query(production, 'SELECT count(*) AS n FROM customers')).toEqual([
      { n: '50' },
    ]);
  });

  it('refuses a protected target (exit 2)', async () => {
    const run = await syncWith(
      rules,
      {},
      `  production:
    database: \${PROD_DATABASE_URL}
  staging:
    database: \${STAGING_DATABASE_URL}
    protected: true`,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"staging" is protected');
  });

  it('refuses a missing masking key (exit 2)', async () => {
    const run = await syncWith(rules.replace('  key: ${UNDERSTUDY_MASK_KEY}\n', ''));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no masking key');
  });

  it('names a rule for a column that does not exist (exit 2)', async () => {
    const run = await syncWith(rules.replace('first_name: first_name', 'frist_name: first_name'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('public.customers has no column "frist_name"');
  });

  it('names a masker that does not fit the column type (exit 2)', async () => {
    const run = await syncWith(rules.replace('first_name: first_name', 'joined: email'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('email cannot mask public.customers.joined (date)');
  });

  it('refuses a subset root without a primary key (exit 2)', async () => {
    const run = await syncWith(`${rules}  subset:\n    root: public.audit_log\n    percent: 10\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('subset root public.audit_log has no primary key');
  });
});
