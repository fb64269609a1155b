/** Shared by the capture writer's tests: temp directories, writers closed after each test, records. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { CaptureProblem, CaptureRecord, CaptureSink } from './capture-format.js';
import { readCapture } from './capture-read.js';
import { openCaptureWriter } from './capture-writer.js';

const dirs: string[] = [];
/** Writers opened by a test; closed after it. */
export const sinks: CaptureSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-writer-'));
  dirs.push(dir);
  return path.join(dir, 'captures');
}

export async function writer(
  options: Omit<Parameters<typeof openCaptureWriter>[0], 'maxBodyBytes'>,
) {
  const sink = await openCaptureWriter({ maxBodyBytes: 1024, ...options });
  sinks.push(sink);
  return sink;
}

/** A record with a body of `bodyBytes` random (incompressible) hex characters. */
export function record(n: number, bodyBytes = 16): CaptureRecord {
  return {
    type: 'exchange',
    id: `r-${n}`,
    session: `s-${n % 3}`,
    startedAt: new Date(Date.UTC(2026, 10, 21, 10, 15, 0, n)).toISOString(),
    durationMs: 3,
    ttfbMs: 2,
    request: { method: 'GET', url: `/items/${n}`, httpVersion: '1.1', headers: [['host', 'shop']] },
    response: {
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: {
        encoding: 'utf8',
        data: randomBytes(bodyBytes / 2).toString('hex'),
        size: bodyBytes,
        truncated: false,
      },
    },
    redactions: [],
  };
}

export async function readAll(
  target: string,
): Promise<{ records: CaptureRecord[]; problems: CaptureProblem[] }> {
  const records: CaptureRecord[] = [];
  const problems: CaptureProblem[] = [];
  for await (const r of readCapture(target, (p) => problems.push(p))) records.push(r);
  return { records, problems };
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
