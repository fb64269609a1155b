/**
 * `understudy promote` end to end: real deploy commands (a shell writing the deployed version to
 * a file) against real local services (HTTP servers whose health depends on that file), a shared
 * PostgreSQL store, and the audit log telling the whole story.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PromotionResult } from '../../src/release/promotion-run.js';
import { openStore } from '../../src/store/open-store.js';
import { binary, runUnderstudy, tempProject } from '../harness/cli.js';
import { usePostgres } from '../harness/postgres.js';

const E2E_TIMEOUT = 240_000;

/** A service for one environment: healthy unless the version deployed there starts with `bad`. */
async function service(dir: string, env: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void readFile(path.join(dir, `deployed-${env}`), 'utf8')
      .catch(() => 'none')
      .then((version) => {
        const healthy = !version.startsWith('bad');
        res.writeHead(healthy ? 200 : 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version, healthy }));
      });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// The deploy command: note the deploy, wait SLEEP seconds (default none), then switch versions.
// (`$${` is a literal `${` in understudy.yaml: the shell expands it, not the config loader.)
const deploy =
  'echo "$VERSION" >> deploys-$ENV.log && sleep "$${SLEEP:-0}" && printf "%s" "$VERSION" > deployed-$ENV && echo "deployed $VERSION to $ENV"';

describe('understudy promote', () => {
  const pg = usePostgres();
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });

  async function project(): Promise<{
    dir: string;
    env: Record<string, string>;
    cli: (args: string[], env?: Record<string, string>) => ReturnType<typeof runUnderstudy>;
  }> {
    const dir = await tempProject();
    const staging = await service(dir, 'staging');
    const production = await service(dir, 'production');
    servers.push(staging.server, production.server);
    await writeFile(
      path.join(dir, 'understudy.yaml'),
      `project: shop
environments:
  staging: { url: "${staging.url}" }
  production: { url: "${production.url}" }
release:
  stages: [staging, production]
  staging:
    deploy: { run: '${deploy}', timeout: 20s }
    verify: { http: /healthz, for: 2s }
  production:
    requires: ["check:e2e"]
    deploy: { run: '${deploy}', timeout: 20s }
    verify: { http: /healthz, for: 2s }
`,
    );
    const env = { UNDERSTUDY_STORE_URL: await pg().createDatabase(), UNDERSTUDY_ACTOR: 'ana' };
    return {
      dir,
      env,
      cli: (args, more = {}) => runUnderstudy(args, { cwd: dir, env: { ...env, ...more } }),
    };
  }

  const deployed = (dir: string, env: string): Promise<string> =>
    readFile(path.join(dir, `deployed-${env}`), 'utf8');

  it(
    'moves a good release through the stages, rolls a bad one back, and never skips a stage',
    async () => {
      const { dir, cli } = await project();
      for (const v of ['v1', 'v2', 'bad-3'])
        expect((await cli(['release', 'create', v])).code).toBe(0);

      // Production before staging: refused, nothing deployed.
      const skipped = await cli(['promote', 'v1', '--to', 'production', '--json']);
      expect(skipped.code).toBe(1);
      const denied = skipped.json<PromotionResult>();
      expect(denied.outcome).toBe('denied');
      const stage = denied.gates.find((g) => g.gate === 'stage');
      expect(stage?.status).toBe('fail');
      expect(stage?.reason).toMatch(/must be deployed and verified in staging first/);

      const first = await cli(['promote', 'v1', '--to', 'staging']);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('✓ deployed: deployed and verified');
      expect(first.stderr).toContain('deployed v1 to staging');
      expect(await deployed(dir, 'staging')).toBe('v1');

      // Production waits for CI's e2e result, then takes v1.
      const waiting = await cli(['promote', 'v1', '--to', 'production']);
      expect(waiting.code).toBe(3);
      expect(waiting.stdout).toMatch(/… pending\s+check:e2e\s+waiting for CI to report e2e for v1/);
      await cli(['check', 'report', 'e2e', '--version', 'v1', '--status', 'pass']);
      expect((await cli(['promote', 'v1', '--to', 'production'])).code).toBe(0);
      expect(await deployed(dir, 'production')).toBe('v1');

      // A release whose health check fails is rolled back to the last good version.
      const bad = await cli(['promote', 'bad-3', '--to', 'staging', '--json']);
      expect(bad.code).toBe(1);
      const rolled = bad.json<PromotionResult>();
      expect(rolled.outcome).toBe('rolled-back');
      expect(rolled.reason).toMatch(/verification failed: .*answered 500; rolled back to v1/);
      expect(rolled.deployment).toMatchObject({ version: 'bad-3', status: 'failed' });
      expect(rolled.rollback).toMatchObject({
        version: 'v1',
        kind: 'rollback',
        status: 'succeeded',
      });
      expect(await deployed(dir, 'staging')).toBe('v1');
      // … and is never promoted again.
      const again = await cli(['promote', 'bad-3', '--to', 'staging']);
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/✗ fail\s+release\s+bad-3 failed in staging/);

      const shown = await cli(['release', 'show', 'v1', '--json']);
      const history = shown.json<{
        deployments: { env: string; kind: string; status: string }[];
      }>();
      expect(history.deployments.map((d) => `${d.env} ${d.kind} ${d.status}`)).toEqual([
        'staging rollback succeeded',
        'production deploy succeeded',
        'staging deploy succeeded',
      ]);

      const audit = await cli(['audit', 'list', '--json', '--limit', '100']);
      const story = audit
        .json<{ entries: { action: string; subject: string }[] }>()
        .entries.filter((e) => !e.action.startsWith('release.') && e.action !== 'check.report')
        .map((e) => `${e.action} ${e.subject}`);
      expect(story).toEqual([
        'promotion.denied v1 production',
        'deploy.started v1 staging',
        'deploy.succeeded v1 staging',
        'promotion.pending v1 production',
        'deploy.started v1 production',
        'deploy.succeeded v1 production',
        'deploy.started bad-3 staging',
        'deploy.failed bad-3 staging',
        'rollback.started v1 staging',
        'rollback.succeeded v1 staging',
        'promotion.denied bad-3 staging',
      ]);

      // A protected environment refuses every change while no identity can be proven.
      const config = path.join(dir, 'understudy.yaml');
      const yaml = await readFile(config, 'utf8');
      await writeFile(config, yaml.replace(/(production: \{ url: "[^"]+")/, '$1, protected: true'));
      const guarded = await cli(['promote', 'v1', '--to', 'production']);
      expect(guarded.code).toBe(1);
      expect(guarded.stdout).toMatch(/✗ fail\s+identity\s+production is protected/);
      expect(await readFile(path.join(dir, 'deploys-production.log'), 'utf8')).toBe('v1\n');
      expect((await cli(['audit', 'verify'])).code).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    'deploys once when two promotions race, and recovers the lock of a killed one',
    async () => {
      const { dir, env, cli } = await project();
      await cli(['release', 'create', 'v1']);
      await cli(['release', 'create', 'v2']);

      // Two promotions at once: one deploys (slowly), the other finds staging busy.
      const [a, b] = await Promise.all([
        cli(['promote', 'v1', '--to', 'staging'], { SLEEP: '3' }),
        new Promise((resolve) => setTimeout(resolve, 1500)).then(() =>
          cli(['promote', 'v2', '--to', 'staging']),
        ),
      ]);
      expect([a.code, b.code]).toEqual([0, 3]);
      expect(b.stdout).toMatch(/… pending: staging is busy: deploy of v1 by ana/);
      expect(await readFile(path.join(dir, 'deploys-staging.log'), 'utf8')).toBe('v1\n');

      // A promotion killed mid-deploy leaves its lock behind…
      const child = spawn(process.execPath, [binary, 'promote', 'v2', '--to', 'staging'], {
        cwd: dir,
        env: { ...process.env, ...env, SLEEP: '30', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let seen = '';
      child.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (seen.includes('deploying v2')) {
            clearInterval(poll);
            resolve();
          }
        }, 50);
      });
      child.kill('SIGKILL');
      await once(child, 'exit');
      const busy = await cli(['promote', 'v2', '--to', 'staging']);
      expect(busy.code).toBe(3);
      // … until its heartbeats are overdue (as if 30 s had passed): then the next one recovers it.
      const store = await openStore({ url: env.UNDERSTUDY_STORE_URL!, dir });
      try {
        await store.driver.query(
          "UPDATE deployments SET heartbeat_at = now() - interval '30 seconds' WHERE finished_at IS NULL",
        );
      } finally {
        await store.close();
      }
      const recovered = await cli(['promote', 'v2', '--to', 'staging', '--json']);
      expect(recovered.code).toBe(0);
      expect(await deployed(dir, 'staging')).toBe('v2');
      const shown = await cli(['release', 'show', 'v2', '--json']);
      expect(
        shown
          .json<{ deployments: { status: string; reason?: string }[] }>()
          .deployments.map((d) => d.status),
      ).toEqual(['succeeded', 'interrupted']);
      const audit = await cli(['audit', 'list', '--json', '--action', 'deploy.interrupted']);
      expect(audit.json<{ entries: { subject: string }[] }>().entries).toMatchObject([
        { subject: 'v2 staging' },
      ]);
      // By hand: back to the version before, with the same deploy command; or to a named one.
      const back = await cli(['rollback', 'staging']);
      expect(back.code).toBe(0);
      expect(back.stdout).toContain('staging: rolled back from v2 to v1');
      expect(await deployed(dir, 'staging')).toBe('v1');
      const unknown = await cli(['rollback', 'staging', '--to', 'v9']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('v9 never ran successfully in staging');
      expect((await cli(['rollback', 'production'])).stderr).toContain(
        'Understudy has deployed nothing to production',
      );
      expect((await cli(['audit', 'verify'])).code).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    'waits during a freeze, times out a hanging deploy and rolls back',
    async () => {
      const now = Date.now();
      const { dir, cli } = await project();
      await cli(['release', 'create', 'v1']);
      expect((await cli(['promote', 'v1', '--to', 'staging'])).code).toBe(0);

      // Frozen: pending, nothing deployed.
      const frozenConfig = (await readFile(path.join(dir, 'understudy.yaml'), 'utf8')).replace(
        '    verify: { http: /healthz, for: 2s }\n  production:',
        `    verify: { http: /healthz, for: 2s }\n    freeze: [{ from: "${new Date(now - 60_000).toISOString()}", until: "${new Date(now + 3_600_000).toISOString()}", reason: launch }]\n  production:`,
      );
      await writeFile(path.join(dir, 'understudy.yaml'), frozenConfig);
      await cli(['release', 'create', 'v2']);
      const frozen = await cli(['promote', 'v2', '--to', 'staging']);
      expect(frozen.code).toBe(3);
      expect(frozen.stdout).toMatch(/… pending\s+freeze\s+staging is frozen until .* \(launch\)/);
      expect(await deployed(dir, 'staging')).toBe('v1');

      // --wait tries again until the freeze is over, audited and reported once while waiting.
      const soon = Date.now();
      await writeFile(
        path.join(dir, 'understudy.yaml'),
        frozenConfig.replace(
          / {4}freeze: .*\n/,
          `    freeze: [{ from: "${new Date(soon - 60_000).toISOString()}", until: "${new Date(soon + 4_000).toISOString()}", reason: launch }]\n`,
        ),
      );
      const waited = await cli(['promote', 'v2', '--to', 'staging', '--wait', '--interval', '1s']);
      expect(waited.code).toBe(0);
      expect(waited.stderr.match(/… waiting: waiting on freeze/g)).toHaveLength(1);
      expect(await deployed(dir, 'staging')).toBe('v2');
      const pendings = await cli(['audit', 'list', '--json', '--action', 'promotion.pending']);
      expect(
        pendings
          .json<{ entries: { subject: string }[] }>()
          .entries.filter((e) => e.subject === 'v2 staging'),
      ).toHaveLength(2); // the refused attempt above, and the first of this wait

      // A deploy command that hangs is stopped at its timeout and v2 comes back.
      const hanging = frozenConfig
        .replace(/ {4}freeze: .*\n/, '')
        .replace("deploy: { run: '", 'deploy: { run: \'test "$VERSION" = v3 && sleep 60; ')
        .replace('timeout: 20s }', 'timeout: 2s }');
      await writeFile(path.join(dir, 'understudy.yaml'), hanging);
      await cli(['release', 'create', 'v3']);
      const timedOut = await cli(['promote', 'v3', '--to', 'staging', '--json']);
      expect(timedOut.code).toBe(1);
      const result = timedOut.json<PromotionResult>();
      expect(result.outcome).toBe('rolled-back');
      expect(result.reason).toMatch(/did not finish within 2 s; rolled back to v2/);
      expect(await deployed(dir, 'staging')).toBe('v2');
    },
    E2E_TIMEOUT,
  );
  it(
    'holds back on missing or stale evidence: a replay from before the deploy, or too old',
    async () => {
      const { dir, env, cli } = await project();
      const configFile = path.join(dir, 'understudy.yaml');
      await writeFile(
        configFile,
        (await readFile(configFile, 'utf8')).replace(
          '    requires: ["check:e2e"]',
          '    requires: [replay]\n    evidenceMaxAge: 8s',
        ),
      );
      const saveReplay = async (status: string): Promise<number> => {
        const store = await openStore({ url: env.UNDERSTUDY_STORE_URL!, dir });
        try {
          return (
            await store.reports.save({ kind: 'replay', subject: 'staging', status, body: {} })
          ).id;
        } finally {
          await store.close();
        }
      };
      await cli(['release', 'create', 'v1']);
      const early = await saveReplay('pass'); // taken before v1 ran in staging
      expect((await cli(['promote', 'v1', '--to', 'staging'])).code).toBe(0);
      const gate = async (): Promise<string | undefined> =>
        (await cli(['promote', 'v1', '--to', 'production', '--json']))
          .json<PromotionResult>()
          .gates.find((g) => g.gate === 'replay')?.reason;
      expect(await gate()).toBe(
        `the latest (report ${early}) was taken before v1 was deployed there: run it again`,
      );
      const failed = await saveReplay('fail');
      expect(await gate()).toMatch(
        new RegExp(`^the latest is fail, not a pass \\(report ${failed}, `),
      );
      const fresh = await saveReplay('pass');
      await new Promise((resolve) => setTimeout(resolve, 8500));
      expect(await gate()).toMatch(
        new RegExp(`^the latest \\(report ${fresh}\\) is \\d+ s old; evidence counts for 8s$`),
      );
      await saveReplay('pass');
      const shipped = await cli(['promote', 'v1', '--to', 'production']);
      expect(shipped.code).toBe(0);
      expect(shipped.stdout).toMatch(/✓ pass\s+replay\s+report \d+, \d+ s ago/);
    },
    E2E_TIMEOUT,
  );
});
