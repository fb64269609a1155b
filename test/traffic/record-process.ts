/**
 * Runs the built `understudy record` as a user would — a child process with NO_COLOR — and
 * talks to it: where it listens (read from its output), its health counters, and a stop by
 * SIGINT that returns its exit code and output.
 */
import { spawn } from 'node:child_process';
import { binary } from '../harness/cli.js';
import type { HealthDocument } from '../../src/traffic/record-proxy.js';

/** A running recorder. */
export interface RecorderProcess {
  readonly url: string;
  health(): Promise<HealthDocument>;
  /** SIGINT, then waits for the exit. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `understudy record ARGS` and waits until it says where it listens. */
export function startRecorder(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<RecorderProcess> {
  const child = spawn(process.execPath, [binary, 'record', ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the recorder did not start:\n${stdout}\n${stderr}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the recorder exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
    const check = (): void => {
      const m = /recording (https?:\/\/\S+) →/.exec(stdout + stderr);
      if (m === null) return;
      clearTimeout(timer);
      const url = m[1]!;
      resolve({
        url,
        async health() {
          const response = await fetch(`${url}/__understudy/health`);
          return (await response.json()) as HealthDocument;
        },
        async stop() {
          child.kill('SIGINT');
          const code = await exited;
          return { code, stdout, stderr };
        },
      });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
  });
}

/** Waits until `check` resolves true (polling), or fails after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
