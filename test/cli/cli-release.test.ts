import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Release } from '../../src/release/release-model.js';
import type { CheckResult } from '../../src/release/releases-repository.js';
import { openStore } from '../../src/store/open-store.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

const commit = '3f2b1c4e9a0d4e5f8a7b1c2d3e4f5a6b7c8d9e0f';

describe('understudy release and check report', () => {
  const pg = usePostgres();

  async function project(): Promise<{ dir: string; env: Record<string, string> }> {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      'project: shop\nenvironments:\n  staging: {}\n  production: { protected: true }\nrelease:\n  stages: [staging, production]\n',
    );
    return {
      dir,
      env: { UNDERSTUDY_STORE_URL: await pg().createDatabase(), UNDERSTUDY_ACTOR: 'ci' },
    };
  }

  it('creates immutable releases, records CI checks for them, and audits both', async () => {
    const { dir, env } = await project();
    const cli = (args: string[]) => runUnderstudy(args, { cwd: dir, env });

    const created = await cli([
      'release',
      'create',
      'v1.4.2',
      '--commit',
      commit,
      '--notes',
      'Faster checkout',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { release, created: isNew } = created.json<{ release: Release; created: boolean }>();
    expect(isNew).toBe(true);
    expect(release).toMatchObject({
      version: 'v1.4.2',
      commit,
      notes: 'Faster checkout',
      createdBy: 'ci',
    });
    expect(release.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // A CI job that runs twice changes nothing; other contents under the same version are refused.
    const again = await cli([
      'release',
      'create',
      'v1.4.2',
      '--commit',
      commit,
      '--notes',
      'Faster checkout',
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already exists with these contents; nothing changed');
    const changed = await cli([
      'release',
      'create',
      'v1.4.2',
      '--commit',
      commit.replace('3f', '40'),
    ]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('release v1.4.2 already exists with other contents');
    expect(changed.stderr).toContain(
      `commit: "${commit}" was recorded, "${commit.replace('3f', '40')}" was given`,
    );

    expect(
      (await cli(['check', 'report', 'e2e', '--version', 'v1.4.2', '--status', 'fail'])).code,
    ).toBe(0);
    const rerun = await cli([
      'check',
      'report',
      'e2e',
      '--version',
      'v1.4.2',
      '--status',
      'pass',
      '--url',
      'https://ci.example/runs/812',
      '--json',
    ]);
    expect(rerun.code).toBe(0);
    expect(rerun.json<{ check: CheckResult }>().check).toMatchObject({
      name: 'e2e',
      status: 'pass',
      reportedBy: 'ci',
    });
    await cli(['release', 'create', 'v1.5.0']);

    const shown = await cli(['release', 'show', 'v1.4.2', '--json']);
    expect(shown.code).toBe(0);
    const doc = shown.json<{
      release: Release;
      checks: CheckResult[];
      checkHistory: CheckResult[];
    }>();
    expect(doc.release.digest).toBe(release.digest);
    // The newest result of each check is what counts; the history keeps the earlier failure.
    expect(doc.checks.map((k) => `${k.name} ${k.status}`)).toEqual(['e2e pass']);
    expect(doc.checkHistory.map((k) => k.status)).toEqual(['pass', 'fail']);
    const text = await cli(['release', 'show', 'v1.4.2']);
    expect(text.stdout).toMatch(/✓ pass\s+e2e .* https:\/\/ci\.example\/runs\/812/);

    const listed = await cli(['release', 'list', '--json']);
    expect(
      listed.json<{ releases: { version: string; checks: unknown[] }[] }>().releases,
    ).toMatchObject([
      { version: 'v1.5.0', checks: [] },
      { version: 'v1.4.2', checks: [{ name: 'e2e', status: 'pass' }] },
    ]);

    const audit = await cli(['audit', 'list', '--json']);
    const actions = audit
      .json<{ entries: { actor: string; action: string; subject: string }[] }>()
      .entries.map((e) => `${e.actor} ${e.action} ${e.subject}`);
    expect(actions).toEqual([
      'ci release.create v1.4.2',
      'ci check.report v1.4.2 e2e',
      'ci check.report v1.4.2 e2e',
      'ci release.create v1.5.0',
    ]);
    expect((await cli(['audit', 'verify'])).code).toBe(0);

    // Not even the store's own SQL can change a release or a reported check.
    const store = await openStore({ url: env.UNDERSTUDY_STORE_URL!, dir });
    try {
      await expect(
        store.driver.query("UPDATE releases SET commit_sha = 'abc1234' WHERE version = 'v1.4.2'"),
      ).rejects.toThrow(/immutable/);
      await expect(store.driver.query('DELETE FROM release_checks')).rejects.toThrow(/immutable/);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses bad input with exit code 2 and changes nothing', async () => {
    const { dir, env } = await project();
    const cli = (args: string[]) => runUnderstudy(args, { cwd: dir, env });
    const cases: [string[], RegExp][] = [
      [['release', 'create', 'v 1'], /"v 1" is not a version name/],
      [['release', 'create', 'v1', '--commit', 'main'], /--commit must be a git commit hash/],
      [['release', 'create', 'v1', '--artifact', 'latest'], /--artifact must be a digest/],
      [
        ['release', 'create', 'v1', '--notes', 'a', '--notes-file', 'n.md'],
        /--notes or --notes-file, not both/,
      ],
      [['release', 'show', 'v1'], /there is no release v1/],
      [['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass'], /there is no release v1/],
      [
        ['check', 'report', 'e2e', '--version', 'v1', '--status', 'green'],
        /Allowed choices are pass, fail/,
      ],
      [['check', 'report', 'e2e', '--status', 'pass'], /--version <version>' not specified/],
      [['check', 'report', 'e 2 e', '--version', 'v1', '--status', 'pass'], /not a check name/],
      [
        ['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass', '--url', 'ftp://x'],
        /must be an http\(s\) URL/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    const listed = await cli(['release', 'list', '--json']);
    expect(listed.json<{ releases: unknown[] }>().releases).toEqual([]);
    const audit = await cli(['audit', 'list', '--json']);
    expect(audit.json<{ entries: unknown[] }>().entries).toEqual([]);
  }, 120_000);
});
