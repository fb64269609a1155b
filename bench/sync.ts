/**
 * `npm run bench:sync [-- ROWS]`: generates a shop database of about ROWS rows (default 5,000,000,
 * or BENCH_ROWS), times `pg_dump | pg_restore` against Understudy's unmasked and masked copies and
 * prints one JSON line (see sync-bench.ts); progress goes to stderr. Exit 1 when a copy is wrong.
 */
import { runSyncBench } from './sync-bench.js';

const given = process.argv[2] ?? process.env.BENCH_ROWS;
const rows = Number(given ?? 5_000_000);
if (!Number.isInteger(rows) || rows < 1000) {
  process.stderr.write(`bench:sync: ROWS must be a whole number of at least 1000, not ${given}\n`);
  process.exit(2);
}
const result = await runSyncBench({
  rows,
  log: (line) => process.stderr.write(`bench:sync: ${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.correct ? 0 : 1;
