/**
 * `npm run bench:replay [-- REQUESTS]`: replays a generated capture of REQUESTS exchanges
 * (default 150,000, or BENCH_REQUESTS) against a local target in a child process and prints one
 * JSON line (see replay-bench.ts); progress goes to stderr. Exit 1 when the result is wrong.
 */
import { runReplayBench } from './replay-bench.js';

const given = process.argv[2] ?? process.env.BENCH_REQUESTS;
const requests = Number(given ?? 150_000);
if (!Number.isInteger(requests) || requests < 1000 || requests > 10_000_000) {
  process.stderr.write(
    `bench:replay: REQUESTS must be a whole number from 1000 to 10000000, not ${given}\n`,
  );
  process.exit(2);
}
const result = await runReplayBench({
  requests,
  log: (line) => process.stderr.write(`bench:replay: ${line}\n`),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.correct ? 0 : 1;
