/**
 * Helpers for the recording proxy's tests: an in-memory capture sink, real upstream servers on
 * loopback, a self-signed certificate made with openssl at test time, and a small HTTP client.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CaptureRecord, CaptureSink, RecorderStats } from './capture-format.js';

/** A sink that keeps records in memory (offer never refuses). */
export function memorySink(): CaptureSink & { records: CaptureRecord[] } {
  const records: CaptureRecord[] = [];
  return {
    records,
    offer(record) {
      records.push(record);
      return true;
    },
    stats(): RecorderStats {
      return {
        recorded: records.length,
        dropped: 0,
        dropReasons: {},
        bytes: 0,
        queued: 0,
        skipped: 0,
      };
    },
    close: () => Promise.resolve(),
  };
}

/** A server on 127.0.0.1 and an ephemeral port. */
export interface Started {
  readonly server: http.Server;
  readonly port: number;
  readonly url: string;
  /** Connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

/** Starts `handler` as an HTTP (or, with `tls`, HTTPS) server on loopback. */
export async function startUpstream(
  handler: http.RequestListener,
  tls?: { cert: string; key: string },
): Promise<Started> {
  const server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  let connections = 0;
  server.on(tls === undefined ? 'connection' : 'secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    port,
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
export async function selfSigned(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-cert-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-days',
      '1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]);
    return {
      cert: await readFile(path.join(dir, 'cert.pem'), 'utf8'),
      key: await readFile(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A response as the client saw it. */
export interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  header(name: string): string | undefined;
  /** Every value of a repeated header. */
  all(name: string): string[];
}

/** Sends one request and reads the whole answer. */
export function send(
  url: string,
  options: http.RequestOptions & { body?: string | Buffer; ca?: string } = {},
): Promise<Answer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = res.rawHeaders;
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          rawHeaders: raw,
          body: Buffer.concat(chunks),
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
          all: (name) => {
            const out: string[] = [];
            for (let i = 0; i < raw.length; i += 2)
              if (raw[i]!.toLowerCase() === name.toLowerCase()) out.push(raw[i + 1]!);
            return out;
          },
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
