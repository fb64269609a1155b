/**
 * `bench:proxy`: the recording proxy against nginx, on the same upstream, in one run.
 *
 * The upstream is nginx answering a fixed JSON document (with an e-mail address in it, which the
 * recorder redacts) to every request: fast enough that it is never what is measured. The same wrk
 * load goes three ways — straight to the upstream, through nginx as a plain reverse proxy, and
 * through `understudy record` (the built CLI, recording with its defaults: redaction on, gzip
 * capture files) — each after a short warm-up. Both proxies run as one process: nginx with one
 * worker, Understudy as it ships. Then an open-loop load at a fixed moderate rate goes the same
 * three ways, for the latency each proxy adds when it is not saturated.
 *
 * The recorder must have recorded what it was sent (recorded + dropped + skipped = requests):
 * a fast figure from a recorder that recorded nothing would be no figure at all.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { machine, type Machine } from './machine.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureProgram,
  round,
  runWrk,
  startNginx,
  versionOf,
  waitForPort,
  type LoadResult,
  type Nginx,
} from './proxy-tools.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the upstream answers: a product as an API returns it, about 400 bytes. */
export const UPSTREAM_BODY = JSON.stringify({
  id: 42,
  sku: 'TL-0042',
  name: 'Cordless drill, 18 V',
  price: 129.9,
  currency: 'EUR',
  stock: 17,
  tags: ['tools', 'power', 'garden'],
  seller: { id: 7, name: 'Werkstatt Weber', contact: 'orders@weber-werkstatt.example' },
  updatedAt: '2026-11-21T10:00:00Z',
  links: { self: '/api/products/42', reviews: '/api/products/42/reviews' },
});

const PATH = '/api/products/42?include=seller';

export interface FixedRateResult {
  readonly requests: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ProxyBenchResult {
  readonly bench: 'proxy';
  readonly upstream: { readonly server: string; readonly bodyBytes: number };
  readonly load: {
    readonly tool: string;
    readonly threads: number;
    readonly connections: number;
    readonly seconds: number;
  };
  readonly straight: LoadResult;
  /** nginx as a plain reverse proxy. */
  readonly nginx: LoadResult;
  readonly understudy: LoadResult & {
    readonly recorded: number;
    readonly dropped: number;
    readonly dropReasons: Readonly<Record<string, number>>;
    readonly captureBytes: number;
    /** CPU seconds of the recorder process over the whole run (both loads). */
    readonly cpuSeconds: number;
  };
  /** Understudy's requests/s over nginx's. */
  readonly ratioToNginx: number;
  readonly fixedRate: {
    readonly rate: number;
    readonly seconds: number;
    readonly straight: FixedRateResult;
    readonly nginx: FixedRateResult;
    readonly understudy: FixedRateResult;
    /** p99 through Understudy minus p99 straight to the upstream. */
    readonly addedP99Ms: number;
    readonly nginxAddedP99Ms: number;
  };
  readonly target: { readonly ratioToNginxAtLeast: 0.8; readonly addedP99MsAtMost: 2 };
  readonly meetsTarget: boolean;
  /** Every request through the recorder was answered and accounted for. */
  readonly correct: boolean;
  readonly problems: readonly string[];
  readonly machine: Machine;
  readonly notes: readonly string[];
}

export interface ProxyBenchOptions {
  /** Seconds of load per target (after a warm-up of a fifth of that, at least 1 s). */
  readonly seconds: number;
  /** Requests/s of the fixed-rate load. */
  readonly rate: number;
  /** Seconds of the fixed-rate load per target. */
  readonly rateSeconds: number;
  readonly connections?: number;
  readonly log?: (line: string) => void;
}

/** A free loopback port (taken and released: the bench starts its servers right after). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** `understudy record`, the built CLI, as a user starts it. */
async function startRecorder(
  upstreamPort: number,
  dir: string,
): Promise<{
  port: number;
  /** Stops it (SIGINT: it drains and writes what is queued) and returns its final counters. */
  stop(): Promise<{ cpuSeconds: number; summary: Record<string, unknown> }>;
}> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'dist', 'cli', 'main.js'),
      'record',
      '--upstream',
      `http://127.0.0.1:${upstreamPort}`,
      '--listen',
      `127.0.0.1:${port}`,
      '--out',
      path.join(dir, 'captures'),
      '--json',
    ],
    {
      cwd: dir,
      env: { ...process.env, UNDERSTUDY_REDACT_KEY: 'bench redaction key, 32 characters' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(
    port,
    () => child.exitCode !== null,
    () => stderr,
  );
  return {
    port,
    async stop() {
      // The recorder's CPU time, from /proc while it still runs (Linux; 0 elsewhere).
      const cpuSeconds = await processCpuSeconds(child.pid);
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`understudy record exited with ${code}: ${stderr}${stdout}`);
      return { cpuSeconds, summary: JSON.parse(stdout) as Record<string, unknown> };
    },
  };
}

/** User + system CPU seconds of a running process, from /proc/PID/stat. */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
    return round((Number(fields[11]) + Number(fields[12])) / 100, 2);
  } catch {
    return 0;
  }
}

/** The fixed-rate load, in its own process. */
async function runFixedRate(url: string, rate: number, seconds: number): Promise<FixedRateResult> {
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [path.join(repoRoot, 'bench', 'proxy-rate.ts'), url, String(rate), String(seconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the fixed-rate load exited with ${code}`);
  return JSON.parse(stdout.trim()) as FixedRateResult;
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[]))
    total += (await stat(path.join(dir, name))).size;
  return total;
}

/** Runs the benchmark; throws only when something it needs cannot run at all. */
export async function runProxyBench(options: ProxyBenchOptions): Promise<ProxyBenchResult> {
  const log = options.log ?? (() => undefined);
  const notes: string[] = [];
  const problems: string[] = [];
  const wrk = await ensureProgram('wrk', 'wrk', log);
  if ('missing' in wrk) throw new Error(`bench:proxy needs wrk for the load: ${wrk.missing}`);
  const nginxProgram = await ensureProgram('nginx', 'nginx-light', log);
  if ('missing' in nginxProgram)
    throw new Error(
      `bench:proxy needs nginx for the upstream and the baseline: ${nginxProgram.missing}`,
    );

  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-bench-proxy-'));
  const upstreamPort = await freePort();
  const nginxPort = await freePort();
  let nginx: Nginx | undefined;
  let recorder: Awaited<ReturnType<typeof startRecorder>> | undefined;
  try {
    nginx = await startNginx(nginxProgram.path, path.join(dir, 'nginx'), {
      upstreamPort,
      proxyPort: nginxPort,
      body: UPSTREAM_BODY,
    });
    recorder = await startRecorder(upstreamPort, dir);

    const connections = options.connections ?? 32;
    const load = { threads: 1, connections, seconds: options.seconds, dir };
    const warmUp = { ...load, seconds: Math.max(1, Math.round(options.seconds / 5)) };
    const targets = {
      straight: `http://127.0.0.1:${upstreamPort}${PATH}`,
      nginx: `http://127.0.0.1:${nginxPort}${PATH}`,
      understudy: `http://127.0.0.1:${recorder.port}${PATH}`,
    };
    const measured: Partial<Record<keyof typeof targets, LoadResult>> = {};
    for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
      log(`${name}: warming up, then ${options.seconds} s of wrk with ${connections} connections`);
      await runWrk(wrk.path, url, warmUp);
      measured[name] = await runWrk(wrk.path, url, load);
      log(
        `${name}: ${measured[name].requestsPerSecond} requests/s, p99 ${measured[name].p99Ms} ms`,
      );
    }
    const fixed: Partial<Record<keyof typeof targets, FixedRateResult>> = {};
    for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
      log(`${name}: ${options.rate} requests/s for ${options.rateSeconds} s`);
      fixed[name] = await runFixedRate(url, options.rate, options.rateSeconds);
      log(`${name}: p99 ${fixed[name].p99Ms} ms at ${options.rate}/s`);
    }

    // Stopped, the recorder writes what is queued and prints what it accounted for.
    const { cpuSeconds, summary: health } = await recorder.stop();
    recorder = undefined;
    const captureBytes = await directorySize(path.join(dir, 'captures'));

    const straight = measured.straight!;
    const viaNginx = measured.nginx!;
    const viaUnderstudy = measured.understudy!;
    const recorded = Number(health.recorded);
    const dropped = Number(health.dropped);
    const skipped = Number(health.skipped);
    const sent = Number(health.requests);
    if (recorded + dropped + skipped !== sent)
      problems.push(
        `the recorder accounted for ${recorded + dropped + skipped} of ${sent} requests`,
      );
    if (recorded === 0) problems.push('the recorder recorded nothing');
    if (captureBytes === 0) problems.push('no capture bytes on disk');
    for (const [name, result] of Object.entries({ ...measured }))
      if (result.errors > 0) problems.push(`${name}: ${result.errors} wrk errors`);
    for (const [name, result] of Object.entries(fixed))
      if (result.errors > 0) problems.push(`${name} at a fixed rate: ${result.errors} errors`);
    if (dropped > 0)
      notes.push(
        `the recorder dropped ${dropped} captures under full load (it drops rather than slow requests down)`,
      );

    const ratioToNginx = round(viaUnderstudy.requestsPerSecond / viaNginx.requestsPerSecond, 2);
    const addedP99Ms = round(fixed.understudy!.p99Ms - fixed.straight!.p99Ms, 3);
    return {
      bench: 'proxy',
      upstream: { server: await versionOf(nginxProgram.path), bodyBytes: UPSTREAM_BODY.length },
      load: {
        tool: await versionOf(wrk.path),
        threads: load.threads,
        connections,
        seconds: options.seconds,
      },
      straight,
      nginx: viaNginx,
      understudy: {
        ...viaUnderstudy,
        recorded,
        dropped,
        dropReasons: (health.dropReasons ?? {}) as Record<string, number>,
        captureBytes,
        cpuSeconds,
      },
      ratioToNginx,
      fixedRate: {
        rate: options.rate,
        seconds: options.rateSeconds,
        straight: fixed.straight!,
        nginx: fixed.nginx!,
        understudy: fixed.understudy!,
        addedP99Ms,
        nginxAddedP99Ms: round(fixed.nginx!.p99Ms - fixed.straight!.p99Ms, 3),
      },
      target: { ratioToNginxAtLeast: 0.8, addedP99MsAtMost: 2 },
      meetsTarget: ratioToNginx >= 0.8 && addedP99Ms <= 2,
      correct: problems.length === 0,
      problems,
      machine: machine(),
      notes: [
        'nginx runs one worker process, as the recorder is one process; wrk one thread; all on one machine, sharing its cores',
        ...notes,
      ],
    };
  } finally {
    await recorder?.stop().catch(() => undefined);
    await nginx?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
