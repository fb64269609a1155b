/**
 * Done means: a test service with deliberate noise (timestamps, UUIDs, reordered arrays, random
 * tokens) and deliberate regressions — replay reports every regression and zero false positives.
 * Real servers on loopback, the built binary, a real capture file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../src/traffic/replay-report.js';
import { startShopService, type ShopService } from '../fixtures/traffic/service.js';
import { runUnderstudy } from '../harness/cli.js';
import { PLANTED, bucketsAddUp, noiseOf, regressionsOf, replayProject } from './replay-helpers.js';

/** The first command of a project creates its store (PGlite): seconds on a busy machine. */
const E2E_TIMEOUT = 180_000;

const services: ShopService[] = [];
async function shop(mode: 'production' | 'staging'): Promise<ShopService> {
  const service = await startShopService(mode);
  services.push(service);
  return service;
}
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

describe('understudy replay', () => {
  it(
    'reports every planted regression and nothing else; noise is counted and listed; every request is in one bucket',
    async () => {
      const production = await shop('production');
      const staging = await shop('staging');
      const project = await replayProject({ production: production.url, staging: staging.url });

      const run = await runUnderstudy(
        ['replay', project.capture, '--json', '--junit', 'replay.xml', '--html', 'replay.html'],
        { cwd: project.dir, env: project.env },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      const { report, reportId, ok } = run.json<{
        report: ReplayReport;
        reportId: number;
        ok: boolean;
      }>();
      expect(ok).toBe(false);
      expect(report.status).toBe('fail');
      expect(regressionsOf(report)).toEqual(PLANTED);
      const price = report.regressions.find((g) => g.path === '$.price');
      expect(price?.examples).toMatchObject([
        { url: '/api/products/7', path: '$.price', recorded: '19.99', actual: '24.99' },
      ]);
      expect(report.counts).toEqual({
        total: 25,
        match: 2,
        regression: 6,
        noise: 14,
        skipped: 3,
        error: 0,
      });
      expect(bucketsAddUp(report)).toBe(true);
      expect(noiseOf(report)).toEqual(
        [
          'GET /api/items $.generatedAt timestamp ×3',
          'GET /api/items $.items[*].etag token ×15',
          'GET /api/items $.requestId uuid ×3',
          'GET /api/me $.apiKey redacted ×2',
          'GET /api/page body volatile-text ×2',
          'GET /api/products/{id} $.updatedAt epoch ×8',
        ].sort(),
      );
      expect(report.skipped.map((s) => `${s.reason} ×${s.count}`)).toEqual([
        'unsafe method POST (policy: skip) ×2',
        `recorded body cut at the capture cap (${report.skipped[1]?.reason.match(/\d+/)?.[0]} bytes): not compared ×1`,
      ]);
      expect(Number(report.skipped[1]?.reason.match(/\d+/)?.[0])).toBeGreaterThan(16 * 1024);
      // Staging checks Host and its own credential: both were rewritten, or /api/me would be a 401.
      expect(report.routes.find((r) => r.route === 'GET /api/me')?.counts.noise).toBe(2);
      expect(report.notes).toEqual([]);
      expect(staging.hits.get('POST /api/orders')).toBeUndefined();
      expect(
        report.routes.every(
          (r) => r.latency.target !== undefined || r.counts.skipped === r.counts.total,
        ),
      ).toBe(true);

      const junit = await readFile(path.join(project.dir, 'replay.xml'), 'utf8');
      expect(junit.match(/<testcase /g)).toHaveLength(report.routes.length);
      expect(junit).toContain(
        '<testsuites name="understudy replay captures against staging" tests="10" failures="4"',
      );
      const html = await readFile(path.join(project.dir, 'replay.html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<svg');
      expect(html).toContain('$.price');
      expect(html).toContain('class="sbs"');
      expect(html).not.toMatch(/<link|\bsrc=|\bhref=|@import|url\(/);
      // Staging's answers were redacted like the capture before being compared and excerpted:
      // e-mails met as equal tokens (no difference at all), and no staging value is in a report.
      expect(report.routes.find((r) => r.route === 'GET /api/users/{id}')?.counts.regression).toBe(
        2,
      );
      expect(JSON.stringify(report)).toContain('us_tok_email_');
      for (const text of [run.stdout, html, junit]) {
        expect(text).not.toContain('@example.com');
        expect(text).not.toContain('key-staging-');
      }

      const audit = await runUnderstudy(['audit', 'list', '--json'], {
        cwd: project.dir,
        env: project.env,
      });
      const entries = audit.json<{
        entries: { action: string; subject: string; details: { reportId: number } }[];
      }>().entries;
      expect(entries.filter((e) => e.action === 'replay.run')).toMatchObject([
        { subject: 'staging', details: { reportId } },
      ]);

      const text = await runUnderstudy(['replay', project.capture], {
        cwd: project.dir,
        env: project.env,
      });
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('FAIL — 6 regressions (at most 0 tolerated)');
      expect(text.stdout).toMatch(
        /GET \/api\/products\/\{id\}\s+\$\.price\s+changed ×1 in 1 request/,
      );
      expect(text.stdout).toContain('/api/products/7  $.price: 19.99 → 24.99');
      expect(text.stdout).toMatch(/Noise suppressed: \d+ difference/);
    },
    E2E_TIMEOUT,
  );

  it(
    'learns from a baseline what shape alone cannot tell: a random number that differs on every call',
    async () => {
      const production = await shop('production');
      const staging = await shop('staging');
      const baseline = await shop('production');
      const project = await replayProject(
        { production: production.url, staging: staging.url },
        { lucky: true },
      );

      const alone = await runUnderstudy(['replay', project.capture, '--json'], {
        cwd: project.dir,
        env: project.env,
      });
      const withoutBaseline = alone.json<{ report: ReplayReport }>().report;
      expect(regressionsOf(withoutBaseline)).toEqual(
        [...PLANTED, 'GET /api/lucky $.lucky changed'].sort(),
      );

      const run = await runUnderstudy(
        ['replay', project.capture, '--baseline', baseline.url, '--json'],
        {
          cwd: project.dir,
          env: project.env,
        },
      );
      expect(run.code).toBe(1);
      const { report } = run.json<{ report: ReplayReport }>();
      expect(regressionsOf(report)).toEqual(PLANTED);
      expect(noiseOf(report)).toContain('GET /api/lucky $.lucky baseline ×3');
      expect(report.counts).toMatchObject({ total: 28, regression: 6, skipped: 3, error: 0 });
      expect(bucketsAddUp(report)).toBe(true);
      expect(report.baseline).toMatchObject({ url: baseline.url, pairs: 26, errors: 0 });
      expect(report.baseline?.learned).toContainEqual({
        route: 'GET /api/lucky',
        paths: ['$.lucky'],
      });
      // Each safe request went to the baseline twice; unsafe ones never.
      expect(baseline.hits.get('GET /api/lucky')).toBe(6);
      expect(baseline.hits.get('POST /api/orders')).toBeUndefined();
    },
    E2E_TIMEOUT,
  );
});
