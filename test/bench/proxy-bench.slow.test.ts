import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ProxyBenchResult } from '../../bench/proxy-bench.js';
import { repoRoot } from '../harness/test-server.js';

const run = promisify(execFile);

describe('bench:proxy (CI-sized)', () => {
  it('prints one JSON line: the same load straight, through nginx and through the recorder, which recorded it all', async () => {
    // The entry as `npm run bench:proxy` runs it, for one second per target and 200 requests/s:
    // it needs the build (`npm test` builds first), nginx and wrk (.ci/run installs them).
    const { stdout } = await run(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['bench/proxy.ts', '1', '200'],
      { cwd: repoRoot, maxBuffer: 1 << 24 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '') as ProxyBenchResult;

    expect(result.problems).toEqual([]);
    expect(result.correct).toBe(true);
    expect(result.upstream.server).toMatch(/^nginx\//);
    for (const load of [result.straight, result.nginx, result.understudy]) {
      expect(load.errors).toBe(0);
      expect(load.requests).toBeGreaterThan(0);
      // requests/s from the unrounded seconds: within a rounding step of requests / seconds.
      expect((load.requestsPerSecond * load.seconds) / load.requests).toBeCloseTo(1, 2);
      expect(load.p99Ms).toBeGreaterThanOrEqual(load.p50Ms);
    }
    // Every request the recorder forwarded was recorded or dropped and counted; none vanished.
    const { recorded, dropped } = result.understudy;
    expect(recorded).toBeGreaterThan(0);
    expect(recorded + dropped).toBeGreaterThan(result.understudy.requests);
    expect(result.understudy.captureBytes).toBeGreaterThan(0);
    expect(result.ratioToNginx).toBeCloseTo(
      result.understudy.requestsPerSecond / result.nginx.requestsPerSecond,
      2,
    );
    for (const fixed of [
      result.fixedRate.straight,
      result.fixedRate.nginx,
      result.fixedRate.understudy,
    ]) {
      expect(fixed).toMatchObject({ requests: 200, errors: 0 });
      expect(fixed.p99Ms).toBeGreaterThanOrEqual(fixed.p50Ms);
    }
    expect(result.fixedRate.addedP99Ms).toBeCloseTo(
      result.fixedRate.understudy.p99Ms - result.fixedRate.straight.p99Ms,
      2,
    );
    expect(result.meetsTarget).toBe(result.ratioToNginx >= 0.8 && result.fixedRate.addedP99Ms <= 2);
  }, 180_000);
});
