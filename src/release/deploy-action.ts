/**
 * The two steps that touch the environment: running the deploy command, and verifying the
 * result over HTTP for a window. Each ends with an outcome, never an exception: a command that
 * hangs is stopped at its timeout, a health check that does not answer counts as failed.
 */
import { spawn } from 'node:child_process';
import { fetchFailure } from '../shared/fetch-failure.js';

/** What a step ended with. */
export type StepOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Output kept with a deployment: the end of it when there is more. */
const LOG_LIMIT = 256 * 1024;

/** Collects output up to the limit, keeping the newest. */
export class DeployLog {
  private text = '';
  private cut = false;
  add(chunk: string): void {
    this.text += chunk;
    // Trimmed at twice the limit, so a chatty command costs linear time, not quadratic.
    if (this.text.length > 2 * LOG_LIMIT) this.trim();
  }
  toString(): string {
    this.trim();
    return this.cut ? `… (earlier output cut)\n${this.text}` : this.text;
  }
  private trim(): void {
    if (this.text.length <= LOG_LIMIT) return;
    this.text = this.text.slice(this.text.length - LOG_LIMIT);
    this.cut = true;
  }
}

/**
 * Runs `command` in a shell in `cwd` with `env` added to the environment; its output goes to
 * `onOutput` as it comes. Past `timeoutMs` it gets SIGTERM, and SIGKILL 5 s later.
 */
export async function runDeployCommand(options: {
  readonly command: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly onOutput: (text: string) => void;
}): Promise<StepOutcome> {
  const child = spawn(options.command, {
    shell: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  const output = (chunk: Buffer): void => options.onOutput(chunk.toString('utf8'));
  child.stdout.on('data', output);
  child.stderr.on('data', output);
  let timedOut = false;
  // The whole process group: a shell's children must not outlive a timed-out deploy.
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  let killer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    signal('SIGTERM');
    killer = setTimeout(() => signal('SIGKILL'), 5_000);
  }, options.timeoutMs);
  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', (error) => {
      options.onOutput(`${error.message}\n`);
      resolve([127, null]);
    });
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  clearTimeout(killer);
  if (timedOut)
    return {
      ok: false,
      reason: `the deploy command did not finish within ${options.timeoutMs / 1000} s`,
    };
  if (code !== 0)
    return {
      ok: false,
      reason:
        sig !== null
          ? `the deploy command was stopped by ${sig}`
          : `the deploy command exited with ${code}`,
    };
  return { ok: true };
}

/**
 * Checks `url` once a second for `forMs`: every answer must be 2xx, within `maxLatencyMs` when
 * given (and within 10 s in any case). The first failure ends the window.
 */
export async function verifyHttp(options: {
  readonly url: string;
  readonly forMs: number;
  readonly maxLatencyMs?: number;
  readonly onCheck?: (line: string) => void;
}): Promise<StepOutcome> {
  const ends = Date.now() + options.forMs;
  for (;;) {
    const started = performance.now();
    let problem: string | undefined;
    try {
      const res = await fetch(options.url, {
        signal: AbortSignal.timeout(Math.min(options.maxLatencyMs ?? 10_000, 10_000) + 1000),
        redirect: 'manual',
      });
      await res.arrayBuffer();
      const ms = performance.now() - started;
      if (res.status < 200 || res.status > 299) problem = `${options.url} answered ${res.status}`;
      else if (options.maxLatencyMs !== undefined && ms > options.maxLatencyMs)
        problem = `${options.url} took ${Math.round(ms)} ms (at most ${options.maxLatencyMs} ms allowed)`;
      else options.onCheck?.(`verify: ${res.status} in ${Math.round(ms)} ms`);
    } catch (error) {
      problem = `${options.url} did not answer (${fetchFailure(error)})`;
    }
    if (problem !== undefined) return { ok: false, reason: `verification failed: ${problem}` };
    if (Date.now() >= ends) return { ok: true };
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(1000, Math.max(0, ends - Date.now()))),
    );
  }
}

/**
 * Deploys by calling a webhook: POSTs the deployment as JSON to `url`, then polls `statusUrl`
 * (with `?deployment=ID`) once a second until it answers `{"status": "succeeded"}` or
 * `{"status": "failed", "reason": …}`; anything else means still running. A webhook that does not
 * answer, refuses, or never finishes within `timeoutMs` is a failed deploy.
 */
export async function runDeployWebhook(options: {
  readonly url: string;
  /** Polled for the outcome; without it, the deploy system calls back (`callback`). */
  readonly statusUrl?: string;
  readonly callback?: {
    /** Where the deploy system POSTs `{status, reason?, output?}`, with the token. */
    readonly url: string;
    readonly token: string;
    /** What the deploy system reported so far (read from the store). */
    readonly poll: () => Promise<{ status: string; reason?: string; output?: string } | undefined>;
  };
  readonly payload: Readonly<Record<string, string | number | Readonly<Record<string, string>>>>;
  readonly deployment: number;
  readonly timeoutMs: number;
  readonly onOutput: (text: string) => void;
}): Promise<StepOutcome> {
  const ends = Date.now() + options.timeoutMs;
  const left = (): number => Math.max(1, Math.min(10_000, ends - Date.now()));
  try {
    const res = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'understudy' },
      // A deploy that calls back is told where, and with which one-time token.
      body: JSON.stringify({
        ...options.payload,
        ...(options.callback === undefined
          ? {}
          : { callback: { url: options.callback.url, token: options.callback.token } }),
      }),
      signal: AbortSignal.timeout(left()),
    });
    await res.arrayBuffer();
    if (!res.ok) return { ok: false, reason: `the deploy webhook answered ${res.status}` };
    options.onOutput(`webhook: ${options.url} accepted the deploy (${res.status})\n`);
  } catch (error) {
    return { ok: false, reason: `the deploy webhook did not answer: ${fetchFailure(error)}` };
  }
  if (options.statusUrl === undefined) {
    const callback = options.callback;
    if (callback === undefined)
      throw new Error('a webhook deploy needs a status URL or a callback');
    options.onOutput(`webhook: waiting for the callback at ${callback.url}\n`);
    while (Date.now() < ends) {
      const got = await callback.poll().catch(() => undefined);
      if (got !== undefined) {
        if (got.output !== undefined && got.output !== '')
          options.onOutput(got.output.endsWith('\n') ? got.output : `${got.output}\n`);
        options.onOutput(`webhook: callback ${got.status}\n`);
        return got.status === 'succeeded'
          ? { ok: true }
          : {
              ok: false,
              reason: `the deploy webhook reported a failure${got.reason === undefined ? '' : `: ${got.reason}`}`,
            };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left())));
    }
    return {
      ok: false,
      reason: `the deploy webhook did not call back within ${options.timeoutMs / 1000} s`,
    };
  }
  const status = new URL(options.statusUrl);
  status.searchParams.set('deployment', String(options.deployment));
  let last = '';
  while (Date.now() < ends) {
    try {
      const res = await fetch(status, { signal: AbortSignal.timeout(left()) });
      const body = (await res.json().catch(() => ({}))) as { status?: unknown; reason?: unknown };
      const state = typeof body.status === 'string' ? body.status : `HTTP ${res.status}`;
      if (state !== last) options.onOutput(`webhook: status ${state}\n`);
      last = state;
      if (state === 'succeeded') return { ok: true };
      if (state === 'failed')
        return {
          ok: false,
          reason: `the deploy webhook reported a failure${typeof body.reason === 'string' ? `: ${body.reason}` : ''}`,
        };
    } catch (error) {
      options.onOutput(`webhook: status unavailable (${fetchFailure(error)})\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left())));
  }
  return {
    ok: false,
    reason: `the deploy webhook did not finish within ${options.timeoutMs / 1000} s (last status: ${last || 'none'})`,
  };
}

/**
 * Asks Prometheus (`/api/v1/query`) for `query` and checks the one number it gives is at most
 * `max`. No answer, an error, no sample or several samples fail the check: a threshold without
 * evidence is not green.
 */
export async function verifyPrometheus(options: {
  readonly url: string;
  readonly query: string;
  readonly max: number;
}): Promise<StepOutcome & { readonly value?: number }> {
  const endpoint = new URL('/api/v1/query', options.url);
  endpoint.searchParams.set('query', options.query);
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(10_000) });
    body = (await res.json()) as typeof body;
  } catch (error) {
    return { ok: false, reason: `Prometheus did not answer: ${fetchFailure(error)}` };
  }
  if (body.status !== 'success')
    return {
      ok: false,
      reason: `Prometheus refused the query: ${body.error ?? 'no reason given'}`,
    };
  const result = body.data?.result;
  const samples: unknown[] =
    body.data?.resultType === 'scalar'
      ? [result]
      : Array.isArray(result)
        ? result.map((r) => (r as { value?: unknown }).value)
        : [];
  if (samples.length !== 1)
    return {
      ok: false,
      reason: `the Prometheus query gave ${samples.length} samples, not one: ${options.query}`,
    };
  const value = Number((samples[0] as [number, string] | undefined)?.[1]);
  if (!Number.isFinite(value))
    return { ok: false, reason: `the Prometheus query gave no number: ${options.query}` };
  return value <= options.max
    ? { ok: true, value }
    : {
        ok: false,
        value,
        reason: `verification failed: ${options.query} is ${value}, above ${options.max}`,
      };
}
