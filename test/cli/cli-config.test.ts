import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { repoRoot } from '../harness/postgres.js';

const example = 'examples/shop/understudy.yaml';
const threeMistakes = 'test/fixtures/config/three-mistakes.yaml';

describe('understudy validate', () => {
  it('accepts the bundled example (exit 0) and describes it', async () => {
    const run = await runUnderstudy(['validate', '--config', example]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('examples/shop/understudy.yaml is valid');
    expect(run.stdout).toContain('environments: production (protected), staging');
    const json = await runUnderstudy(['validate', '--config', example, '--json']);
    expect(json.json()).toMatchObject({
      schemaVersion: 1,
      command: 'validate',
      ok: true,
      project: 'shop',
      sections: ['parity', 'data', 'traffic', 'release'],
    });
  });

  it('reports all three mistakes of a file with their lines and exits 2', async () => {
    const run = await runUnderstudy(['validate', '--config', threeMistakes]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error test/fixtures/config/three-mistakes.yaml has 3 problems');
    expect(run.stderr).toContain(
      'three-mistakes.yaml:4:10  environments.production.url: must be an http:// or https:// URL',
    );
    expect(run.stderr).toContain(
      'three-mistakes.yaml:8:5  environments.staging.protectd: unknown key "protectd" (did you mean "protected"?)',
    );
    expect(run.stderr).toContain(
      'three-mistakes.yaml:10:11  parity.failOn: must be one of breaking, notice',
    );
    expect(run.stderr).toContain('hint:');

    const json = await runUnderstudy(['validate', '--config', threeMistakes, '--json']);
    expect(json.code).toBe(2);
    const body = json.json<{
      ok: boolean;
      error: { code: string; problems: { location: string }[] };
    }>();
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('E_CONFIG');
    expect(body.error.problems.map((p) => p.location)).toEqual([
      'test/fixtures/config/three-mistakes.yaml:4:10',
      'test/fixtures/config/three-mistakes.yaml:8:5',
      'test/fixtures/config/three-mistakes.yaml:10:11',
    ]);
  });

  it('finds understudy.yaml in a parent folder', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      'project: p\nenvironments:\n  staging: {}\n',
    );
    await mkdir(path.join(dir, 'src', 'deep'), { recursive: true });
    const run = await runUnderstudy(['validate'], { cwd: path.join(dir, 'src', 'deep') });
    expect(run.code).toBe(0);
  });

  it('explains a missing, unreadable or unparsable file in one line, exit 2', async () => {
    const dir = await tempProject();
    const missing = await runUnderstudy(['validate'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^error no understudy\.yaml in .* or any folder above it\nhint: run `understudy init`/,
    );

    const directory = await runUnderstudy(['validate', '--config', dir]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain('it is a directory');

    await writeFile(path.join(dir, 'understudy.yaml'), 'project: [\n');
    const yaml = await runUnderstudy(['validate'], { cwd: dir });
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/understudy\.yaml:\d+:\d+ {2}invalid YAML/);
  });

  it('names an unset environment variable at the line that uses it', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      'project: p\nenvironments:\n  production:\n    database: ${PROD_DB}\n',
    );
    const run = await runUnderstudy(['validate'], { cwd: dir, env: { PROD_DB: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'understudy.yaml:4:15  environments.production.database: environment variable PROD_DB is not set',
    );
    const set = await runUnderstudy(['validate'], {
      cwd: dir,
      env: { PROD_DB: 'postgres://db/x' },
    });
    expect(set.code).toBe(0);
  });
});

describe('bad command lines', () => {
  it('an unknown flag is one line with a suggestion and exit 2', async () => {
    const run = await runUnderstudy(['validate', '--jsn']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error unknown option '--jsn'");
    expect(run.stderr).toContain('--json');
    expect(run.stderr).toContain('hint: see `understudy validate --help`');
  });

  it('an unknown command exits 2, in JSON too', async () => {
    const run = await runUnderstudy(['valdate', '--json']);
    expect(run.code).toBe(2);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
  });

  it('--help and --version exit 0', async () => {
    const help = await runUnderstudy(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 done');
    const version = await runUnderstudy(['--version']);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('honours NO_COLOR even when colour is forced', async () => {
    const coloured = await runUnderstudy(['validate', '--config', example], {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(coloured.stdout).toContain('\u001b[');
    const plain = await runUnderstudy(['validate', '--config', example], {
      env: { NO_COLOR: '1', FORCE_COLOR: '1' },
    });
    expect(plain.stdout).not.toContain('\u001b[');
  });
});

describe('understudy schema', () => {
  it('prints the committed understudy.schema.json', async () => {
    const run = await runUnderstudy(['schema']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(path.join(repoRoot, 'understudy.schema.json'), 'utf8'));
  });
});

describe('understudy init', () => {
  it('writes a starter from the .env files it finds, refuses to overwrite, and the result validates', async () => {
    const dir = await tempProject();
    await writeFile(
      path.join(dir, '.env.production'),
      'DATABASE_URL=postgres://real-secret@prod/db\nLOG_LEVEL=info\n',
    );
    await writeFile(path.join(dir, '.env.staging'), 'LOG_LEVEL=debug\n');
    await writeFile(path.join(dir, '.gitignore'), 'node_modules/\n');
    const run = await runUnderstudy(['init', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ ok: true, file: 'understudy.yaml', gitignoreUpdated: true });
    const text = await readFile(path.join(dir, 'understudy.yaml'), 'utf8');
    expect(text).toContain('config: [{ dotenv: .env.production }]');
    expect(text).not.toContain('real-secret');
    expect(await readFile(path.join(dir, '.gitignore'), 'utf8')).toBe(
      'node_modules/\n.understudy/\n',
    );

    const again = await runUnderstudy(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('understudy.yaml already exists');
    expect(await readFile(path.join(dir, 'understudy.yaml'), 'utf8')).toBe(text);

    const env = {
      PRODUCTION_DATABASE_URL: 'postgres://p/db',
      STAGING_DATABASE_URL: 'postgres://s/db',
    };
    expect((await runUnderstudy(['validate'], { cwd: dir, env })).code).toBe(0);
    expect((await runUnderstudy(['init', '--force'], { cwd: dir })).code).toBe(0);
  });
});
