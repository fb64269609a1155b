/**
 * `understudy record`'s proxy: an HTTP/1.1 reverse proxy (optionally terminating TLS) in front of
 * one upstream, recording what passes through without ever holding a request up. The request
 * path only forwards and keeps references to body chunks; when an exchange ends it is handed to
 * the recording pipeline, which builds, redacts and offers the record later. `/__understudy/health`
 * answers with the counters and is never forwarded.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Pool } from 'undici';
import { UnderstudyError } from '../shared/errors.js';
import type { CaptureSink, RecorderStats } from './capture-format.js';
import { forward, type ForwardOutcome } from './proxy-forward.js';
import { clientAddress, plainAddress, upstreamRequestHeaders } from './proxy-headers.js';
import { tunnelUpgrade } from './proxy-upgrade.js';
import { BodyCopy, createBudget } from './record-body.js';
import { sessionTokenizer } from './record-exchange.js';
import { createRecordPipeline, type RecordPipeline } from './record-pipeline.js';
import { createSampler, type SamplingOptions } from './record-sampling.js';
import type { Redactor } from './redact.js';

/** The path of the health endpoint. */
export const HEALTH_PATH = '/__understudy/health';

/** Where the proxy's exchanges are recorded: a pipeline, or the parts to build one in this thread. */
export type RecordingOptions =
  | { readonly pipeline: RecordPipeline }
  | {
      readonly sink: CaptureSink;
      readonly redact: Redactor;
      /** The redaction key, for session tokens. */
      readonly key: Buffer;
      /** Exchanges being built at once before more are dropped (default 10,000). */
      readonly maxPending?: number;
    };

export type RecordProxyOptions = RecordingOptions & {
  /** Where requests go: `http://host:port` or `https://…`, with an optional base path. */
  readonly upstream: string;
  readonly host?: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly sampling?: SamplingOptions;
  /** How long the upstream may take to send headers, and to send the next body chunk. */
  readonly timeoutMs?: number;
  /** Terminate TLS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Extra trust for an HTTPS upstream (PEM), beyond the system's and NODE_EXTRA_CA_CERTS. */
  readonly upstreamCa?: string | Buffer;
  /** Bytes of body copies held at once across all exchanges (default: 64 MiB or 8 bodies). */
  readonly memoryBudget?: number;
};

/** What the health endpoint answers. */
export interface HealthDocument extends RecorderStats {
  readonly status: 'ok';
  readonly uptimeSeconds: number;
  readonly upstream: string;
  /** Requests received (health checks not counted). */
  readonly requests: number;
  /** Requests the proxy answered itself because the upstream failed (502, 504). */
  readonly upstreamErrors: number;
  readonly inFlight: number;
}

/** A running proxy. */
export interface RecordProxy {
  /** The URL clients use (`http://127.0.0.1:8080`). */
  readonly url: string;
  readonly port: number;
  health(): HealthDocument;
  /** Stops accepting, lets requests in flight finish (at most `drainMs`), waits for their records. */
  close(drainMs?: number): Promise<void>;
}

/** The upstream without credentials, for display and for capture headers. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

function listenError(error: NodeJS.ErrnoException, host: string | undefined, port: number): Error {
  const where = host === undefined ? `port ${port}` : `${host}:${port}`;
  if (error.code === 'EADDRINUSE')
    return new UnderstudyError(
      'E_USAGE',
      `cannot listen on ${where}: port ${port} is already in use`,
      {
        hint: 'stop what uses it, or pick another with --listen PORT',
      },
    );
  if (error.code === 'EACCES')
    return new UnderstudyError('E_USAGE', `cannot listen on ${where}: permission denied`, {
      hint: 'ports below 1024 need privileges; pick another with --listen PORT',
    });
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
    return new UnderstudyError('E_USAGE', `cannot listen on ${where}: no such local address`, {
      hint: 'use an address of this machine, e.g. --listen 127.0.0.1:8080',
    });
  return error;
}

/** `http://host/path?q` (absolute form, as sent to forward proxies) → `/path?q`. */
function originForm(url: string): string {
  if (url.startsWith('/') || !/^https?:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/** Starts the proxy; a port in use is an `E_USAGE` error naming it. */
export async function startRecordProxy(options: RecordProxyOptions): Promise<RecordProxy> {
  const upstream = new URL(options.upstream);
  const base = upstream.pathname.replace(/\/$/, '');
  const upstreamHost = upstream.host;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const pool = new Pool(upstream.origin, {
    connectTimeout: Math.min(timeoutMs, 10_000),
    keepAliveTimeout: 4_000,
    ...(options.upstreamCa === undefined ? {} : { connect: { ca: options.upstreamCa } }),
  });
  const budget = createBudget(
    options.memoryBudget ?? Math.max(64 * 1024 * 1024, 8 * options.maxBodyBytes),
  );
  const sampler = createSampler(options.sampling ?? {});
  const pipeline =
    'pipeline' in options
      ? options.pipeline
      : createRecordPipeline({
          sink: options.sink,
          maxPending: options.maxPending ?? 10_000,
          maxBodyBytes: options.maxBodyBytes,
          redact: options.redact,
          sessionToken: sessionTokenizer(options.key),
        });
  const proto = options.tls === undefined ? 'http' : 'https';
  let requests = 0;
  let upstreamErrors = 0;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const health = (): HealthDocument => ({
    status: 'ok',
    uptimeSeconds: Math.round((performance.now() - started) / 100) / 10,
    upstream: displayUrl(upstream),
    requests,
    upstreamErrors,
    inFlight,
    ...pipeline.stats(),
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = originForm(req.url ?? '/');
    const method = req.method ?? 'GET';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (path === HEALTH_PATH) {
      const text = `${JSON.stringify(health())}\n`;
      res.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(text),
      });
      res.end(method === 'HEAD' ? undefined : text);
      req.resume();
      return;
    }
    requests++;
    inFlight++;
    const startedAt = Date.now();
    const start = performance.now();
    const raw = req.rawHeaders;
    const client = plainAddress(req.socket.remoteAddress);
    const sessionKey = sampler.sessionKey(raw, clientAddress(raw, req.socket.remoteAddress));
    const recording = sampler.keep(method, path, sessionKey);
    if (!recording) pipeline.skip();
    const requestCopy = recording ? new BodyCopy(options.maxBodyBytes, budget) : undefined;
    const responseCopy = recording ? new BodyCopy(options.maxBodyBytes, budget) : undefined;
    const done = (outcome: ForwardOutcome): void => {
      const end = performance.now();
      inFlight--;
      if (outcome.proxyStatus !== undefined) upstreamErrors++;
      if (inFlight === 0) idle?.();
      if (!recording) return;
      pipeline.submit({
        startedAt,
        method,
        url,
        httpVersion: req.httpVersion,
        requestHeaders: raw,
        requestBody: requestCopy,
        sessionKey,
        status: outcome.status,
        statusText: outcome.statusText,
        responseHeaders: outcome.responseHeaders,
        responseBody: responseCopy,
        ttfbMs: outcome.headersAt === undefined ? undefined : outcome.headersAt - start,
        durationMs: end - start,
        error: outcome.error,
      });
    };
    forward(
      pool,
      base + url,
      {
        req,
        res,
        headers: upstreamRequestHeaders(raw, { client, proto, upstreamHost }),
        requestCopy,
        responseCopy,
        done,
      },
      timeoutMs,
    );
  };

  const server: Server =
    options.tls === undefined
      ? createHttpServer(handle)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle);
  // Longer than the idle timeout of common load balancers (60 s), so they never reuse a
  // connection this side is closing; uploads and long downloads have no overall limit.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  // Upgraded connections leave the server's keep-alive bookkeeping: tracked here to end on close.
  const tunnels = new Set<Socket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    tunnelUpgrade(req, socket, head, {
      upstream,
      base,
      upstreamHost,
      proto,
      client: plainAddress(socket.remoteAddress),
      ...(options.upstreamCa === undefined ? {} : { ca: options.upstreamCa }),
    });
  });
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(listenError(error, options.host, options.port));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shownHost =
    options.host === undefined || options.host === '0.0.0.0' || options.host === '::'
      ? 'localhost'
      : options.host.includes(':')
        ? `[${options.host}]`
        : options.host;

  return {
    url: `${proto}://${shownHost}:${port}`,
    port,
    health,
    async close(drainMs = 10_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, drainMs).unref();
        });
      }
      server.closeAllConnections();
      for (const socket of tunnels) socket.destroy();
      await closed;
      await pipeline.drain(drainMs);
      // A request still hanging after the drain is cut off rather than waited for.
      const timer = setTimeout(() => void pool.destroy().catch(() => undefined), drainMs);
      await pool.close().catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
