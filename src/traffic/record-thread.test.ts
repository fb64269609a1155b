import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from './capture-format.js';
import { readCapture } from './capture-read.js';
import { BodyCopy, createBudget } from './record-body.js';
import type { RawExchange } from './record-exchange.js';
import { startRecordThread, type RecordThreadOptions } from './record-thread.js';

const key = new TextEncoder().encode('a recording-thread test key');

function exchange(n: number, budget = createBudget(1 << 30)): RawExchange {
  const request = new BodyCopy(1 << 20, budget);
  request.add(Buffer.from(`{"password":"hunter${n}","n":${n}}`));
  const response = new BodyCopy(1 << 20, budget);
  response.add(gzipSync(`{"email":"user${n}@example.com","n":${n}}`));
  return {
    startedAt: Date.UTC(2026, 10, 21, 10, 0, 0, n),
    method: 'POST',
    url: `/login?n=${n}`,
    httpVersion: '1.1',
    requestHeaders: [
      'Host',
      'shop.example',
      'Authorization',
      `Bearer secret-${n}`,
      'Content-Type',
      'application/json',
    ],
    requestBody: request,
    sessionKey: `session-${n % 3}`,
    status: 200,
    responseHeaders: ['Content-Type', 'application/json', 'Content-Encoding', 'gzip'],
    responseBody: response,
    durationMs: 2,
  };
}

async function thread(overrides: Partial<RecordThreadOptions> = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-record-thread-'));
  const started = await startRecordThread({
    writer: { dir, maxBodyBytes: 1 << 20, flushMs: 20 },
    redaction: { key },
    maxBodyBytes: 1 << 20,
    ...overrides,
  });
  return { dir, thread: started };
}

async function records(dir: string): Promise<CaptureRecord[]> {
  const all: CaptureRecord[] = [];
  for await (const record of readCapture(dir)) all.push(record);
  return all;
}

describe('recording on its own thread', () => {
  it('writes every exchange it is handed, in order, decoded and redacted, and gives the memory back', async () => {
    const { dir, thread: t } = await thread();
    const budget = createBudget(1 << 30);
    for (let n = 0; n < 50; n++) t.submit(exchange(n, budget));
    expect(budget.used).toBe(0); // the copies were taken on the caller's turn
    await t.drain(5000);
    await t.close();
    expect(t.stats()).toMatchObject({ recorded: 50, dropped: 0, queued: 0 });

    const written = await records(dir);
    expect(written.map((r) => r.request.url)).toEqual(
      Array.from({ length: 50 }, (_, n) => `/login?n=${n}`),
    );
    const text = JSON.stringify(written);
    expect(text).not.toMatch(/hunter|secret-\d|@example\.com/);
    expect(written[7]!.response!.body!.data).toMatch(
      /^\{"email":"us_tok_email_\w+@redacted\.invalid","n":7\}$/,
    );
    // Sessions keep one token each across the run.
    expect(new Set(written.map((r) => r.session)).size).toBe(3);
  });

  it('drops and counts what would pass its bound, never holding the caller up', async () => {
    const { thread: t } = await thread({ maxPending: 5 });
    for (let n = 0; n < 40; n++) t.submit(exchange(n));
    t.skip();
    await t.drain(5000);
    await t.close();
    const stats = t.stats();
    expect(stats).toMatchObject({ recorded: 5, dropped: 35, skipped: 1 });
    expect(stats.dropReasons).toEqual({ 'recorder-busy': 35 });
  });

  it("fails to start, with the writer's error, when the capture directory is unusable", async () => {
    await expect(
      startRecordThread({
        writer: { dir: '/dev/null/captures', maxBodyBytes: 1024 },
        redaction: { key },
        maxBodyBytes: 1024,
      }),
    ).rejects.toMatchObject({ code: 'E_INPUT', message: /cannot write captures to \/dev\/null/ });
  });

  it('fails to start on a redaction rule it cannot use', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-record-thread-'));
    await expect(
      startRecordThread({
        writer: { dir, maxBodyBytes: 1024 },
        redaction: { key, json: ['user.ssn'] },
        maxBodyBytes: 1024,
      }),
    ).rejects.toMatchObject({ code: 'E_CONFIG', message: /not a JSON path/ });
  });
});
