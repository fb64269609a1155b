import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/audit/audit-log.js';
import { freePort } from '../../src/postgres/local-server.js';
import { openStore } from '../../src/store/open-store.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

const config = 'project: shop\nenvironments:\n  staging: {}\n';

async function project(): Promise<string> {
  const dir = await tempProject();
  await writeFile(path.join(dir, 'understudy.yaml'), config);
  return dir;
}

async function appendEntries(options: { url?: string; dir: string }, count: number): Promise<void> {
  const store = await openStore(options);
  try {
    for (let i = 1; i <= count; i++) {
      await appendAudit(store, {
        actor: `user${i}`,
        action: 'release.create',
        subject: `v${i}`,
        details: { n: i },
      });
    }
  } finally {
    await store.close();
  }
}

describe('understudy audit (embedded store)', () => {
  it('lists, verifies and exports the log kept under .understudy/', async () => {
    const dir = await project();
    const empty = await runUnderstudy(['audit', 'verify'], { cwd: dir });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('audit log intact: 0 entries');

    await appendEntries({ dir: path.join(dir, '.understudy') }, 5);
    const list = await runUnderstudy(['audit', 'list', '--json', '--limit', '3'], { cwd: dir });
    expect(list.code).toBe(0);
    const entries = list.json<{ entries: { seq: number; actor: string }[] }>().entries;
    expect(entries.map((e) => e.seq)).toEqual([3, 4, 5]);

    const text = await runUnderstudy(['audit', 'list', '--actor', 'user2'], { cwd: dir });
    expect(text.stdout).toMatch(
      /^\s+2 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}user2 {2}release\.create {2}v2\n$/,
    );

    const out = path.join(dir, 'audit.jsonl');
    const exported = await runUnderstudy(['audit', 'export', '--out', out], { cwd: dir });
    expect(exported.code).toBe(0);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(exported.stdout).toContain(`head: entry 5, hash ${lines[4]?.hash}`);

    const verify = await runUnderstudy(['audit', 'verify', '--json'], { cwd: dir });
    expect(verify.json()).toMatchObject({ ok: true, count: 5 });
  }, 60_000);
});

describe('understudy audit (PostgreSQL store)', () => {
  const pg = usePostgres();

  it('exits 1 naming the first bad entry after a row is altered by SQL', async () => {
    const dir = await project();
    const url = await pg().createDatabase();
    await appendEntries({ url, dir }, 5);
    const env = { UNDERSTUDY_STORE_URL: url };
    expect((await runUnderstudy(['audit', 'verify'], { cwd: dir, env })).code).toBe(0);

    await pg().exec(
      url,
      `ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET details = '{"n": 999}' WHERE seq = 3`,
    );
    const text = await runUnderstudy(['audit', 'verify'], { cwd: dir, env });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('audit log tampered at entry 3 (altered)');
    expect(text.stdout).toContain('2 entries before it are intact');
    const json = await runUnderstudy(['audit', 'verify', '--json'], { cwd: dir, env });
    expect(json.code).toBe(1);
    expect(json.json()).toMatchObject({
      ok: false,
      count: 2,
      firstBad: { seq: 3, reason: 'altered' },
    });
  });

  it('refuses a store written by a newer Understudy with exit 4 and changes nothing', async () => {
    const dir = await project();
    const url = await pg().createDatabase();
    await appendEntries({ url, dir }, 1);
    await pg().exec(
      url,
      `INSERT INTO understudy_migrations (version, name, applied_at) VALUES (9999, 'from the future', now())`,
    );
    const run = await runUnderstudy(['audit', 'list'], {
      cwd: dir,
      env: { UNDERSTUDY_STORE_URL: url },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^error the store at .* was created by a newer Understudy/);
    expect(run.stderr).toContain('hint: upgrade Understudy');
    const [row] = await pg().query<{ n: string }>(url, 'SELECT count(*) AS n FROM audit_log');
    expect(row?.n).toBe('1');
  });

  it('says which store it cannot reach, without the password, exit 4', async () => {
    const dir = await project();
    const port = await freePort();
    const run = await runUnderstudy(['audit', 'list'], {
      cwd: dir,
      env: { UNDERSTUDY_STORE_URL: `postgres://u:hunter2@127.0.0.1:${port}/state` },
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      `cannot reach the state store at postgres://u@127.0.0.1:${port}/state`,
    );
    expect(run.stderr).not.toContain('hunter2');
  });
});
