/**
 * Replay's bad input and bad days: a capture cut short replays its readable part and reports the
 * rest; a target that never answers puts every request in `error` with the reason (exit 4), as
 * does one that refuses connections; a missing capture or an unknown target is bad input (exit 2).
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../src/traffic/replay-report.js';
import { SECRETS, startShopService, startSilentServer } from '../fixtures/traffic/service.js';
import { runUnderstudy } from '../harness/cli.js';
import { bucketsAddUp, replayProject } from './replay-helpers.js';

/** The first command of a project creates its store (PGlite): seconds on a busy machine. */
const E2E_TIMEOUT = 180_000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('understudy replay on bad days', () => {
  it(
    'replays the readable part of a capture cut short and reports the rest',
    async () => {
      const production = await startShopService('production');
      closers.push(() => production.close());
      const project = await replayProject(
        { production: production.url, staging: production.url },
        { cut: 0.6 },
      );
      // The target is production-like: it takes production's credential.
      const env = { STAGING_TOKEN: SECRETS.production };
      const run = await runUnderstudy(['replay', project.capture, '--json'], {
        cwd: project.dir,
        env,
      });
      const { report } = run.json<{ report: ReplayReport }>();
      expect(report.regressions).toEqual([]);
      expect(run.code).toBe(0);
      expect(report.status).toBe('pass');
      expect(report.counts.total).toBeGreaterThan(5);
      expect(report.counts.total).toBeLessThan(25);
      expect(report.counts.regression).toBe(0);
      expect(bucketsAddUp(report)).toBe(true);
      expect(report.captureProblems.count).toBe(1);
      expect(report.captureProblems.items[0]).toMatchObject({ kind: 'truncated' });

      const text = await runUnderstudy(['replay', project.capture], { cwd: project.dir, env });
      expect(text.stdout).toContain('Capture problems: 1');
    },
    E2E_TIMEOUT,
  );

  it(
    'puts requests a silent target never answers in the error bucket with the reason, and exits 4',
    async () => {
      const production = await startShopService('production');
      const silent = await startSilentServer();
      closers.push(
        () => production.close(),
        () => silent.close(),
      );
      const project = await replayProject({ production: production.url, staging: silent.url });
      const run = await runUnderstudy(
        ['replay', project.capture, '--timeout', '300ms', '--concurrency', '32', '--json'],
        { cwd: project.dir, env: project.env },
      );
      expect(run.code).toBe(4);
      const { report } = run.json<{ report: ReplayReport }>();
      expect(report.status).toBe('error');
      expect(report.counts).toMatchObject({ total: 25, error: 23, skipped: 2, regression: 0 });
      expect(report.errors).toEqual([{ reason: 'timeout: no answer within 300ms', count: 23 }]);
      expect(report.summary).toBe('the target answered none of the 23 requests sent');
    },
    E2E_TIMEOUT,
  );

  it(
    'exits 4 when the target refuses every connection',
    async () => {
      const production = await startShopService('production');
      closers.push(() => production.close());
      const project = await replayProject({ production: production.url, staging: production.url });
      const run = await runUnderstudy(
        ['replay', project.capture, '--target', await closedPort(), '--json'],
        {
          cwd: project.dir,
          env: project.env,
        },
      );
      expect(run.code).toBe(4);
      const { report } = run.json<{ report: ReplayReport }>();
      expect(report.errors).toEqual([{ reason: 'connection refused', count: 23 }]);
      expect(bucketsAddUp(report)).toBe(true);
    },
    E2E_TIMEOUT,
  );

  it(
    'refuses bad input before sending anything (exit 2)',
    async () => {
      const production = await startShopService('production');
      closers.push(() => production.close());
      const project = await replayProject({ production: production.url, staging: production.url });
      const options = { cwd: project.dir, env: project.env };
      const total = (): number => [...production.hits.values()].reduce((a, b) => a + b, 0);
      const recorded = total();

      const missing = await runUnderstudy(['replay', 'no-such-capture', '--json'], options);
      expect(missing.code).toBe(2);
      expect(missing.json<{ error: { code: string } }>().error.code).toBe('E_NOT_FOUND');

      const unknown = await runUnderstudy(['replay', project.capture, '--target', 'qa'], options);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--target: no environment named "qa"');

      const rate = await runUnderstudy(['replay', project.capture, '--rate', 'fast'], options);
      expect(rate.code).toBe(2);
      expect(rate.stderr).toContain('must be a number above 0');
      expect(total()).toBe(recorded); // nothing was sent
    },
    E2E_TIMEOUT,
  );
});
