/**
 * The outside programs `bench:proxy` runs: nginx (the upstream and the baseline proxy) and wrk
 * (the load), installed from Debian's packages when missing and the bench runs as root — else
 * the bench says which one it lacks. Nothing is downloaded from anywhere else.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where a program is on PATH (or in /usr/sbin, where Debian puts nginx), else undefined. */
export async function findProgram(name: string): Promise<string | undefined> {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin']) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      await run(candidate, ['-v'], { timeout: 5000 });
      return candidate;
    } catch (error) {
      // wrk -v exits 1 after printing its version: it is there all the same.
      if ((error as { code?: unknown }).code === 1) return candidate;
    }
  }
  return undefined;
}

/**
 * The program, installing its Debian package when it is missing and apt-get can be used (root).
 * Returns the path, or the reason it cannot be had.
 */
export async function ensureProgram(
  name: string,
  debianPackage: string,
  log: (line: string) => void,
): Promise<{ path: string } | { missing: string }> {
  const found = await findProgram(name);
  if (found !== undefined) return { path: found };
  if (process.getuid?.() !== 0)
    return { missing: `${name} is not installed (apt-get install ${debianPackage}, as root)` };
  log(`installing ${name} (Debian package ${debianPackage})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): Promise<unknown> =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', debianPackage], {
      env,
      timeout: 300_000,
    });
  try {
    await install().catch(async () => {
      await run('apt-get', ['update', '-q'], { env, timeout: 300_000 });
      await install();
    });
  } catch (error) {
    return {
      missing: `${name} could not be installed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const installed = await findProgram(name);
  return installed === undefined
    ? { missing: `${name} is still not found after installing ${debianPackage}` }
    : { path: installed };
}

/** A program's version line (`nginx/1.22.1`, `wrk 4.1.0`). */
export async function versionOf(program: string): Promise<string> {
  const result = await run(program, ['-v'], { timeout: 5000 }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  );
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return (/nginx\/[\d.]+/.exec(text) ?? /wrk \S+/.exec(text))?.[0] ?? 'unknown';
}

/** A running nginx: stopped with `stop()`. */
export interface Nginx {
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts nginx with one worker process in `dir`: an upstream on `upstreamPort` answering `body`
 * to every request, and, with `proxyPort`, a plain reverse proxy to it with keep-alive upstream
 * connections, as nginx's documentation configures one.
 */
export async function startNginx(
  program: string,
  dir: string,
  options: { upstreamPort: number; proxyPort?: number; body: string },
): Promise<Nginx> {
  await mkdir(dir, { recursive: true });
  const temp = (name: string): string => `${name}_temp_path ${path.join(dir, name)};`;
  const proxy =
    options.proxyPort === undefined
      ? ''
      : `
  upstream app { server 127.0.0.1:${options.upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${options.proxyPort};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }`;
  const config = `worker_processes 1;
daemon off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${options.upstreamPort};
    location / {
      default_type application/json;
      return 200 '${options.body.replace(/'/g, "\\'")}';
    }
  }${proxy}
}
`;
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child = spawn(program, ['-c', file, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ports = [
    options.upstreamPort,
    ...(options.proxyPort === undefined ? [] : [options.proxyPort]),
  ];
  for (const port of ports)
    await waitForPort(
      port,
      () => child.exitCode !== null,
      () => stderr,
    );
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT');
      await once(child, 'exit');
    },
  };
}

/** Waits until something answers HTTP on the port (nginx and the recorder start in ms). */
export async function waitForPort(
  port: number,
  exited: () => boolean,
  why: () => string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited()) throw new Error(`exited before listening on ${port}: ${why()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after 15 s: ${why()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** What one wrk run measured. */
export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connect, read, write and timeout errors, and answers that were not 2xx or 3xx. */
  readonly errors: number;
}

/**
 * wrk's summary as one JSON object (its `done` hook), with the headers a browser behind a load
 * balancer sends — a bearer token and a session cookie, which the recorder must redact.
 */
const wrkScript = `
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
wrk.headers["Cookie"] = "sid=9f86d081884c7d659a2feaa0c55ad015; theme=dark"
wrk.headers["User-Agent"] = "understudy-bench"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"us":%d,"p50":%d,"p99":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
`;

/** Runs wrk against `url` for `seconds` and returns its figures. */
export async function runWrk(
  program: string,
  url: string,
  options: { threads: number; connections: number; seconds: number; dir: string },
): Promise<LoadResult> {
  const script = path.join(options.dir, 'bench.lua');
  await writeFile(script, wrkScript);
  const { stdout } = await run(
    program,
    [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '5s',
      '-s',
      script,
      url,
    ],
    { timeout: (options.seconds + 30) * 1000, maxBuffer: 1 << 20 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`);
  const figures = JSON.parse(line) as {
    requests: number;
    us: number;
    p50: number;
    p99: number;
    errors: number;
  };
  const seconds = figures.us / 1e6;
  return {
    requests: figures.requests,
    seconds: round(seconds, 2),
    requestsPerSecond: Math.round(figures.requests / seconds),
    p50Ms: round(figures.p50 / 1000, 3),
    p99Ms: round(figures.p99 / 1000, 3),
    errors: figures.errors,
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
