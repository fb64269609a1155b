/**
 * `npm run bench:proxy [-- SECONDS [RATE]]`: the recording proxy against nginx on one upstream —
 * wrk for SECONDS (default 10) per target, then RATE requests/s (default 1000) for the latency
 * each proxy adds — and one JSON line (see proxy-bench.ts); progress goes to stderr. Needs the
 * build (the npm script builds), nginx and wrk (installed from Debian's packages when missing and
 * run as root). Exit 1 when the recorder did not answer and account for every request.
 */
import { runProxyBench } from './proxy-bench.js';

const [secondsArg, rateArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? process.env.BENCH_SECONDS ?? 10);
const rate = Number(rateArg ?? 1000);
if (!Number.isInteger(seconds) || seconds < 1 || !Number.isInteger(rate) || rate < 1) {
  process.stderr.write(
    `bench:proxy: SECONDS and RATE must be whole numbers of at least 1, not ${secondsArg} ${rateArg}\n`,
  );
  process.exit(2);
}
try {
  const result = await runProxyBench({
    seconds,
    rate,
    rateSeconds: seconds,
    log: (line) => process.stderr.write(`bench:proxy: ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.correct ? 0 : 1;
} catch (error) {
  process.stderr.write(`bench:proxy: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
