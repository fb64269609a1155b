/**
 * Notifications end to end: a real HTTP receiver hears what happened — as JSON, or as a
 * Slack-compatible message — for the events it asked for; a webhook that fails never fails the
 * action, and the user is told.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

interface Heard {
  readonly path: string;
  readonly body: {
    event?: string;
    subject?: string;
    text: string;
    details?: Record<string, unknown>;
  };
}

describe('notifications', () => {
  const pg = usePostgres();
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('tells webhooks of gates failing, approvals wanted, deploys, verifications, rollbacks and leases', async () => {
    const heard: Heard[] = [];
    const receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        heard.push({ path: req.url ?? '', body: JSON.parse(text) as Heard['body'] });
        res.writeHead(req.url === '/broken' ? 500 : 204);
        res.end();
      });
    });
    const app = createServer((_req, res) => res.end('ok'));
    servers.push(receiver, app);
    for (const s of [receiver, app]) {
      s.listen(0, '127.0.0.1');
      await once(s, 'listening');
    }
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const dir = await tempProject();
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: shop
environments:
  staging: { url: "${appUrl}" }
  production: { url: "${appUrl}" }
release:
  stages: [staging, production]
  staging:
    deploy: { run: 'test "$VERSION" != bad || exit 1' }
    verify: { http: /healthz, for: 1s }
  production:
    approvals: 1
    deploy: { run: 'true' }
notifications:
  webhooks:
    - { url: "${hook}/json" }
    - { url: "${hook}/slack", format: slack, events: [deploy.succeeded] }
    - { url: "${hook}/broken", events: [rollback.done] }
`,
    );
    const env = { UNDERSTUDY_STORE_URL: await pg().createDatabase(), UNDERSTUDY_ACTOR: 'ana' };
    const cli = (args: string[], actor = 'ana') =>
      runUnderstudy(args, { cwd: dir, env: { ...env, UNDERSTUDY_ACTOR: actor } });

    await cli(['release', 'create', 'v1']);
    await cli(['release', 'create', 'bad']);
    expect((await cli(['promote', 'v1', '--to', 'production'])).code).toBe(1); // stage skipped
    expect((await cli(['promote', 'v1', '--to', 'staging'])).code).toBe(0);
    expect((await cli(['promote', 'v1', '--to', 'production'])).code).toBe(3); // needs approval
    const rolled = await cli(['promote', 'bad', '--to', 'staging']);
    expect(rolled.code).toBe(1);
    // The broken webhook did not change the outcome; the user hears of it.
    expect(rolled.stderr).toContain(
      `could not notify ${hook}/broken of rollback.done: answered 500`,
    );
    await cli(['reserve', 'staging', '--for', '1s', '--reason', 'demo'], 'bob');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await cli(['reservations']);

    const json = heard
      .filter((h) => h.path === '/json')
      .map((h) => `${h.body.event} ${h.body.subject}`);
    expect(json).toEqual([
      'gate.failed v1 production',
      'deploy.succeeded v1 staging',
      'verify.passed v1 staging',
      'approval.requested v1 production',
      'rollback.done bad staging',
      'reservation.granted staging',
      'reservation.expired staging',
    ]);
    const denied = heard.find((h) => h.body.event === 'gate.failed');
    expect(denied?.body.text).toMatch(
      /^v1 → production denied: stage \(v1 must be deployed and verified in staging first/,
    );
    expect(denied?.body.details).toMatchObject({ version: 'v1', env: 'production', actor: 'ana' });
    expect(heard.filter((h) => h.path === '/slack').map((h) => h.body)).toEqual([
      { text: '*shop* · deploy.succeeded · v1 → staging deployed by ana' },
    ]);
    expect(heard.filter((h) => h.path === '/broken').map((h) => h.body.event)).toEqual([
      'rollback.done',
    ]);
  }, 120_000);
});
