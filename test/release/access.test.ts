/**
 * People, CI tokens and the second factor, end to end: the first person is admin, later ones
 * need an admin with a current TOTP code, a code works once, CI acts with a scoped token, and a
 * protected environment only takes a change from someone allowed to make it.
 */
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Enrolment } from '../../src/access/people.js';
import type { PromotionResult } from '../../src/release/promotion-run.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';
import { totpCode } from '../harness/totp.js';
import { startOkService } from './local-service.js';

describe('people, tokens and the second factor', () => {
  const pg = usePostgres();
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('admits only those allowed, with a second factor where it is needed, and audits how each acted', async () => {
    const dir = await tempProject();
    const service = await startOkService();
    server = service.server;
    const url = service.url;
    const deploy = 'printf "%s" "$VERSION" > deployed-$ENV';
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: shop
environments:
  staging: { url: "${url}" }
  production: { url: "${url}", protected: true }
release:
  stages: [staging, production]
  staging: { deploy: { run: '${deploy}' } }
  production: { deploy: { run: '${deploy}' } }
`,
    );
    const store = { UNDERSTUDY_STORE_URL: await pg().createDatabase() };
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runUnderstudy(args, { cwd: dir, env: { ...store, ...env } });

    // The first person becomes admin everywhere, and gets a token and a TOTP enrolment.
    const first = await cli(['user', 'add', 'ana', '--json']);
    expect(first.code).toBe(0);
    const ana = first.json<Enrolment>();
    expect(ana).toMatchObject({ bootstrap: true, person: { roles: { '*': ['admin'] } } });
    expect(ana.token).toMatch(/^us_pat_/);
    expect(ana.otpauthUri).toMatch(/^otpauth:\/\/totp\/Understudy:ana\?secret=/);
    const text = await cli(['user', 'list']);
    expect(text.stdout).toMatch(/ana\s+\*:admin/);
    const asAna = { UNDERSTUDY_TOKEN: ana.token };

    // Later people need an admin, with a second factor, and a code works once.
    const nobody = await cli(['user', 'add', 'bob', '--role', 'production:approver']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('adding a person needs an admin');
    const noCode = await cli(['user', 'add', 'bob', '--role', 'production:approver'], asAna);
    expect(noCode.code).toBe(1);
    expect(noCode.stderr).toContain('needs a second factor');
    const valid = new Set([-1, 0, 1].map((o) => totpCode(ana.totpSecret, o)));
    const wrong = ['000000', '123456', '999999'].find((c) => !valid.has(c))!;
    const refused = await cli(
      ['user', 'add', 'bob', '--role', 'production:approver', '--totp', wrong],
      asAna,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the TOTP code for ana is wrong, expired or already used');
    const now = totpCode(ana.totpSecret);
    const bob = await cli(
      ['user', 'add', 'bob', '--role', 'production:approver', '--totp', now, '--json'],
      asAna,
    );
    expect(bob.code).toBe(0);
    const replayed = await cli(
      ['token', 'create', 'ci', '--scope', 'staging:deployer', '--totp', now],
      asAna,
    );
    expect(replayed.code).toBe(2);
    expect(replayed.stderr).toMatch(/already used/);

    const ci = await cli(
      [
        'token',
        'create',
        'deployer',
        '--scope',
        'staging:deployer',
        '--scope',
        'production:deployer',
        '--totp',
        totpCode(ana.totpSecret, 1),
        '--json',
      ],
      asAna,
    );
    expect(ci.code).toBe(0);
    const asCi = { UNDERSTUDY_TOKEN: ci.json<{ token: string }>().token };
    const who = await cli(['whoami', '--json'], asCi);
    expect(who.json<{ identity: { name: string; auth: string } }>().identity).toMatchObject({
      name: 'ci:deployer',
      auth: 'ci-token',
    });

    // CI deploys with its scoped token, into the protected environment too.
    await cli(['release', 'create', 'v1'], asCi);
    expect((await cli(['promote', 'v1', '--to', 'staging'], asCi)).code).toBe(0);
    // An approver may not deploy, and without any identity production refuses.
    const asBob = { UNDERSTUDY_TOKEN: bob.json<Enrolment>().token };
    const notHis = await cli(['promote', 'v1', '--to', 'production', '--json'], asBob);
    expect(notHis.code).toBe(1);
    expect(notHis.json<PromotionResult>().gates.find((g) => g.gate === 'identity')?.reason).toBe(
      'bob holds production:approver; deploying to production needs production:deployer or admin',
    );
    expect((await cli(['promote', 'v1', '--to', 'production'])).code).toBe(1);
    const shipped = await cli(['promote', 'v1', '--to', 'production', '--json'], asCi);
    expect(shipped.code).toBe(0);
    expect(shipped.json<PromotionResult>().gates[0]).toEqual({
      gate: 'identity',
      status: 'pass',
      reason: 'ci:deployer (ci-token)',
    });

    const bad = await cli(['whoami'], { UNDERSTUDY_TOKEN: 'us_pat_nobody' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('UNDERSTUDY_TOKEN is not a token this store knows');

    const audit = await cli(['audit', 'list', '--json', '--limit', '100']);
    const entries = audit.json<{
      entries: {
        actor: string;
        action: string;
        subject: string;
        details: Record<string, unknown>;
      }[];
    }>().entries;
    expect(entries.filter((e) => e.action === 'auth.failed').map((e) => e.subject)).toEqual([
      'ana',
      'ana',
      'unknown-token',
    ]);
    expect(
      entries.find((e) => e.action === 'person.add' && e.subject === 'bob')?.details,
    ).toMatchObject({
      auth: 'personal-token',
      secondFactor: true,
    });
    expect(
      entries.find((e) => e.action === 'deploy.started' && e.subject === 'v1 production'),
    ).toMatchObject({ actor: 'ci:deployer', details: { auth: 'ci-token', secondFactor: false } });
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  }, 180_000);
});
