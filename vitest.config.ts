import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
    // Real PostgreSQL servers and child processes: forks isolate them best, two cores → two workers.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    // The JSON report feeds the closing summary line printed by .ci/run.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]],
    hookTimeout: 60_000,
  },
});
