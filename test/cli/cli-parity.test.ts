import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AssessedDifference } from '../../src/parity/allowances.js';
import type { ParityReport } from '../../src/parity/parity-report.js';
import { freePort } from '../../src/postgres/local-server.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { createNorthwind, usePostgres } from '../harness/postgres.js';

const liveKey = 'sk_live_51HqLyjWDarjtT1zdp7dc9f3bOq2xKvTrL0eM';
const testKey = 'sk_test_4eC39HqLyjWDarjtT1zdp7dcXk8QwErTyU';

interface Project {
  readonly dir: string;
  readonly env: Record<string, string>;
}

/** A project whose production and staging are two Northwind databases and two dotenv files. */
async function project(
  urls: { production: string; staging: string },
  allowanceExpires: string,
): Promise<Project> {
  const dir = await tempProject();
  await writeFile(
    path.join(dir, 'production.env'),
    `LOG_LEVEL=info\nPOOL_SIZE=20\nCACHE_TTL=300\nSTRIPE_SECRET_KEY=${liveKey}\n`,
  );
  await writeFile(
    path.join(dir, 'staging.env'),
    `LOG_LEVEL=debug\nPOOL_SIZE=10\nSTRIPE_SECRET_KEY=${testKey}\n`,
  );
  await writeFile(
    path.join(dir, 'understudy.yaml'),
    `project: shop
environments:
  production:
    database: \${PROD_DATABASE_URL}
    config: [{ dotenv: production.env }]
    protected: true
  staging:
    database: \${STAGING_DATABASE_URL}
    config: [{ dotenv: staging.env }]
parity:
  allow:
    - { match: config.LOG_LEVEL, reason: verbose logs in staging, owner: ops, expires: ${allowanceExpires} }
`,
  );
  return { dir, env: { PROD_DATABASE_URL: urls.production, STAGING_DATABASE_URL: urls.staging } };
}

const brief = (d: AssessedDifference): string => `${d.path} ${d.kind} ${d.severity} ${d.verdict}`;

describe('understudy parity', () => {
  const pg = usePostgres();

  it('reports config drift exactly, keeps secrets out of every output, stores the report and audits it', async () => {
    const production = await createNorthwind(pg());
    const staging = await createNorthwind(pg());
    await pg().exec(
      staging,
      'ALTER TABLE products ALTER COLUMN unit_price TYPE integer; DROP INDEX IF EXISTS idx_orders_customer_id_placeholder',
    );
    const { dir, env } = await project({ production, staging }, '2099-01-01');

    const run = await runUnderstudy(
      ['parity', '--json', '--junit', 'parity.xml', '--write-doc', 'ENVIRONMENTS.md'],
      { cwd: dir, env },
    );
    expect(run.code).toBe(1);
    const { report, reportId } = run.json<{ report: ParityReport; reportId: number }>();
    expect(report.differences.filter((d) => d.probe === 'config').map(brief)).toEqual([
      'config:CACHE_TTL missing breaking drift',
      'config:LOG_LEVEL changed breaking allowed',
      'config:POOL_SIZE changed breaking drift',
      'config:STRIPE_SECRET_KEY changed notice drift',
    ]);
    const secret = report.differences.find((d) => d.path === 'config:STRIPE_SECRET_KEY');
    expect(secret).toMatchObject({ secret: true });
    expect(secret).not.toHaveProperty('envValue');
    expect(report.differences.filter((d) => d.probe === 'schema').map(brief)).toEqual([
      'schema:public.products.columns.unit_price.type changed breaking drift',
    ]);
    expect(report.probes.find((p) => p.probe === 'runtime')).toMatchObject({
      status: 'compared',
      drift: 0,
    });
    expect(report.probes.find((p) => p.probe === 'versions')).toMatchObject({ status: 'skipped' });

    const junit = await readFile(path.join(dir, 'parity.xml'), 'utf8');
    const doc = await readFile(path.join(dir, 'ENVIRONMENTS.md'), 'utf8');
    const markdown = await runUnderstudy(['parity', '--markdown'], { cwd: dir, env });
    const text = await runUnderstudy(['parity'], { cwd: dir, env });
    const exported = await runUnderstudy(['audit', 'export'], { cwd: dir, env });
    for (const output of [
      run.stdout,
      junit,
      doc,
      markdown.stdout,
      text.stdout,
      text.stderr,
      exported.stdout,
    ]) {
      expect(output).not.toContain(liveKey);
      expect(output).not.toContain(testKey);
    }
    expect(doc).toContain('| `config.LOG_LEVEL` | verbose logs in staging | ops | 2099-01-01 |');
    expect(markdown.stdout).toMatch(/^## ❌ Parity: staging vs production: 3 blocking differences/);
    expect(text.stdout).toContain(
      '✓ config:LOG_LEVEL  verbose logs in staging (ops, until 2099-01-01)',
    );

    const audit = await runUnderstudy(['audit', 'list', '--json', '--action', 'parity.run'], {
      cwd: dir,
      env,
    });
    const entries = audit.json<{
      entries: { subject: string; details: { reportId: number; status: string } }[];
    }>().entries;
    expect(entries[0]).toMatchObject({
      subject: 'staging~production',
      details: { reportId, status: 'drift' },
    });
    expect((await runUnderstudy(['audit', 'verify'], { cwd: dir, env })).code).toBe(0);
  }, 90_000);

  it('reports an allowed difference as drift again once its allowance has expired', async () => {
    const production = await createNorthwind(pg());
    // One database as both: only the configuration differs.
    const { dir, env } = await project({ production, staging: production }, '2020-01-01');
    const run = await runUnderstudy(['parity', '--json'], { cwd: dir, env });
    const { report } = run.json<{ report: ParityReport }>();
    expect(report.differences.find((d) => d.path === 'config:LOG_LEVEL')).toMatchObject({
      verdict: 'drift',
      allowanceExpired: true,
    });
    expect(report.allowances).toEqual([
      expect.objectContaining({ match: 'config.LOG_LEVEL', state: 'expired', matched: 1 }),
    ]);
    const text = await runUnderstudy(['parity'], { cwd: dir, env });
    expect(text.stdout).toContain('allowance "config.LOG_LEVEL" expired on 2020-01-01');
  }, 60_000);

  it('audits the run as the person UNDERSTUDY_TOKEN proves, and a wrong token stops it before it runs', async () => {
    const production = await createNorthwind(pg());
    const { dir, env } = await project({ production, staging: production }, '2099-01-01');
    const added = await runUnderstudy(['user', 'add', 'ana', '--json'], { cwd: dir, env });
    const token = added.json<{ token: string }>().token;
    const run = await runUnderstudy(['parity', '--json'], {
      cwd: dir,
      env: { ...env, UNDERSTUDY_TOKEN: token },
    });
    expect(run.code).toBe(1); // the dotenv files differ: drift, found and audited

    const wrong = await runUnderstudy(['parity', '--json'], {
      cwd: dir,
      env: { ...env, UNDERSTUDY_TOKEN: 'us_pat_not-a-token' },
    });
    expect(wrong.code).toBe(2);
    const audit = await runUnderstudy(['audit', 'list', '--json', '--action', 'parity.run'], {
      cwd: dir,
      env,
    });
    // One run, by ana: the refused one compared nothing and recorded nothing.
    expect(audit.json<{ entries: { actor: string }[] }>().entries.map((e) => e.actor)).toEqual([
      'ana',
    ]);
  }, 60_000);

  it('exits 4 naming the environment whose database cannot be reached, and still reports the rest', async () => {
    const staging = await createNorthwind(pg());
    const port = await freePort();
    const { dir, env } = await project(
      { production: `postgres://app:pw@127.0.0.1:${port}/shop`, staging },
      '2099-01-01',
    );
    const run = await runUnderstudy(['parity'], { cwd: dir, env });
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/schema {10}failed: .*production/);
    expect(run.stdout).toContain('config          4 compared, 3 drift, 1 allowed');
    expect(run.stdout).toContain('parity is incomplete: schema, runtime could not be compared');
    expect(run.stdout).not.toContain(':pw@');
  }, 60_000);

  it('rejects an unknown environment with a suggestion, exit 2', async () => {
    const { dir, env } = await project(
      { production: 'postgres://x/y', staging: 'postgres://x/z' },
      '2099-01-01',
    );
    const run = await runUnderstudy(['parity', '--env', 'stagin'], { cwd: dir, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error no environment named "stagin"');
    expect(run.stderr).toContain('hint: did you mean "staging"?');
  });
});
