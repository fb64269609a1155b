/**
 * Runs the built `understudy` binary the way a user or CI does, with NO_COLOR set, and returns
 * its exit code and output. `npm test` builds first, so dist/ is current.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './postgres.js';

export const binary = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

/** Runs `understudy ARGS` in `cwd` with extra environment variables. */
export function runUnderstudy(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binary, ...args],
      { cwd: options.cwd ?? repoRoot, env: env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 99;
        resolve({
          code,
          stdout,
          stderr,
          json<T>() {
            return JSON.parse(stdout) as T;
          },
        });
      },
    );
  });
}

/** A new empty directory for a test's project. */
export function tempProject(prefix = 'understudy-project-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}
