/**
 * A whole recording run: start the recording thread (which opens the capture writer), start the
 * proxy in front of it, wait until told to stop, then drain — requests in flight finish, their
 * records are written, the last file is closed — and return the counters. The command only resolves settings and prints.
 */
import { readFile } from 'node:fs/promises';
import { UnderstudyError, messageOf } from '../shared/errors.js';
import { displayUrl, startRecordProxy, type HealthDocument } from './record-proxy.js';
import type { SamplingOptions } from './record-sampling.js';
import { startRecordThread } from './record-thread.js';
import type { RedactorOptions } from './redact.js';

/** Everything a run needs, resolved (paths absolute). */
export interface RecordRunOptions {
  readonly upstream: URL;
  readonly host?: string;
  readonly port: number;
  readonly dir: string;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly redaction: RedactorOptions;
  readonly sampling: SamplingOptions;
  /** PEM files to terminate TLS with. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Written into every capture file's header (`understudy 0.1.0`). */
  readonly writer: string;
  /** Called once the proxy listens. */
  onListening?(info: { url: string; upstream: string; dir: string }): void;
}

/** What a finished run reports. */
export interface RecordSummary extends HealthDocument {
  readonly url: string;
  readonly dir: string;
  readonly startedAt: string;
  readonly endedAt: string;
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UnderstudyError(
      'E_INPUT',
      `cannot read the TLS ${what} ${file}: ${messageOf(error)}`,
      {
        hint: 'check traffic.record.tls (or --tls-cert / --tls-key)',
      },
    );
  }
}

/** Runs the recorder until `stop` settles; a port in use or an unusable directory fail before anything is served. */
export async function runRecorder(
  options: RecordRunOptions,
  stop: Promise<unknown>,
): Promise<RecordSummary> {
  const tls =
    options.tls === undefined
      ? undefined
      : {
          cert: await readPem(options.tls.cert, 'certificate'),
          key: await readPem(options.tls.key, 'key'),
        };
  const upstream = displayUrl(options.upstream);
  const { key, headers, query, json } = options.redaction;
  const recording = await startRecordThread({
    writer: {
      dir: options.dir,
      maxBodyBytes: options.maxBodyBytes,
      upstream,
      writer: options.writer,
    },
    redaction: {
      key: new Uint8Array(key),
      ...(headers === undefined ? {} : { headers }),
      ...(query === undefined ? {} : { query }),
      ...(json === undefined ? {} : { json }),
    },
    maxBodyBytes: options.maxBodyBytes,
  });
  const startedAt = new Date();
  let proxy;
  try {
    proxy = await startRecordProxy({
      upstream: options.upstream.href,
      ...(options.host === undefined ? {} : { host: options.host }),
      port: options.port,
      pipeline: recording,
      maxBodyBytes: options.maxBodyBytes,
      sampling: options.sampling,
      timeoutMs: options.timeoutMs,
      ...(tls === undefined ? {} : { tls }),
    });
  } catch (error) {
    await recording.close();
    throw error;
  }
  options.onListening?.({ url: proxy.url, upstream, dir: options.dir });
  await stop;
  await proxy.close();
  await recording.close();
  return {
    ...proxy.health(),
    url: proxy.url,
    dir: options.dir,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
  };
}
