/**
 * The CLI through `--server`: the same commands give the same results (JSON documents, exit
 * codes, streamed deploy output) as when run next to the store, and what cannot work remotely
 * says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson, type Enrolment } from '../../src/access/people.js';
import type { RunningServer } from '../../src/server/serve.js';
import { runUnderstudy } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';
import { startTestServer } from './server-harness.js';

const config = `project: shop
environments:
  staging: { url: "http://127.0.0.1:9" }
  production: { url: "http://127.0.0.1:9", protected: true }
release:
  stages: [staging, production]
  staging:
    deploy: { run: 'echo "deploying $VERSION to $ENV"' }
  production:
    approvals: 1
    deploy: { run: 'echo "deploying $VERSION"' }
`;

describe('the CLI through --server', () => {
  const pg = usePostgres();
  let server: RunningServer;
  let dir: string;
  let ana: Enrolment;
  let storeUrl: string;

  beforeAll(async () => {
    storeUrl = await pg().createDatabase();
    ({ server, dir } = await startTestServer(config, { UNDERSTUDY_STORE_URL: storeUrl }));
    ana = await addPerson(server.store, { name: 'ana', grants: [] }, { fallbackActor: 'test' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const local = (args: string[]) =>
    runUnderstudy([...args, '--json'], {
      cwd: dir,
      env: {
        UNDERSTUDY_STORE_URL: storeUrl,
        UNDERSTUDY_TOKEN: ana.token,
        UNDERSTUDY_SERVER: undefined,
      },
    });
  // Elsewhere: no config, no store, only the server's address and a token.
  const remote = (args: string[], env: Record<string, string | undefined> = {}) =>
    runUnderstudy(['--server', server.url, ...args], {
      env: { UNDERSTUDY_TOKEN: ana.token, UNDERSTUDY_STORE_URL: undefined, ...env },
    });

  it('creates, lists, shows and promotes releases with the same answers as locally', async () => {
    const created = await remote(['release', 'create', 'v1', '--commit', 'abc1234', '--json']);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({
      ok: true,
      created: true,
      release: { version: 'v1', createdBy: 'ana' },
    });
    expect(
      (await remote(['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass'])).code,
    ).toBe(0);

    const promoted = await remote(['promote', 'v1', '--to', 'staging']);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain('✓ deployed');
    expect(promoted.stderr).toContain('deploying v1 to staging');

    for (const args of [
      ['release', 'list'],
      ['release', 'show', 'v1'],
      ['reservations'],
      ['audit', 'verify'],
      ['user', 'list'],
    ]) {
      const here = await local(args);
      const there = await remote([...args, '--json']);
      expect(there.code, args.join(' ')).toBe(here.code);
      expect(there.json(), args.join(' ')).toEqual(here.json());
    }

    // Production is protected: without a second factor the identity gate denies it, as locally.
    const denied = await remote(['promote', 'v1', '--to', 'production', '--json']);
    const deniedHere = await local(['promote', 'v1', '--to', 'production']);
    expect(denied.code).toBe(1);
    expect(deniedHere.code).toBe(1);
    const gates = (run: typeof denied) =>
      run
        .json<{ gates: { gate: string; status: string }[] }>()
        .gates.map((g) => [g.gate, g.status]);
    expect(gates(denied)).toEqual(gates(deniedHere));
    expect(gates(denied)).toContainEqual(['identity', 'fail']);
    const refused = await remote(['approve', 'v1', '--env', 'production']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('production is protected');
  });

  it('reserves and releases an environment through the server', async () => {
    const held = await remote([
      'reserve',
      'staging',
      '--for',
      '30m',
      '--reason',
      'load test',
      '--json',
    ]);
    expect(held.code).toBe(0);
    expect(held.json()).toMatchObject({
      reservation: { env: 'staging', holder: 'ana', status: 'held' },
    });
    const board = await remote(['reservations']);
    expect(board.stdout).toMatch(/staging\s+ana until/);
    expect((await remote(['release-reservation', 'staging'])).code).toBe(0);
  });

  it('says what works only locally, and what is missing or unreachable', async () => {
    const scan = await remote(['data', 'scan']);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('`data scan` works locally only, not through --server');
    const noToken = await remote(['release', 'list'], { UNDERSTUDY_TOKEN: undefined });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--server needs a token');
    const wrongToken = await remote(['release', 'list'], { UNDERSTUDY_TOKEN: 'us_pat_wrong' });
    expect(wrongToken.code).toBe(2);
    expect(wrongToken.stderr).toContain('not one this server knows');
    const away = await runUnderstudy(['release', 'list'], {
      env: { UNDERSTUDY_SERVER: 'http://127.0.0.1:9', UNDERSTUDY_TOKEN: ana.token },
    });
    expect(away.code).toBe(4);
    expect(away.stderr).toContain('did not answer');
  });
});
