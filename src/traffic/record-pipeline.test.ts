import { brotliCompressSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from './capture-format.js';
import { BodyCopy, createBudget } from './record-body.js';
import type { RawExchange } from './record-exchange.js';
import { createRecordPipeline, type PipelineOptions } from './record-pipeline.js';
import { memorySink } from './record-proxy.test-helper.js';

const budget = createBudget(1 << 30);

function exchange(n: number, body?: Buffer, encoding?: string): RawExchange {
  const copy = new BodyCopy(1 << 20, budget);
  if (body !== undefined) copy.add(body);
  return {
    startedAt: Date.UTC(2026, 10, 21, 10, 0, 0, n),
    method: 'GET',
    url: `/n/${n}`,
    httpVersion: '1.1',
    requestHeaders: ['Host', 'example.test'],
    sessionKey: '127.0.0.1',
    status: 200,
    responseHeaders: [
      'Content-Type',
      'text/plain',
      ...(encoding === undefined ? [] : ['Content-Encoding', encoding]),
    ],
    responseBody: copy,
    durationMs: 1.23456,
  };
}

function pipeline(overrides: Partial<PipelineOptions> = {}) {
  const sink = memorySink();
  const p = createRecordPipeline({
    sink,
    maxPending: 10_000,
    maxBodyBytes: 1 << 20,
    redact: (r: CaptureRecord) => r,
    sessionToken: (key) => `token-of-${key}`,
    ...overrides,
  });
  return { p, sink };
}

describe('the recording pipeline', () => {
  it('hands records to the sink in the order the exchanges ended, decoded ones included', async () => {
    const { p, sink } = pipeline();
    const text = (n: number): string => `body ${n} `.repeat(200);
    for (let n = 0; n < 60; n++) {
      const plain = Buffer.from(text(n));
      if (n % 3 === 0) p.submit(exchange(n, gzipSync(plain), 'gzip'));
      else if (n % 3 === 1) p.submit(exchange(n, brotliCompressSync(plain), 'br'));
      else p.submit(exchange(n, plain));
    }
    expect(sink.records).toEqual([]); // nothing is built on the caller's turn
    await p.drain(5000);
    expect(sink.records.map((r) => r.request.url)).toEqual(
      Array.from({ length: 60 }, (_, n) => `/n/${n}`),
    );
    expect(sink.records.every((r, n) => r.response!.body!.data === text(n))).toBe(true);
    expect(sink.records[0]).toMatchObject({ session: 'token-of-127.0.0.1', durationMs: 1.235 });
    expect(new Set(sink.records.map((r) => r.id)).size).toBe(60);
  });

  it('records the readable start of a compressed body cut off by the cap, as truncated', async () => {
    const { p, sink } = pipeline({ maxBodyBytes: 1000 });
    const plain = Buffer.from(Array.from({ length: 4000 }, (_, i) => String(i % 97)).join(','));
    const gzipped = gzipSync(plain, { level: 0 });
    const raw = exchange(1);
    raw.responseBody!.release();
    const copy = new BodyCopy(1000, budget);
    copy.add(gzipped);
    p.submit({ ...raw, responseHeaders: ['Content-Encoding', 'gzip'], responseBody: copy });
    await p.drain(5000);
    const body = sink.records[0]!.response!.body!;
    expect(body.truncated).toBe(true);
    expect(body.size).toBe(gzipped.length);
    expect(plain.toString().startsWith(body.data)).toBe(true);
    expect(body.data.length).toBeGreaterThan(900);
  });

  it('drops and counts what it cannot take: too many waiting, over the memory budget, a failing build', async () => {
    const { p, sink } = pipeline({ maxPending: 5 });
    for (let n = 0; n < 8; n++) p.submit(exchange(n, Buffer.from('x')));
    const small = createBudget(4);
    const over = new BodyCopy(1 << 20, small);
    over.add(Buffer.from('too big for the budget'));
    await p.drain(5000);
    p.submit({ ...exchange(9), responseBody: over });
    await p.drain(5000);
    expect(sink.records.length).toBe(5);
    expect(p.stats()).toMatchObject({
      dropped: 4,
      dropReasons: { 'recorder-busy': 3, 'memory-budget': 1 },
    });

    const failing = pipeline({
      redact: () => {
        throw new Error('redaction broke');
      },
    });
    failing.p.submit(exchange(1, Buffer.from('x')));
    await failing.p.drain(5000);
    expect(failing.sink.records).toEqual([]);
    expect(failing.p.stats()).toMatchObject({
      dropped: 1,
      dropReasons: { 'record-failed': 1 },
      lastError: 'redaction broke',
    });
  });

  it('gives the body memory back once records are built', async () => {
    const own = createBudget(1 << 20);
    const { p } = pipeline();
    for (let n = 0; n < 10; n++) {
      const copy = new BodyCopy(1 << 20, own);
      copy.add(Buffer.alloc(1000, 'a'));
      p.submit({ ...exchange(n), responseBody: copy });
    }
    expect(own.used).toBe(10_000);
    await p.drain(5000);
    expect(own.used).toBe(0);
  });
});
