import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SyncBenchResult } from '../../bench/sync-bench.js';
import { repoRoot } from '../harness/test-server.js';

const run = promisify(execFile);

describe('bench:sync (CI-sized)', () => {
  it('prints one JSON line: three copies of 30,000 rows, whole, the masked one masked', async () => {
    // The entry as `npm run bench:sync` runs it: it needs the build (`npm test` builds first) and
    // the system's PostgreSQL with pg_dump and pg_restore, and says so when either is missing.
    const { stdout } = await run(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['bench/sync.ts', '30000'],
      { cwd: repoRoot, maxBuffer: 1 << 24 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '') as SyncBenchResult;

    expect(result.problems).toEqual([]);
    expect(result.correct).toBe(true);
    expect(result.rows).toBeGreaterThanOrEqual(29_000);
    expect(result.rows).toBeLessThanOrEqual(31_000);
    expect(Object.keys(result.rowsPerTable)).toHaveLength(result.tables);
    for (const copy of [result.pgDumpRestore, result.unmasked, result.masked]) {
      expect(copy.rowsPerTable).toEqual(result.rowsPerTable);
      expect(copy.seconds).toBeGreaterThan(0);
      expect(copy.cpuSeconds?.server).toBeGreaterThan(0);
      // rows/s from the unrounded seconds: within a rounding step of rows / seconds.
      expect((copy.rowsPerSecond * copy.seconds) / result.rows).toBeCloseTo(1, 2);
    }
    expect(result.unmasked.peakRssMb).toBeGreaterThan(0);
    expect(result.masked.peakRssMb).toBeGreaterThan(0);
    expect(result.masked.phases).toHaveProperty('load');

    expect(Object.keys(result.maskedChangedShare)).toContain('customers.email');
    expect(Object.keys(result.maskedChangedShare)).toContain('payments.card_number');
    for (const share of Object.values(result.maskedChangedShare))
      expect(share).toBeGreaterThan(0.9);

    const { maskedVsPgDumpRestore, maskingOverhead } = result.ratios;
    expect(maskedVsPgDumpRestore).toBeCloseTo(
      result.masked.seconds / result.pgDumpRestore.seconds,
      1,
    );
    expect(maskingOverhead).toBeCloseTo(result.masked.seconds / result.unmasked.seconds - 1, 1);
    expect(result.meetsTarget).toBe(maskedVsPgDumpRestore < 1 && maskingOverhead <= 0.15);
    expect(result.server).toMatch(/^PostgreSQL \d+/);
  }, 120_000);
});
