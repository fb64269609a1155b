import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/postgres/connection.js';
import { runUnderstudy, tempProject, type CliRun } from '../harness/cli.js';
import { createNorthwind, usePostgres, type TestServer } from '../harness/postgres.js';

interface CloneJson {
  name: string;
  database: string;
  url: string;
  expiresInSeconds: number;
  templateRun: string;
  createdBy: string;
  sizeBytes: number;
}

const key = 'test-key-0123456789abcdef';

/** A project copying a Northwind "production" into an empty "staging", with the scan's rules. */
async function northwindProject(
  server: TestServer,
  extra: Record<string, string> = {},
): Promise<{
  dir: string;
  env: Record<string, string>;
  production: string;
  staging: string;
  stagingDb: string;
}> {
  const production = await createNorthwind(server);
  const staging = await server.createDatabase();
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
data:
  key: \${UNDERSTUDY_MASK_KEY}
  tables: {}
`,
  );
  const env = {
    PROD_DATABASE_URL: production,
    STAGING_DATABASE_URL: staging,
    UNDERSTUDY_MASK_KEY: key,
    ...extra,
  };
  const write = await runUnderstudy(['data', 'scan', '--write'], { cwd: dir, env });
  expect(write.code).toBe(0);
  return { dir, env, production, staging, stagingDb: new URL(staging).pathname.slice(1) };
}

function ok(run: CliRun): CliRun {
  if (run.code !== 0) console.error(run.stdout, run.stderr);
  expect(run.code).toBe(0);
  return run;
}

async function databasesLike(server: TestServer, prefix: string): Promise<string[]> {
  const rows = await server.query<{ datname: string }>(
    server.url,
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
    [prefix],
  );
  return rows.map((r) => r.datname);
}

describe('understudy data clone', () => {
  const pg = usePostgres();

  it('clones the masked data in seconds without touching staging; lists, expires and drops clones', async () => {
    const { dir, env, production, staging, stagingDb } = await northwindProject(pg());
    const password = new URL(staging).password;
    const cli = (...args: string[]): Promise<CliRun> => runUnderstudy(args, { cwd: dir, env });

    const early = await cli('data', 'clone', 'feature/login-fix');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('no masked copy to clone');
    expect(early.stderr).toContain('run `understudy data sync` first');

    const sync = ok(await cli('data', 'sync', '--no-verify', '--json'));
    const runId = sync.json<{ report: { runId: string } }>().report.runId;

    // Staging changes after the sync stay in staging; a clone gets the data of the sync.
    await pg().exec(
      staging,
      "UPDATE customers SET contact_name = 'changed in staging' WHERE customer_id = 'ALFKI'",
    );
    const stagingRows = await pg().query(staging, 'SELECT * FROM customers ORDER BY customer_id');
    const held = await connect(staging);
    await held.query('BEGIN');
    await held.query('SELECT count(*) FROM customers');
    let stagingQueries = 0;
    let cloning = true;
    const reader = (async () => {
      while (cloning) {
        await pg().query(staging, 'SELECT count(*) FROM orders');
        stagingQueries++;
      }
    })();
    const made = await cli(
      'data',
      'clone',
      'feature/login-fix',
      '--ttl',
      '8h',
      '--json',
      '--show-password',
    );
    cloning = false;
    await reader;
    ok(made);
    const document = made.json<{ clone: CloneJson; replaced: boolean; seconds: number }>();
    const clone = document.clone;
    expect(clone).toMatchObject({
      name: 'feature/login-fix',
      database: `${stagingDb}__us_clone_feature_login_fix`,
      templateRun: runId,
    });
    expect(clone.url).toBe(staging.replace(stagingDb, clone.database));
    expect(clone.expiresInSeconds).toBeGreaterThan(8 * 3600 - 60);
    expect(clone.expiresInSeconds).toBeLessThanOrEqual(8 * 3600);
    expect(document.seconds).toBeLessThan(30);
    expect(stagingQueries).toBeGreaterThan(0);

    // Staging: the open session survived, the data is as it was.
    expect((await held.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await held.query('COMMIT');
    await held.end();
    expect(await pg().query(staging, 'SELECT * FROM customers ORDER BY customer_id')).toEqual(
      stagingRows,
    );

    // The clone: the masked data of the sync, not production's and not staging's later change.
    const query = 'SELECT customer_id, contact_name FROM customers ORDER BY customer_id';
    type Customer = { customer_id: string; contact_name: string };
    const real = await pg().query<Customer>(production, query);
    const cloned = await pg().query<Customer>(clone.url, query);
    expect(cloned).toHaveLength(91);
    expect(cloned.filter((r, i) => r.contact_name === real[i]?.contact_name)).toEqual([]);
    expect(cloned.map((r) => r.contact_name)).not.toContain('changed in staging');
    const synced = stagingRows.filter((r) => r.customer_id !== 'ALFKI');
    expect(
      await pg().query(
        clone.url,
        "SELECT * FROM customers WHERE customer_id <> 'ALFKI' ORDER BY customer_id",
      ),
    ).toEqual(synced);

    // Text output names the URL without the password unless asked.
    const text = ok(await cli('data', 'clone', 'pr-7'));
    expect(text.stdout).toContain(`postgres://postgres@127.0.0.1:`);
    expect(text.stdout).toContain(`${stagingDb}__us_clone_pr_7`);
    expect(text.stdout).not.toContain(password);
    expect(text.stdout).toContain('--show-password');

    const list = ok(await cli('data', 'clones', '--json'));
    expect(list.stdout).not.toContain(password);
    const listed = list.json<{ clones: CloneJson[] }>().clones;
    expect(listed.map((c) => c.name)).toEqual(['feature/login-fix', 'pr-7']);
    expect(listed[0]?.sizeBytes).toBeGreaterThan(1_000_000);
    expect(listed[0]?.templateRun).toBe(runId);
    expect(listed[1]?.expiresInSeconds).toBeGreaterThan(23 * 3600); // data.clones.ttl: 24h
    const table = ok(await cli('data', 'clones'));
    expect(table.stdout).toMatch(/NAME\s+DATABASE\s+AGE\s+EXPIRES IN\s+SIZE\s+SYNC/);
    expect(table.stdout).toMatch(
      /feature\/login-fix\s+\S+__us_clone_feature_login_fix\s+\d+m?s\s+7h 59m\s+\d+(\.\d)? MB\s+[0-9a-f]{8}/,
    );

    // An existing clone is refused unless replaced.
    const again = await cli('data', 'clone', 'feature/login-fix');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a clone named "feature/login-fix" exists');
    expect(again.stderr).toContain('--replace');
    const replaced = ok(await cli('data', 'clone', 'feature/login-fix', '--replace', '--json'));
    expect(replaced.json<{ replaced: boolean }>().replaced).toBe(true);

    // Expired clones go with the next `data clones` …
    ok(await cli('data', 'clone', 'short-lived', '--ttl', '1s'));
    await sleep(1_200);
    const swept = ok(await cli('data', 'clones', '--json'));
    expect(swept.json<{ removed: { name: string }[] }>().removed).toEqual([
      { name: 'short-lived', database: `${stagingDb}__us_clone_short_lived` },
    ]);
    expect(swept.json<{ clones: CloneJson[] }>().clones.map((c) => c.name)).toEqual([
      'pr-7',
      'feature/login-fix',
    ]);

    // … and with the next sync, which leaves the others (and their data) alone.
    ok(await cli('data', 'clone', 'pr-12', '--ttl', '1s'));
    await sleep(1_200);
    const second = ok(await cli('data', 'sync', '--no-verify'));
    expect(second.stderr).toContain(
      `dropped the expired clone pr-12 (${stagingDb}__us_clone_pr_12)`,
    );
    const left = await databasesLike(pg(), `${stagingDb}__us_`);
    expect(left.slice(0, 2)).toEqual([
      `${stagingDb}__us_clone_feature_login_fix`,
      `${stagingDb}__us_clone_pr_7`,
    ]);
    expect(left.slice(2)).toHaveLength(1);
    const secondRun = left[2]?.slice(`${stagingDb}__us_template_`.length);
    expect(secondRun).toMatch(/^[0-9a-f]{8}$/);
    expect(secondRun).not.toBe(runId);
    expect(await pg().query<Customer>(clone.url, query)).toEqual(cloned);
    const fresh = ok(await cli('data', 'clone', 'after-sync', '--json'));
    expect(fresh.json<{ clone: CloneJson }>().clone.templateRun).toBe(secondRun);

    // Dropping: a typo gets a suggestion; the name, or the database name, drops it.
    const typo = await cli('data', 'drop', 'feature/login-fx', '--json');
    expect(typo.code).toBe(2);
    expect(typo.json<{ error: { code: string; hint: string } }>().error).toMatchObject({
      code: 'E_NOT_FOUND',
      hint: 'did you mean "feature/login-fix"?',
    });
    ok(await cli('data', 'drop', 'feature/login-fix'));
    ok(await cli('data', 'drop', `${stagingDb}__us_clone_pr_7`));
    const dropped = ok(await cli('data', 'drop', 'after-sync', '--json'));
    expect(dropped.json<{ dropped: { name: string } }>().dropped.name).toBe('after-sync');
    expect(await databasesLike(pg(), `${stagingDb}__us_clone_`)).toEqual([]);
    const none = ok(await cli('data', 'clones'));
    expect(none.stdout).toContain('no clones of staging');

    const audit = ok(await cli('audit', 'list', '--json', '--action', 'data.drop'));
    const drops = audit.json<{ entries: { details: { name: string; reason: string } }[] }>();
    expect(drops.entries.map((e) => [e.details.name, e.details.reason])).toEqual([
      ['short-lived', 'expired'],
      ['pr-12', 'expired'],
      ['feature/login-fix', 'dropped'],
      ['pr-7', 'dropped'],
      ['after-sync', 'dropped'],
    ]);
    const clones = ok(await cli('audit', 'list', '--json', '--action', 'data.clone'));
    expect(clones.json<{ entries: unknown[] }>().entries).toHaveLength(6);
  }, 240_000);

  it('clones while a sync runs: every clone succeeds, from the old data or the new', async () => {
    const store = await pg().createDatabase();
    const { dir, env, stagingDb } = await northwindProject(pg(), { UNDERSTUDY_STORE_URL: store });
    const cli = (...args: string[]): Promise<CliRun> => runUnderstudy(args, { cwd: dir, env });
    const first = ok(await cli('data', 'sync', '--no-verify', '--json'));
    const firstRun = first.json<{ report: { runId: string } }>().report.runId;

    // Three streams of clones while the second sync runs, one more after it.
    let syncing = true;
    const sync = cli('data', 'sync', '--no-verify', '--json').finally(() => (syncing = false));
    const clones: CliRun[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map(async (stream) => {
        for (let i = 0; syncing; i++)
          clones.push(
            await cli('data', 'clone', `during-${stream}${i}`, '--json', '--show-password'),
          );
      }),
    );
    const secondRun = ok(await sync).json<{ report: { runId: string } }>().report.runId;
    clones.push(await cli('data', 'clone', 'after', '--json', '--show-password'));
    const runs: string[] = [];
    for (const run of clones) {
      const clone = ok(run).json<{ clone: CloneJson }>().clone;
      runs.push(clone.templateRun);
      expect(await pg().query(clone.url, 'SELECT count(*)::int AS n FROM customers')).toEqual([
        { n: 91 },
      ]);
    }
    expect(runs[0]).toBe(firstRun);
    expect(runs.at(-1)).toBe(secondRun);
    expect(runs.filter((r) => r !== firstRun && r !== secondRun)).toEqual([]);
    expect(await databasesLike(pg(), `${stagingDb}__us_template_`)).toEqual([
      `${stagingDb}__us_template_${secondRun}`,
    ]);
  }, 240_000);

  it('a template a sync drops while the clone waits for it: the clone takes the newer one', async () => {
    // The moment of a sync's swap, held still: the clone has chosen template A and waits for
    // PostgreSQL's lock on it, while a transaction points staging at run B and takes A away.
    const staging = await pg().createDatabase();
    const stagingDb = new URL(staging).pathname.slice(1);
    const templates = {
      a: `${stagingDb}__us_template_aaaaaaaa`,
      b: `${stagingDb}__us_template_bbbbbbbb`,
    };
    for (const [run, name] of Object.entries(templates)) {
      const url = await pg().createDatabase(name);
      await pg().exec(url, `CREATE TABLE which AS SELECT '${run}'::text AS run`);
      await pg().exec(
        pg().url,
        `COMMENT ON DATABASE "${name}" IS 'understudy template ${run.repeat(8)} of ${stagingDb}'`,
      );
    }
    await pg().exec(
      pg().url,
      `COMMENT ON DATABASE "${stagingDb}" IS 'understudy sync aaaaaaaa, swapped in at 2026-01-01T00:00:00.000Z'`,
    );
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: held
environments:
  production:
    database: \${PROD_DATABASE_URL}
  staging:
    database: \${STAGING_DATABASE_URL}
data:
  key: \${UNDERSTUDY_MASK_KEY}
`,
    );
    const env = {
      PROD_DATABASE_URL: pg().urlFor('postgres'),
      STAGING_DATABASE_URL: staging,
      UNDERSTUDY_MASK_KEY: key,
    };

    // Opens (creates) the embedded store first, which takes a while on a busy machine.
    ok(await runUnderstudy(['data', 'clones'], { cwd: dir, env }));

    const swap = await connect(pg().url);
    try {
      await swap.query('BEGIN');
      await swap.query(`ALTER DATABASE "${templates.a}" RENAME TO "${stagingDb}_gone"`);
      await swap.query(
        `COMMENT ON DATABASE "${stagingDb}" IS 'understudy sync bbbbbbbb, swapped in at 2026-01-02T00:00:00.000Z'`,
      );
      const clone = runUnderstudy(['data', 'clone', 'held', '--json', '--show-password'], {
        cwd: dir,
        env,
      });
      for (let waited = 0; ; waited += 100) {
        // Asked from another session: a transaction sees one snapshot of pg_stat_activity.
        const waiting = await pg().query(
          pg().url,
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'understudy clone'
           AND wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%'`,
        );
        if (waiting.length > 0) break;
        expect(waited).toBeLessThan(30_000);
        await sleep(100);
      }
      await swap.query('COMMIT');
      const made = ok(await clone).json<{ clone: CloneJson }>().clone;
      expect(made.templateRun).toBe('bbbbbbbb');
      expect(await pg().query(made.url, 'SELECT run FROM which')).toEqual([{ run: 'b' }]);
    } finally {
      await swap.end();
    }

    // Someone connected to the template: PostgreSQL refuses the copy, and the error says who.
    const visitor = await connect(pg().urlFor(templates.b), { applicationName: 'psql' });
    try {
      const busy = await runUnderstudy(['data', 'clone', 'busy'], { cwd: dir, env });
      expect(busy.code).toBe(4);
      expect(busy.stderr).toContain(`${templates.b} has sessions: postgres (psql)`);
    } finally {
      await visitor.end();
    }
  }, 120_000);

  it('gives clear errors with the right exit codes', async () => {
    const { dir, env, staging } = await northwindProject(pg());
    const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> =>
      runUnderstudy(args, { cwd: dir, env: { ...env, ...extra } });

    const badName = await cli(['data', 'clone', 'no spaces please', '--json']);
    expect(badName.code).toBe(2);
    expect(badName.json<{ error: { code: string } }>().error.code).toBe('E_USAGE');
    const badTtl = await cli(['data', 'clone', 'x', '--ttl', 'soon']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('must be a duration');

    const unknown = await cli(['data', 'drop', 'nothing-here', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.json<{ error: { code: string; hint: string } }>().error).toEqual({
      code: 'E_NOT_FOUND',
      message: 'no clone named "nothing-here"',
      hint: 'there are no clones of ' + new URL(staging).pathname.slice(1),
    });

    const down = await cli(['data', 'clones', '--json'], {
      STAGING_DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/staging',
    });
    expect(down.code).toBe(4);
    expect(down.json<{ error: { code: string } }>().error.code).toBe('E_UNREACHABLE');
    expect(down.stdout).not.toContain('secret');

    // The environment clones are made of can never be a protected one.
    await writeFile(
      path.join(dir, 'protected.yaml'),
      `project: northwind
environments:
  production:
    database: \${PROD_DATABASE_URL}
  staging:
    database: \${STAGING_DATABASE_URL}
    protected: true
data:
  key: \${UNDERSTUDY_MASK_KEY}
`,
    );
    const guarded = await cli(['--config', 'protected.yaml', 'data', 'clone', 'x']);
    expect(guarded.code).toBe(2);
    expect(guarded.stderr).toContain('"staging" is protected');

    // A sync whose copy failed verification: its template is not handed out.
    const config = await readFile(path.join(dir, 'understudy.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      config.replace('home_phone: phone', 'home_phone: { masker: regex, pattern: "(.*)" }'),
    );
    const tables = () =>
      pg().query(staging, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    const before = await tables();
    const leaky = await cli(['data', 'sync']);
    expect(leaky.code).toBe(1);
    expect(leaky.stdout).toContain('real values of public.employees.home_phone');
    // Verified before the swap: the leaking copy was dropped, and staging is as it was.
    expect(leaky.stdout).toContain('staging is as it was');
    expect(await tables()).toEqual(before);
    const refused = await cli(['data', 'clone', 'from-a-leak']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed verification');
  }, 120_000);
});
