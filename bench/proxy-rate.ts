/**
 * `tsx bench/proxy-rate.ts URL RATE SECONDS`: an open-loop load at a fixed rate, for the latency a
 * proxy adds when it is not saturated (wrk only knows "as fast as possible"). Request i is due at
 * start + i / RATE; its latency is counted from when it was due, not from when it was sent, so a
 * stall that delays later requests is counted in full (no coordinated omission). Runs in its own
 * process so the bench's own work never delays it; prints one JSON line: requests, errors, and
 * p50/p90/p99/max in ms.
 */
import { Pool } from 'undici';

const [url, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
if (url === undefined || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: proxy-rate.ts URL RATE SECONDS\n');
  process.exit(2);
}

const target = new URL(url);
// Enough connections that a request never waits for a free one at a moderate rate.
const pool = new Pool(target.origin, { connections: 64, pipelining: 1 });
const headers = {
  accept: 'application/json',
  authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  cookie: 'sid=9f86d081884c7d659a2feaa0c55ad015; theme=dark',
};
const total = Math.round(rate * seconds);
const latencies = new Float64Array(total);
let done = 0;
let errors = 0;

async function send(i: number, dueAt: number): Promise<void> {
  try {
    const { statusCode, body } = await pool.request({
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      headers,
    });
    await body.dump();
    if (statusCode >= 400) errors += 1;
  } catch {
    errors += 1;
  }
  latencies[i] = performance.now() - dueAt;
  done += 1;
}

const start = performance.now() + 50;
const pending: Promise<void>[] = [];
let sent = 0;
while (sent < total) {
  const now = performance.now();
  const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
  while (sent < due) {
    pending.push(send(sent, start + (sent * 1000) / rate));
    sent += 1;
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
}
await Promise.all(pending);
await pool.close();

const sorted = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
const at = (q: number): number =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 1000) /
  1000;
process.stdout.write(
  `${JSON.stringify({ requests: done, errors, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1) })}\n`,
);
