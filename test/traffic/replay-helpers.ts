/**
 * What the replay end-to-end tests share: a project whose production and staging are two
 * instances of the test shop, a capture of production's answers, and short forms of the report.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplayReport } from '../../src/traffic/replay-report.js';
import {
  CAPTURE_KEY,
  PRODUCTION_TOKEN,
  recordExchanges,
  shopRequests,
  writeCapture,
} from '../fixtures/traffic/service-capture.js';
import { SECRETS } from '../fixtures/traffic/service.js';
import { tempProject } from '../harness/cli.js';

/** Bodies above this are cut in the test captures (`/api/big` is about 70 KB). */
export const TEST_CAP = 16 * 1024;

export interface ReplayProject {
  readonly dir: string;
  readonly capture: string;
  readonly env: Record<string, string>;
}

/** A project with understudy.yaml and a capture of `productionUrl`'s answers. */
export async function replayProject(
  urls: { production: string; staging: string },
  options: { lucky?: boolean; cut?: number; extra?: string } = {},
): Promise<ReplayProject> {
  const dir = await tempProject('understudy-replay-');
  const records = await recordExchanges(
    urls.production,
    shopRequests({ lucky: options.lucky ?? false }),
    TEST_CAP,
  );
  const captureDir = path.join(dir, 'captures');
  await writeCapture(captureDir, records, {
    maxBodyBytes: TEST_CAP,
    ...(options.cut === undefined ? {} : { cut: options.cut }),
  });
  await writeFile(
    path.join(dir, 'understudy.yaml'),
    `project: shop
environments:
  production: { url: "${urls.production}", protected: true }
  staging: { url: "${urls.staging}" }
traffic:
  replay:
    target: staging
    credentials:
      - { token: "${PRODUCTION_TOKEN}", value: "\${STAGING_TOKEN}" }
${options.extra ?? ''}`,
  );
  return {
    dir,
    capture: 'captures',
    // The capture's key: the replayer redacts staging's answers with it before comparing.
    env: { STAGING_TOKEN: SECRETS.staging, UNDERSTUDY_REDACT_KEY: CAPTURE_KEY.toString('utf8') },
  };
}

/** `route path kind` of every regression group, sorted. */
export const regressionsOf = (report: ReplayReport): string[] =>
  report.regressions.map((g) => `${g.route} ${g.path} ${g.kind}`).sort();

/** `route path reason ×count` of every noise group, sorted. */
export const noiseOf = (report: ReplayReport): string[] =>
  report.noise.map((g) => `${g.route} ${g.path} ${g.reason} ×${g.count}`).sort();

/** The regressions planted in the staging shop, as `regressionsOf` prints them. */
export const PLANTED = [
  'GET /api/orders/{id} $.error added',
  'GET /api/orders/{id} $.id removed',
  'GET /api/orders/{id} $.status removed',
  'GET /api/orders/{id} $.total removed',
  'GET /api/orders/{id} status status',
  'GET /api/products/{id} $.price changed',
  'GET /api/report header:content-type header',
  'GET /api/users/{id} $.plan removed',
].sort();

/** Whether the buckets sum to the total, overall and per route. */
export function bucketsAddUp(report: ReplayReport): boolean {
  const sums = [report.counts, ...report.routes.map((r) => r.counts)].map(
    (c) => c.match + c.regression + c.noise + c.skipped + c.error === c.total,
  );
  return sums.every(Boolean);
}
