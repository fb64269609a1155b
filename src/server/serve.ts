/**
 * The Node adapter of `understudy serve`: loads the config, opens the store, builds the app and
 * listens. A port in use is a clear E_USAGE (exit 2). `close()` stops taking connections, ends
 * event streams, waits briefly for running jobs and closes the store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadConfig, type LoadedConfig } from '../config/config-load.js';
import { UnderstudyError } from '../shared/errors.js';
import { openStore, type Store } from '../store/open-store.js';
import path from 'node:path';
import { VERSION } from '../shared/version.js';
import { notifyMoves, reservationBoard } from '../coordination/reservations.js';
import { createApp, type App } from './app.js';
import { EventHub } from './events.js';
import { JobRunner } from './jobs.js';

/** How often the server moves the reservation queue (ends leases, grants the next). */
const QUEUE_TICK_MS = 5_000;

export interface ServeOptions {
  readonly configFile?: string | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: the host of server.listen, else 127.0.0.1. */
  readonly host?: string;
  /** Default: server.listen's port (4400); 0 picks a free one. */
  readonly port?: number;
  /** Where the built dashboard is (tests). */
  readonly dashboardDir?: string;
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly app: App;
  readonly store: Store;
  readonly loaded: LoadedConfig;
  close(): Promise<void>;
}

function listenAddress(
  listen: number | string,
  host: string | undefined,
  port: number | undefined,
): { host: string; port: number } {
  let h = '127.0.0.1';
  let p = 4400;
  if (typeof listen === 'number') p = listen;
  else {
    const m = /^(.*):(\d+)$/.exec(listen);
    if (m === null)
      throw new UnderstudyError('E_CONFIG', `server.listen "${listen}" is not a port or host:port`);
    h = m[1] === '' ? '127.0.0.1' : (m[1] ?? h).replace(/^\[|\]$/g, '');
    p = Number(m[2]);
  }
  return { host: host ?? h, port: port ?? p };
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const loaded = await loadConfig({ file: options.configFile, cwd: options.cwd, env: options.env });
  const address = listenAddress(loaded.config.server.listen, options.host, options.port);
  // The port is taken first, so a port in use is named as such even when the store is busy too.
  const ready: { handle?: App['handle'] } = {};
  const server: Server = createServer((request, response) => ready.handle?.(request, response));
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 20_000;
  // Receiving a request (not answering it: event streams stay open) must not take forever.
  server.requestTimeout = 60_000;
  server.maxConnections = 1_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UnderstudyError('E_USAGE', `${address.host}:${address.port} is already in use`, {
        hint: 'stop what listens there, or choose another port with --port (or server.listen)',
      });
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new UnderstudyError(
        'E_USAGE',
        `cannot listen on ${address.host}:${address.port} (${code})`,
        { hint: 'choose another address with --host/--port (or server.listen)' },
      );
    throw error;
  }
  const fromEnv = options.env.UNDERSTUDY_STORE_URL;
  let store: Store;
  try {
    store = await openStore({
      url: fromEnv !== undefined && fromEnv !== '' ? fromEnv : loaded.config.store.url,
      dir: path.resolve(loaded.dir, loaded.config.store.dir),
    });
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const events = new EventHub(store);
  const jobs = new JobRunner(events, () => new Date(), options.log);
  const app = createApp(
    { store, loaded, events, jobs, env: options.env, version: VERSION, now: () => new Date() },
    {
      ...(options.dashboardDir === undefined ? {} : { dashboardDir: options.dashboardDir }),
      ...(options.log === undefined ? {} : { log: options.log }),
    },
  );
  ready.handle = app.handle;
  // Leases end by time and the next in line is granted even when nobody acts: reads change
  // nothing, so the server moves the reservation queue itself (and tells the webhooks).
  const ticker = setInterval(() => {
    void reservationBoard(store, loaded.config)
      .then(({ moves }) => notifyMoves(loaded.config, moves))
      .catch(() => undefined);
  }, QUEUE_TICK_MS);
  ticker.unref();
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${bound.port}`,
    app,
    store,
    loaded,
    close() {
      closing ??= (async () => {
        clearInterval(ticker);
        events.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        await jobs.drain(10_000);
        await store.close();
      })();
      return closing;
    },
  };
}
