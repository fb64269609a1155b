/**
 * The world behind `understudy demo`: two real PostgreSQL servers ("production" and "staging"),
 * the sample shop running v1 in production, a project folder with its `understudy.yaml`, and a
 * shared PostgreSQL store — then the story (`demo-story.ts`) told against it with the real
 * binary. Everything started is tracked and stopped by `close()`, also when starting fails or is
 * interrupted half-way.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startLocalServer, type LocalServer } from '../postgres/local-server.js';
import { DEMO_ENV, demoConfigYaml, demoDotenv, demoEnvScript } from './demo-config.js';
import { DemoProcesses } from './demo-processes.js';
import { runStory, type DemoPerson } from './demo-story.js';
import type { DemoSummary } from './demo-summary.js';
import { loadSampleData, runSql } from './sample-data.js';
import {
  deploySample,
  killSampleNow,
  RUN_DIR,
  stopSample,
  writeWorldState,
} from './sample-deploy.js';

export interface DemoWorldOptions {
  /** An empty folder for the project (kept afterwards); default: a new temporary one, removed. */
  readonly dir?: string;
  /** Progress, one line per step. */
  readonly log: (line: string) => void;
  /** Requests the shoppers send through the recorder (default 600). */
  readonly requests?: number;
  /** Aborting stops whatever runs and cleans up; `startDemoWorld` then rejects. */
  readonly signal?: AbortSignal;
}

export interface DemoWorld {
  /** The project folder: `understudy.yaml`, `env/`, `captures/`, `run/` (pids, logs). */
  readonly dir: string;
  readonly configFile: string;
  /** The shared state store (a database on the staging server). */
  readonly storeUrl: string;
  /**
   * The variables `understudy.yaml` refers to (database URLs, keys, the store): add them to the
   * environment of anything that loads the configuration. No identity is among them.
   */
  readonly env: Readonly<Record<string, string>>;
  readonly summary: DemoSummary;
  /** The people the story enrolled (admin first, then the approver): tokens and TOTP secrets. */
  readonly people: readonly DemoPerson[];
  /** The CI token that created and promoted the releases. */
  readonly ciToken: string;
  /**
   * A current TOTP code for one of `people` (by name) that the store has not seen: the story
   * used some already, and each is accepted once. May wait up to half a minute for the next.
   */
  totpCode(name: string): Promise<string>;
  /** Stops the services, the servers and the processes, and removes the temporary folder. */
  close(): Promise<void>;
}

/** Starts the world and tells the story; resolves once the summary is there. */
export async function startDemoWorld(options: DemoWorldOptions): Promise<DemoWorld> {
  const { log, signal } = options;
  const started = performance.now();
  const cleanups: (() => Promise<void>)[] = [];
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      // Newest first: processes before the services that use the servers, the folder last.
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    })();
    return closed;
  };
  // Should the process end without `close()` (a second Ctrl-C), what can be undone at once is:
  // the services are killed and the folders removed (the servers get SIGQUIT from local-server).
  const leftovers = new Set<string>();
  let projectDir: string | undefined;
  let cli: DemoProcesses | undefined;
  const onExit = (): void => {
    cli?.killAllNow();
    if (projectDir !== undefined)
      for (const env of ['production', 'staging']) killSampleNow(projectDir, env);
    for (const folder of leftovers) rmSync(folder, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  cleanups.push(() => {
    process.off('exit', onExit);
    return Promise.resolve();
  });
  try {
    const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'understudy-demo-')));
    projectDir = dir;
    if (options.dir === undefined) {
      leftovers.add(dir);
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
    }
    for (const sub of [RUN_DIR, 'env', 'captures'])
      await mkdir(path.join(dir, sub), { recursive: true });

    const since = (from: number): string => `${((performance.now() - from) / 1000).toFixed(1)} s`;
    let phase = performance.now();
    const servers = await Promise.allSettled(
      ['production', 'staging'].map((env) => startLocalServer({ name: `understudy-demo-${env}` })),
    );
    for (const s of servers)
      if (s.status === 'fulfilled') {
        cleanups.push(() => s.value.stop());
        leftovers.add(path.dirname(s.value.dataDir));
      }
    const [production, staging] = servers.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }) as [LocalServer, LocalServer];
    log(`✓ PostgreSQL for production and staging started (${since(phase)})`);
    signal?.throwIfAborted();

    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await freePort());
    const [productionPort, stagingPort, proxyPort] = [...ports];
    const urls = {
      production: `http://127.0.0.1:${productionPort}`,
      staging: `http://127.0.0.1:${stagingPort}`,
      proxy: `http://127.0.0.1:${proxyPort}`,
      productionDatabase: `postgres://127.0.0.1:${production.port}/shop`,
      stagingDatabase: `postgres://127.0.0.1:${staging.port}/shop`,
    };
    const port = (url: string): number => Number(new URL(url).port);
    const storeUrl = staging.urlFor('understudy');
    await Promise.all([
      runSql(production.url, 'CREATE DATABASE shop'),
      runSql(staging.url, 'CREATE DATABASE shop'),
      runSql(staging.url, 'CREATE DATABASE understudy'),
    ]);
    phase = performance.now();
    await loadSampleData(production.urlFor('shop'));
    log(`✓ production database loaded with the shop's customers and orders (${since(phase)})`);
    signal?.throwIfAborted();

    const env: Record<string, string> = {
      [DEMO_ENV.productionDatabase]: production.urlFor('shop'),
      [DEMO_ENV.stagingDatabase]: staging.urlFor('shop'),
      [DEMO_ENV.store]: storeUrl,
      [DEMO_ENV.maskKey]: `demo-mask-${randomBytes(12).toString('hex')}`,
      [DEMO_ENV.redactKey]: `demo-redact-${randomBytes(12).toString('hex')}`,
    };
    const configFile = path.join(dir, 'understudy.yaml');
    await writeFile(
      configFile,
      demoConfigYaml({
        production: port(urls.production),
        staging: port(urls.staging),
        proxy: port(urls.proxy),
      }),
    );
    await writeFile(path.join(dir, 'env', 'production.env'), demoDotenv('production'));
    await writeFile(path.join(dir, 'env', 'staging.env'), demoDotenv('staging'));
    await writeFile(path.join(dir, RUN_DIR, 'env.sh'), demoEnvScript(env), { mode: 0o600 });
    await writeWorldState(dir, {
      ownerPid: process.pid,
      environments: {
        production: { port: port(urls.production), database: env[DEMO_ENV.productionDatabase]! },
        staging: { port: port(urls.staging), database: env[DEMO_ENV.stagingDatabase]! },
      },
    });

    // Production ran v1 before Understudy arrived; the story then promotes v1 there properly.
    cleanups.push(() => stopSample(dir, 'production'));
    cleanups.push(() => stopSample(dir, 'staging'));
    phase = performance.now();
    await deploySample(dir, 'production', 'v1');
    log(`✓ production runs demo-shop v1 at ${urls.production} (${since(phase)})`);
    signal?.throwIfAborted();

    // The commands get the demo's variables, and none of the caller's Understudy identity.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => key !== 'UNDERSTUDY_TOKEN' && key !== 'UNDERSTUDY_TOTP',
      ),
    );
    const commands = new DemoProcesses(dir, { ...inherited, ...env });
    cli = commands;
    cleanups.push(() => commands.stopAll());
    const onAbort = (): void => void commands.stopAll();
    signal?.addEventListener('abort', onAbort, { once: true });
    let story: Awaited<ReturnType<typeof runStory>>;
    try {
      story = await runStory({
        cli: commands,
        urls,
        log,
        requests: options.requests ?? 600,
        ...(signal === undefined ? {} : { signal }),
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    return {
      dir,
      configFile,
      storeUrl,
      env,
      summary: {
        dir,
        urls,
        ...story.summary,
        durationMs: Math.round(performance.now() - started),
      },
      people: story.people,
      ciToken: story.ciToken,
      totpCode(name) {
        const person = story.people.find((p) => p.name === name);
        if (person === undefined)
          return Promise.reject(new Error(`the demo enrolled nobody named ${name}`));
        return story.codes.next(person);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
