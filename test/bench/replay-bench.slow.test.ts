import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ReplayBenchResult } from '../../bench/replay-bench.js';
import { repoRoot } from '../harness/test-server.js';

const run = promisify(execFile);

describe('bench:replay (CI-sized)', () => {
  it('prints one JSON line: 3,000 requests replayed, exactly the planted regressions found', async () => {
    // The entry as `npm run bench:replay` runs it: TypeScript through tsx, no build needed.
    const { stdout, stderr } = await run(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['bench/replay.ts', '3000'],
      { cwd: repoRoot, maxBuffer: 1 << 24 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '') as ReplayBenchResult;
    expect(stderr).toMatch(/^bench:replay: /m);

    expect(result.bench).toBe('replay');
    expect(result.problems).toEqual([]);
    expect(result.correct).toBe(true);
    expect(result.requests).toBe(3000);
    expect(result.regressionsFound).toEqual(result.regressionsPlanted);
    expect(result.regressionsPlanted).toHaveLength(4);

    const { counts } = result;
    expect(counts.total).toBe(3000);
    expect(counts.match + counts.regression + counts.noise + counts.skipped + counts.error).toBe(
      counts.total,
    );
    expect(counts).toEqual(result.expectedCounts);
    expect(counts.error).toBe(0);
    // The mix holds every bucket but errors: exact answers, noise, regressions, skipped POSTs.
    for (const bucket of ['match', 'noise', 'regression', 'skipped'] as const)
      expect(counts[bucket]).toBeGreaterThan(0);

    expect(result.seconds).toBeGreaterThan(0);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
    // req/s from the unrounded seconds: within a rounding step of requests / seconds.
    expect((result.requestsPerSecond * result.seconds) / result.requests).toBeCloseTo(1, 2);
    expect(result.meetsTarget).toBe(result.requestsPerSecond >= result.target);
    expect(result.cpuSeconds.replayer).toBeGreaterThan(0);
    expect(result.cpuSeconds.target).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(result.machine.cpus).toBeGreaterThan(0);
  }, 120_000);
});
