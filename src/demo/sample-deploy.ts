/**
 * Deploys the sample service into one demo environment: runs the version's migration, stops the
 * process running there, starts the new version in a process group of its own (so it outlives the
 * deploy command that started it), and waits until `/version` names it. The demo's
 * `release.ENV.deploy.run` calls it as a process, from the demo's directory:
 *
 *   node dist/demo/sample-deploy.js ENV VERSION
 *
 * Where each environment listens and which database it uses come from `run/world.json`, written
 * by the demo world, so no secret is written into understudy.yaml.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSampleVersion, migrateToVersion, type SampleVersion } from './sample-data.js';
import { isMainModule } from '../shared/main-module.js';

/** Where an environment's service listens and what it connects to. */
export interface SampleEnvironment {
  readonly port: number;
  readonly database: string;
}

/** `run/world.json`: what a deploy needs to know about the demo world. */
export interface WorldState {
  /** The demo's process: services stop by themselves once it is gone. */
  readonly ownerPid: number;
  readonly environments: Readonly<Record<string, SampleEnvironment>>;
}

/** The folder, inside the demo's directory, holding the state, pid and log files. */
export const RUN_DIR = 'run';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built folder of the demo: services always run from `dist/`, also when this runs from source. */
export const distDemoDir = import.meta.url.endsWith('.ts')
  ? path.resolve(here, '..', '..', 'dist', 'demo')
  : here;

const pidFile = (dir: string, env: string): string => path.join(dir, RUN_DIR, `${env}.pid`);

/** Writes `run/world.json` (only the owner may read it: it holds database passwords). */
export async function writeWorldState(dir: string, state: WorldState): Promise<void> {
  await writeFile(path.join(dir, RUN_DIR, 'world.json'), `${JSON.stringify(state, null, 2)}\n`, {
    mode: 0o600,
  });
}

async function readWorldState(dir: string): Promise<WorldState> {
  return JSON.parse(await readFile(path.join(dir, RUN_DIR, 'world.json'), 'utf8')) as WorldState;
}

/** Whether `pid` still runs. A zombie does not: it has exited, and waits for a parent to reap it. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A service whose deploy command has ended is reaped by init, which may take its time.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return !existsSync('/proc/self');
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Signals the whole process group led by `pid`; false when it is gone already. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopProcessGroup(pid: number, graceMs = 5_000): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(25);
  if (alive(pid)) {
    signalGroup(pid, 'SIGKILL');
    const killed = Date.now() + 5_000;
    while (alive(pid) && Date.now() < killed) await sleep(25);
  }
}

/** Stops the service running in `env` (if any) and forgets it. */
export async function stopSample(dir: string, env: string): Promise<void> {
  const file = pidFile(dir, env);
  const pid = Number(await readFile(file, 'utf8').catch(() => ''));
  if (Number.isInteger(pid) && pid > 0) await stopProcessGroup(pid);
  await rm(file, { force: true });
}

/** Kills the service running in `env` at once, synchronously: for a process that is exiting. */
export function killSampleNow(dir: string, env: string): void {
  try {
    const pid = Number(readFileSync(pidFile(dir, env), 'utf8'));
    if (Number.isInteger(pid) && pid > 0) signalGroup(pid, 'SIGKILL');
  } catch {
    // nothing runs there
  }
}

async function answersVersion(url: string, version: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { version?: unknown };
    return res.ok && body.version === version;
  } catch {
    return false;
  }
}

/**
 * Deploys `version` into `env` of the demo in `dir`; `log` gets a line per step. Throws when the
 * new version does not come up.
 */
export async function deploySample(
  dir: string,
  env: string,
  version: SampleVersion,
  log: (line: string) => void = () => undefined,
): Promise<{ pid: number; url: string }> {
  const world = await readWorldState(dir);
  const target = world.environments[env];
  if (target === undefined) throw new Error(`no environment ${env} in the demo world`);
  await migrateToVersion(target.database, version);
  log(`migrated ${env}'s database to ${version}`);
  await stopSample(dir, env);
  const logFile = path.join(dir, RUN_DIR, `${env}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      path.join(distDemoDir, 'sample-service.js'),
      '--version',
      version,
      '--port',
      String(target.port),
      '--database',
      target.database,
      '--owner-pid',
      String(world.ownerPid),
    ],
    // Its own process group, its output in a file: it outlives the deploy command, and the
    // deploy's output pipe closes when the deploy ends.
    { detached: true, stdio: ['ignore', out, out], cwd: dir },
  );
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('the sample service did not start');
  await writeFile(pidFile(dir, env), `${pid}\n`);
  const url = `http://127.0.0.1:${target.port}`;
  const deadline = Date.now() + 15_000;
  while (!(await answersVersion(url, version))) {
    if (!alive(pid) || Date.now() > deadline) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3);
      throw new Error(`${version} did not come up in ${env}: ${tail.join(' | ')}`);
    }
    await sleep(50);
  }
  log(`${env} runs ${version} at ${url} (pid ${pid})`);
  return { pid, url };
}

if (isMainModule(import.meta.url)) {
  const [env, version] = process.argv.slice(2);
  if (env === undefined || version === undefined || !isSampleVersion(version)) {
    process.stderr.write('usage: sample-deploy ENV v1|v2   (from the demo directory)\n');
    process.exit(2);
  }
  deploySample(process.cwd(), env, version, (line) => process.stdout.write(`${line}\n`)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`deploy failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
