/**
 * The demo's child processes: `understudy` commands run as the real built binary, each in a
 * process group of its own, so a Ctrl-C in the terminal reaches only the demo, which then stops
 * every group it started — never anything else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { distDemoDir, stopProcessGroup } from './sample-deploy.js';

/** The built `understudy` binary. */
export const cliBinary = path.resolve(distDemoDir, '..', 'cli', 'main.js');

/** What one finished command gave. */
export interface CliResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** A long-running command (the recorder): its output so far, and how to stop it. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves once stderr has printed a line matching `pattern`; rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` and resolves with the result once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts and tracks the demo's processes; `stopAll` ends every group still running. */
export class DemoProcesses {
  private readonly running = new Set<ChildProcess>();

  constructor(
    private readonly cwd: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  private spawnCli(
    args: readonly string[],
    extraEnv: Readonly<Record<string, string>> = {},
    input?: string,
  ): ChildProcess {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...this.env, ...extraEnv, NO_COLOR: '1' }))
      if (value !== undefined && key !== 'FORCE_COLOR') env[key] = value;
    const child = spawn(process.execPath, [cliBinary, ...args], {
      cwd: this.cwd,
      env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    if (input !== undefined) child.stdin?.end(input);
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    return child;
  }

  /**
   * Runs `understudy ARGS` to its end, with `env` added (at most `timeoutMs`, then its group is
   * stopped).
   */
  run(
    args: readonly string[],
    options: { env?: Readonly<Record<string, string>>; timeoutMs?: number; input?: string } = {},
  ): Promise<CliResult> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? 120_000;
    const child = this.spawnCli(args, options.env, options.input);
    const finished = collect(child, args, started);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) void stopProcessGroup(child.pid, 2_000);
    }, timeoutMs);
    return finished.finally(() => clearTimeout(timer));
  }

  /** Starts `understudy ARGS` and leaves it running. */
  start(args: readonly string[]): RunningCli {
    const started = performance.now();
    const child = this.spawnCli(args);
    const finished = collect(child, args, started);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return {
      child,
      waitFor(pattern, timeoutMs) {
        return new Promise((resolve, reject) => {
          const check = (): void => {
            if (pattern.test(stderr)) done(undefined);
          };
          const timer = setTimeout(
            () => done(new Error(`understudy ${args[0] ?? ''} did not start: ${stderr.trim()}`)),
            timeoutMs,
          );
          const onExit = (): void =>
            done(new Error(`understudy ${args[0] ?? ''} exited: ${stderr.trim()}`));
          const done = (error: Error | undefined): void => {
            clearTimeout(timer);
            child.stderr?.off('data', check);
            child.off('exit', onExit);
            if (error === undefined) resolve();
            else reject(error);
          };
          child.stderr?.on('data', check);
          child.once('exit', onExit);
          check();
        });
      },
      async stop(signal = 'SIGINT') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return finished;
      },
    };
  }

  /** Kills every process group still running at once, synchronously: for a process that is exiting. */
  killAllNow(): void {
    for (const child of this.running) {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  /** Stops every process group this instance started and that is still running. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running].map(async (child) => {
        if (child.pid !== undefined) await stopProcessGroup(child.pid, 3_000);
      }),
    );
  }
}

function collect(
  child: ChildProcess,
  args: readonly string[],
  started: number,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => {
    child.once('error', (error) =>
      resolve({ args, code: 127, stdout, stderr: `${stderr}${error.message}`, ms: 0 }),
    );
    child.once('close', (code, signal) =>
      resolve({
        args,
        code: code ?? (signal === null ? 99 : 128),
        stdout,
        stderr,
        ms: Math.round(performance.now() - started),
      }),
    );
  });
}
