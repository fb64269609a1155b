/**
 * Approvals end to end: two distinct approvers with the role and a second factor, never the
 * creator or the requester, never a CI token; bound to the evidence (a new CI result lapses
 * them) and to time; a rejection denies.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { generateSync } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Enrolment } from '../../src/access/people.js';
import type { PromotionResult } from '../../src/release/promotion-run.js';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';
import { startOkService } from './local-service.js';

const STEP_MS = 30_000;

/**
 * A code each person may use next: codes are accepted once and in order, within one step of
 * now, so a fresh one sometimes means waiting for the next step to begin.
 */
function codes(secret: string): () => Promise<string> {
  let last = -Infinity;
  return async () => {
    const current = Math.floor(Date.now() / STEP_MS);
    const step = Math.max(current, last + 1);
    if (step > current + 1)
      await new Promise((r) => setTimeout(r, (step - 1) * STEP_MS - Date.now() + 50));
    last = step;
    return generateSync({ secret, epoch: step * 30 });
  };
}

describe('approvals', () => {
  const pg = usePostgres();
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('needs two approvers who neither made nor asked for the release, bound to its evidence', async () => {
    const dir = await tempProject();
    const service = await startOkService();
    server = service.server;
    const url = service.url;
    const config = path.join(dir, 'understudy.yaml');
    await writeFile(
      config,
      `project: shop
environments:
  staging: { url: "${url}" }
  production: { url: "${url}", protected: true }
release:
  stages: [staging, production]
  staging: { deploy: { run: 'printf "%s" "$VERSION" > deployed-$ENV' } }
  production:
    requires: ["check:e2e"]
    approvals: 2
    deploy: { run: 'printf "%s" "$VERSION" > deployed-$ENV' }
    verify: { http: /healthz, for: 1s }
`,
    );
    const store = { UNDERSTUDY_STORE_URL: await pg().createDatabase() };
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runUnderstudy(args, { cwd: dir, env: { ...store, ...env } });

    const ana = (await cli(['user', 'add', 'ana', '--json'])).json<Enrolment>();
    const anaCode = codes(ana.totpSecret);
    const asAna = { UNDERSTUDY_TOKEN: ana.token };
    const add = async (name: string): Promise<{ token: string; code: () => Promise<string> }> => {
      const run = await cli(
        ['user', 'add', name, '--role', 'production:approver', '--totp', await anaCode(), '--json'],
        asAna,
      );
      expect(run.code).toBe(0);
      const e = run.json<Enrolment>();
      return { token: e.token, code: codes(e.totpSecret) };
    };
    const bob = await add('bob');
    const carol = await add('carol');
    const ci = await cli(
      ['token', 'create', 'ci', '--scope', '*:deployer', '--totp', await anaCode(), '--json'],
      asAna,
    );
    const asCi = { UNDERSTUDY_TOKEN: ci.json<{ token: string }>().token };
    const as = (p: { token: string }) => ({ UNDERSTUDY_TOKEN: p.token });

    await cli(['release', 'create', 'v1'], asCi);
    await cli(['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass'], asCi);
    expect((await cli(['promote', 'v1', '--to', 'staging'], asCi)).code).toBe(0);
    const gateOf = async (env: Record<string, string>) => {
      const run = await cli(['promote', 'v1', '--to', 'production', '--json'], env);
      return {
        code: run.code,
        gate: run.json<PromotionResult>().gates.find((g) => g.gate === 'approvals'),
      };
    };
    expect(await gateOf(asCi)).toMatchObject({
      code: 3,
      gate: { status: 'pending', reason: '0 of 2 approvals; waiting for production:approver' },
    });

    // Refused: no second factor, a CI token, the requester.
    const noCode = await cli(['approve', 'v1', '--env', 'production'], as(bob));
    expect(noCode.code).toBe(1);
    expect(noCode.stderr).toContain(
      'production is protected: approving needs a second factor; give a current code with --totp',
    );
    const byCi = await cli(['approve', 'v1', '--env', 'production'], asCi);
    expect(byCi.stderr).toContain('ci:ci is a CI token: approvals are given by people');
    await cli(['promote', 'v1', '--to', 'production'], as(carol)); // carol asks: now she may not approve
    const requester = await cli(
      ['approve', 'v1', '--env', 'production', '--totp', await carol.code()],
      as(carol),
    );
    expect(requester.code).toBe(1);
    expect(requester.stderr).toContain(
      'carol asked to promote v1 to production and cannot approve it',
    );

    // Bob approves; a new CI result changes the evidence and his approval lapses.
    expect(
      (
        await cli(
          [
            'approve',
            'v1',
            '--env',
            'production',
            '--totp',
            await bob.code(),
            '--comment',
            'looks good',
          ],
          as(bob),
        )
      ).code,
    ).toBe(0);
    expect((await gateOf(asCi)).gate?.reason).toBe(
      '1 of 2 approvals (bob); waiting for production:approver',
    );
    await cli(['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass'], asCi);
    expect((await gateOf(asCi)).gate?.reason).toBe(
      "0 of 2 approvals; waiting for production:approver; not counted: bob's approval (the evidence changed since)",
    );
    expect(
      (await cli(['approve', 'v1', '--env', 'production', '--totp', await bob.code()], as(bob)))
        .code,
    ).toBe(0);
    expect(
      (await cli(['approve', 'v1', '--env', 'production', '--totp', await anaCode()], asAna)).code,
    ).toBe(0);

    // Approvals expire after approvalTtl.
    const text = await readFile(config, 'utf8');
    await writeFile(
      config,
      text.replace('    approvals: 2\n', '    approvals: 2\n    approvalTtl: 1s\n'),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await gateOf(asCi)).gate?.reason).toMatch(/not counted: .*approval \(it expired\)/);
    await writeFile(config, text);

    const shipped = await cli(['promote', 'v1', '--to', 'production', '--json'], asCi);
    expect(shipped.code).toBe(0);
    expect(shipped.json<PromotionResult>().gates.find((g) => g.gate === 'approvals')).toMatchObject(
      {
        status: 'pass',
        reason: 'approved by ana, bob',
      },
    );

    // The creator cannot approve; a rejection denies.
    await cli(['release', 'create', 'v2'], as(bob));
    const own = await cli(
      ['approve', 'v2', '--env', 'production', '--totp', await bob.code()],
      as(bob),
    );
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('bob created v2 and cannot approve it');
    expect(
      (
        await cli(
          [
            'reject',
            'v2',
            '--env',
            'production',
            '--totp',
            await carol.code(),
            '--comment',
            'breaks checkout',
          ],
          as(carol),
        )
      ).code,
    ).toBe(0);
    const rejected = await cli(['promote', 'v2', '--to', 'production', '--json'], asCi);
    expect(rejected.code).toBe(1);
    expect(
      rejected.json<PromotionResult>().gates.find((g) => g.gate === 'approvals'),
    ).toMatchObject({
      status: 'fail',
      reason: 'rejected by carol: breaks checkout',
    });

    // Break-glass: production freezes; an admin may deploy through it with a second person.
    const frozen = await readFile(config, 'utf8');
    await writeFile(
      config,
      frozen.replace(
        '    approvals: 2\n',
        `    approvals: 2\n    freeze: [{ from: "${new Date(Date.now() - 60_000).toISOString()}", until: "${new Date(Date.now() + 3_600_000).toISOString()}", reason: launch }]\n`,
      ),
    );
    await cli(['release', 'create', 'v3'], asCi);
    await cli(['check', 'report', 'e2e', '--version', 'v3', '--status', 'pass'], asCi);
    expect((await cli(['promote', 'v3', '--to', 'staging'], asCi)).code).toBe(0);
    for (const [person, next] of [
      [bob, bob.code],
      [carol, carol.code],
    ] as const)
      expect(
        (await cli(['approve', 'v3', '--env', 'production', '--totp', await next()], as(person)))
          .code,
      ).toBe(0);
    const glass = [
      'promote',
      'v3',
      '--to',
      'production',
      '--break-glass',
      'hotfix for the checkout outage',
    ];
    const asked = await cli([...glass, '--totp', await anaCode(), '--json'], asAna);
    expect(asked.code).toBe(3);
    expect(
      asked.json<PromotionResult>().gates.find((g) => g.gate === 'break-glass')?.reason,
    ).toMatch(
      /^ana asked to override the freeze \(hotfix for the checkout outage\); a second person must agree/,
    );
    const herself = await cli(
      ['approve', 'v3', '--env', 'production', '--break-glass', '--totp', await anaCode()],
      asAna,
    );
    expect(herself.code).toBe(1);
    expect(herself.stderr).toContain('ana asked for this override and cannot approve it');
    expect(
      (
        await cli(
          ['approve', 'v3', '--env', 'production', '--break-glass', '--totp', await bob.code()],
          as(bob),
        )
      ).code,
    ).toBe(0);
    const through = await cli([...glass, '--totp', await anaCode(), '--json'], asAna);
    expect(through.code).toBe(0);
    expect(through.json<PromotionResult>().gates.find((g) => g.gate === 'freeze')?.reason).toMatch(
      /overridden by ana \(hotfix for the checkout outage\), approved by bob$/,
    );
    const overrides = (await cli(['audit', 'list', '--json', '--limit', '300']))
      .json<{
        entries: { actor: string; action: string }[];
      }>()
      .entries.filter((e) => e.action.startsWith('override.'));
    expect(overrides.map((e) => `${e.actor} ${e.action}`)).toEqual([
      'ana override.requested',
      'bob override.approved',
      'ana override.used',
    ]);

    const audit = await cli(['audit', 'list', '--json', '--limit', '200']);
    const approvals = audit
      .json<{
        entries: {
          actor: string;
          action: string;
          subject: string;
          details: Record<string, unknown>;
        }[];
      }>()
      .entries.filter((e) => e.action.startsWith('approval.'));
    expect(approvals.map((e) => `${e.actor} ${e.action} ${e.subject}`)).toEqual([
      'bob approval.approve v1 production',
      'bob approval.approve v1 production',
      'ana approval.approve v1 production',
      'carol approval.reject v2 production',
      'bob approval.approve v3 production',
      'carol approval.approve v3 production',
    ]);
    expect(approvals.every((e) => e.details.secondFactor === true)).toBe(true);
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  }, 240_000);
});
