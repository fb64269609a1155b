import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { HEALTH_PATH, startRecordProxy, type RecordProxy } from './record-proxy.js';
import {
  eventually,
  freePort,
  memorySink,
  send,
  startUpstream,
} from './record-proxy.test-helper.js';

const key = Buffer.from('a test redaction key, 32 bytes!!');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function proxy(upstream: string, timeoutMs = 60_000) {
  const sink = memorySink();
  const p: RecordProxy = await startRecordProxy({
    upstream,
    host: '127.0.0.1',
    port: 0,
    sink,
    redact: createRedactor({ key }),
    key,
    maxBodyBytes: 1024,
    timeoutMs,
  });
  cleanup.push(() => p.close(500));
  return { p, sink };
}

describe('the recording proxy when the upstream fails', () => {
  it('answers 502 while the upstream is unreachable, keeps serving, and works once it is back', async () => {
    const port = await freePort();
    const { p, sink } = await proxy(`http://127.0.0.1:${port}`);
    for (let i = 0; i < 3; i++) {
      const answer = await send(`${p.url}/down`, { method: 'POST', body: 'payload' });
      expect(answer.status).toBe(502);
      expect(answer.body.toString()).toMatch(/^502 Bad Gateway: the upstream could not be reached/);
    }
    expect(p.health().upstreamErrors).toBe(3);

    const up = http.createServer((_req, res) => res.end('back'));
    await new Promise<void>((resolve) => up.listen(port, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => up.close(() => resolve())));
    const answer = await send(`${p.url}/up`);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('back');

    await eventually(() => sink.records.length === 4);
    const failed = sink.records[0]!;
    expect(failed.response).toBeUndefined();
    expect(failed.error).toMatch(/ECONNREFUSED/);
    expect(failed.request.body?.data).toBe('payload');
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const up = await startUpstream(() => undefined);
    cleanup.push(() => up.close());
    const { p, sink } = await proxy(up.url, 200);
    const started = Date.now();
    const answer = await send(`${p.url}/slow`);
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually(() => sink.records.length === 1);
    expect(sink.records[0]!.error).toMatch(/UND_ERR_HEADERS_TIMEOUT/);
  });

  it('stops the upstream request when the client goes away, and keeps serving', async () => {
    let upstreamClosed = false;
    const up = await startUpstream((req, res) => {
      if (req.url === '/ok') return void res.end('ok');
      res.writeHead(200);
      res.write('part');
      res.on('close', () => (upstreamClosed = true));
    });
    cleanup.push(() => up.close());
    const { p, sink } = await proxy(up.url);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${p.url}/hang`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no first chunk')), 5000);
    });
    await eventually(() => upstreamClosed);
    expect((await send(`${p.url}/ok`)).body.toString()).toBe('ok');
    await eventually(() => sink.records.length === 2);
    expect(sink.records[0]!.error).toMatch(/client closed/);
  });
});

describe('the health endpoint', () => {
  it('answers the counters as JSON and is never forwarded', async () => {
    let forwarded = 0;
    const up = await startUpstream((_req, res) => {
      forwarded++;
      res.end('ok');
    });
    cleanup.push(() => up.close());
    const { p } = await proxy(up.url);
    await send(`${p.url}/a`);
    await eventually(() => p.health().recorded === 1);
    const answer = await send(`${p.url}${HEALTH_PATH}`);
    expect(answer.status).toBe(200);
    expect(answer.header('content-type')).toBe('application/json');
    const health = JSON.parse(answer.body.toString()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      recorded: 1,
      dropped: 0,
      dropReasons: {},
      queued: 0,
      skipped: 0,
      requests: 1,
      upstreamErrors: 0,
      upstream: up.url,
    });
    expect(typeof health.uptimeSeconds).toBe('number');
    expect(typeof health.bytes).toBe('number');
    expect(forwarded).toBe(1);
  });
});
