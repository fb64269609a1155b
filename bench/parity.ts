/** `npm run bench:parity [-- TABLES]`: prints one JSON line (see parity-bench.ts). */
import { runParityBench } from './parity-bench.js';

const tables = Number(process.argv[2] ?? process.env.BENCH_TABLES ?? 1000);
const result = await runParityBench({ tables });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exitCode = result.exact ? 0 : 1;
